import { UserError } from '@affectbench/core';
import { checkLabelArrays, type PerClassArrays, summaryFromConfusion } from './classification.ts';
import { createRng } from './random.ts';

export interface BootstrapOptions {
  /** Number of resamples; default 1000. */
  resamples?: number;
  /** PRNG seed; the same seed gives the same interval. Default 0. */
  seed?: number;
  /** Central coverage; default 0.95. */
  level?: number;
}

/** numpy.percentile's default ('linear') interpolation on a sorted array; q in [0,100]. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) return Number.NaN;
  const pos = (q / 100) * (m - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, m - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function interval(values: Float64Array, level: number): [number, number] {
  // NaN (a statistic undefined on a degenerate resample) sorts last in a Float64Array; leave those out.
  values.sort();
  let m = values.length;
  while (m > 0 && Number.isNaN(values[m - 1])) m--;
  const v = values.subarray(0, m);
  const tail = ((1 - level) / 2) * 100;
  return [percentileSorted(v, tail), percentileSorted(v, 100 - tail)];
}

function resolve(opts: BootstrapOptions): { resamples: number; seed: number; level: number } {
  const resamples = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new UserError(`bootstrap resamples must be a positive integer (got ${resamples})`);
  if (!(level > 0 && level < 1)) throw new UserError(`bootstrap level must be in (0,1) (got ${level})`);
  return { resamples, seed: opts.seed ?? 0, level };
}

/**
 * Percentile bootstrap interval of any statistic over n samples. `stat` receives the resampled
 * indices in one reused Int32Array (length n) and must not keep it.
 */
export function bootstrapCI(n: number, stat: (index: Int32Array) => number, opts: BootstrapOptions = {}): [number, number] {
  const { resamples, seed, level } = resolve(opts);
  if (n < 1) throw new UserError('bootstrap: no samples');
  const rng = createRng(seed);
  const index = new Int32Array(n);
  const values = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    rng.fillInts(index, n);
    values[r] = stat(index);
  }
  return interval(values, level);
}

export interface ClassificationCI {
  accuracy: [number, number];
  macroF1: [number, number];
  uar: [number, number];
}

/**
 * 95% (by default) percentile intervals of accuracy, macro-F1 and UAR. Each resample only refills
 * one K×K count matrix, so 1000 resamples of 100k samples take well under a few seconds.
 */
export function bootstrapClassification(
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
  numClasses: number,
  opts: BootstrapOptions & { averageLabels?: readonly number[] } = {},
): ClassificationCI {
  checkLabelArrays(labels, preds, numClasses);
  const { resamples, seed, level } = resolve(opts);
  const n = labels.length;
  if (n < 1) throw new UserError('bootstrap: no samples');
  const k = numClasses;
  const rng = createRng(seed);
  const cm = new Int32Array(k * k);
  const index = new Int32Array(n);
  // One cell index per sample, so a resample is one gather and one increment per draw.
  const cell = new Int32Array(n);
  for (let i = 0; i < n; i++) cell[i] = labels[i] * k + preds[i];
  const scratch: PerClassArrays = {
    precision: new Float64Array(k),
    recall: new Float64Array(k),
    f1: new Float64Array(k),
    support: new Float64Array(k),
    predicted: new Float64Array(k),
  };
  const acc = new Float64Array(resamples);
  const f1 = new Float64Array(resamples);
  const ua = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    rng.fillInts(index, n);
    cm.fill(0);
    for (let i = 0; i < n; i++) cm[cell[index[i]]]++;
    const s = summaryFromConfusion(cm, k, opts.averageLabels, scratch);
    acc[r] = s.accuracy;
    f1[r] = s.macroF1;
    ua[r] = s.uar;
  }
  return { accuracy: interval(acc, level), macroF1: interval(f1, level), uar: interval(ua, level) };
}

export interface McNemarResult {
  /** Samples model A gets right and model B gets wrong. */
  b: number;
  /** Samples model A gets wrong and model B gets right. */
  c: number;
  /** Exact test: min(b, c) (statsmodels' convention); chi-square: (|b − c| − 1)² / (b + c). */
  statistic: number;
  pValue: number;
  method: 'exact-binomial' | 'chi-square-continuity';
}

/** Below this many discordant pairs the chi-square approximation is poor, so the exact binomial test is used. */
export const MCNEMAR_EXACT_BELOW = 25;

/** McNemar's test on the discordant counts b and c. Two-sided. */
export function mcnemarFromCounts(b: number, c: number, exactBelow = MCNEMAR_EXACT_BELOW): McNemarResult {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) throw new UserError(`McNemar counts must be non-negative integers (got ${b}, ${c})`);
  const n = b + c;
  if (n < exactBelow) {
    const k = Math.min(b, c);
    // Two-sided exact p = 2·P(X ≤ k), X ~ Binomial(n, 1/2), capped at 1.
    let term = 0.5 ** n;
    let cdf = 0;
    for (let i = 0; i <= k; i++) {
      cdf += term;
      term *= (n - i) / (i + 1);
    }
    return { b, c, statistic: k, pValue: n === 0 ? 1 : Math.min(1, 2 * cdf), method: 'exact-binomial' };
  }
  const d = Math.abs(b - c) - 1;
  const statistic = (d * d) / n;
  return { b, c, statistic, pValue: chiSquare1Sf(statistic), method: 'chi-square-continuity' };
}

/** McNemar's test for two models' predictions on the same samples. */
export function mcnemar(labels: ArrayLike<number>, predsA: ArrayLike<number>, predsB: ArrayLike<number>, exactBelow?: number): McNemarResult {
  if (labels.length !== predsA.length || labels.length !== predsB.length) {
    throw new UserError(`McNemar needs both models scored on the same samples (${labels.length} labels, ${predsA.length} and ${predsB.length} predictions)`);
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < labels.length; i++) {
    const a = predsA[i] === labels[i];
    const bb = predsB[i] === labels[i];
    if (a && !bb) b++;
    else if (!a && bb) c++;
  }
  return mcnemarFromCounts(b, c, exactBelow);
}

export interface Comparison {
  n: number;
  accuracyA: number;
  accuracyB: number;
  /** accuracyA − accuracyB. */
  difference: number;
  mcnemar: McNemarResult;
  alpha: number;
  significant: boolean;
}

/** Is model A's accuracy different from model B's on the same samples? McNemar at level alpha (default 0.05). */
export function compareModels(labels: ArrayLike<number>, predsA: ArrayLike<number>, predsB: ArrayLike<number>, alpha = 0.05): Comparison {
  if (!(alpha > 0 && alpha < 1)) throw new UserError(`alpha must be in (0,1) (got ${alpha})`);
  const m = mcnemar(labels, predsA, predsB);
  const n = labels.length;
  if (n === 0) throw new UserError('no samples to compare');
  let hitA = 0;
  let hitB = 0;
  for (let i = 0; i < n; i++) {
    if (predsA[i] === labels[i]) hitA++;
    if (predsB[i] === labels[i]) hitB++;
  }
  return { n, accuracyA: hitA / n, accuracyB: hitB / n, difference: (hitA - hitB) / n, mcnemar: m, alpha, significant: m.pValue < alpha };
}

/** Upper tail of chi-square with 1 degree of freedom = Q(1/2, x/2), the regularised upper incomplete gamma. */
export function chiSquare1Sf(x: number): number {
  if (!(x > 0)) return 1;
  return gammaQHalf(x / 2);
}

const LGAMMA_HALF = 0.5 * Math.log(Math.PI);

// Series for P(a,x) when x < a+1, Lentz continued fraction for Q(a,x) otherwise (Numerical Recipes §6.2);
// both converge to double precision here, which the fixtures check against scipy.
function gammaQHalf(x: number): number {
  const a = 0.5;
  const front = Math.exp(-x + a * Math.log(x) - LGAMMA_HALF);
  if (x < a + 1) {
    let sum = 1 / a;
    let del = sum;
    let ap = a;
    for (let i = 0; i < 1000; i++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-17) break;
    }
    return 1 - sum * front;
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return front * h;
}
