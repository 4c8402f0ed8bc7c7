import type { ClassificationMetrics, PerClassMetrics } from '@affectbench/core';
import { UserError } from '@affectbench/core';

/**
 * Classification metrics with scikit-learn 1.2 semantics, computed from one confusion matrix so the
 * bootstrap can reuse the same code on resampled counts.
 *
 * Which classes count (the part that differs between libraries):
 * - macro-F1: by default the classes that occur in the labels OR the predictions (sklearn's
 *   `unique_labels(y_true, y_pred)`); pass `averageLabels` to average over an explicit list instead
 *   (sklearn's `labels=`), e.g. all 8 ABAW expressions. A class never predicted has precision 0
 *   (sklearn's zero_division=0 result) and so F1 0; a class in `averageLabels` that occurs nowhere
 *   has P = R = F1 = 0 and still counts in the mean.
 * - UAR: sklearn's `balanced_accuracy_score` = mean recall over classes that occur in the labels;
 *   a class that is only predicted lowers precision/F1 but not UAR.
 * - perClass and the confusion matrix always list every class 0..numClasses-1 (rows true, columns predicted).
 */
export interface ClassificationInput {
  labels: ArrayLike<number>;
  preds: ArrayLike<number>;
  numClasses: number;
  classNames?: readonly string[];
  /** Classes macro-F1 averages over; default: those present in labels or preds (sklearn's default). */
  averageLabels?: readonly number[];
}

/** Throws a UserError unless labels and preds are equally long integer arrays with values in [0, numClasses). */
export function checkLabelArrays(labels: ArrayLike<number>, preds: ArrayLike<number>, numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new UserError(`numClasses must be a positive integer (got ${numClasses})`);
  if (labels.length !== preds.length) throw new UserError(`labels and predictions differ in length (${labels.length} vs ${preds.length})`);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    const p = preds[i];
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) throw new UserError(`label ${l} at index ${i} is not a class in 0..${numClasses - 1}`);
    if (!Number.isInteger(p) || p < 0 || p >= numClasses) throw new UserError(`prediction ${p} at index ${i} is not a class in 0..${numClasses - 1}`);
  }
}

/**
 * Adds the counts of (labels[j], preds[j]) into `out` (flat, row-major, K×K, rows true).
 * With `index`, only the listed samples are counted (with repetition): the bootstrap's resample.
 */
export function accumulateConfusion(
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
  numClasses: number,
  out: Int32Array | Float64Array,
  index?: ArrayLike<number>,
): void {
  if (index) {
    for (let i = 0; i < index.length; i++) {
      const j = index[i];
      out[labels[j] * numClasses + preds[j]] += 1;
    }
  } else {
    for (let j = 0; j < labels.length; j++) out[labels[j] * numClasses + preds[j]] += 1;
  }
}

export function confusionMatrix(labels: ArrayLike<number>, preds: ArrayLike<number>, numClasses: number): number[][] {
  checkLabelArrays(labels, preds, numClasses);
  const flat = new Int32Array(numClasses * numClasses);
  accumulateConfusion(labels, preds, numClasses, flat);
  return toRows(flat, numClasses);
}

function toRows(flat: ArrayLike<number>, k: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < k; r++) rows.push(Array.from({ length: k }, (_, c) => flat[r * k + c]));
  return rows;
}

export interface PerClassArrays {
  precision: Float64Array;
  recall: Float64Array;
  f1: Float64Array;
  support: Float64Array;
  predicted: Float64Array;
}

/** Per-class precision, recall, F1 (sklearn's formula 2PR/(P+R), 0 where undefined), support. */
export function perClassFromConfusion(cm: ArrayLike<number>, k: number, out?: PerClassArrays): PerClassArrays {
  const o = out ?? {
    precision: new Float64Array(k),
    recall: new Float64Array(k),
    f1: new Float64Array(k),
    support: new Float64Array(k),
    predicted: new Float64Array(k),
  };
  o.support.fill(0);
  o.predicted.fill(0);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const v = cm[r * k + c];
      o.support[r] += v;
      o.predicted[c] += v;
    }
  }
  for (let i = 0; i < k; i++) {
    const tp = cm[i * k + i];
    const p = o.predicted[i] > 0 ? tp / o.predicted[i] : 0;
    const r = o.support[i] > 0 ? tp / o.support[i] : 0;
    o.precision[i] = p;
    o.recall[i] = r;
    const denom = p + r;
    o.f1[i] = denom > 0 ? (2 * p * r) / denom : 0;
  }
  return o;
}

export interface Summary {
  n: number;
  accuracy: number;
  macroF1: number;
  uar: number;
}

/** accuracy, macro-F1 and UAR from a flat K×K confusion matrix; `scratch` avoids allocation in loops. */
export function summaryFromConfusion(
  cm: ArrayLike<number>,
  k: number,
  averageLabels?: readonly number[],
  scratch?: PerClassArrays,
): Summary {
  const pc = perClassFromConfusion(cm, k, scratch);
  let n = 0;
  let trace = 0;
  let f1Sum = 0;
  let f1Count = 0;
  let recallSum = 0;
  let recallCount = 0;
  for (let i = 0; i < k; i++) {
    n += pc.support[i];
    trace += cm[i * k + i];
    if (pc.support[i] > 0) {
      recallSum += pc.recall[i];
      recallCount++;
    }
    if (!averageLabels && (pc.support[i] > 0 || pc.predicted[i] > 0)) {
      f1Sum += pc.f1[i];
      f1Count++;
    }
  }
  if (averageLabels) {
    for (const c of averageLabels) f1Sum += pc.f1[c];
    f1Count = averageLabels.length;
  }
  return {
    n,
    accuracy: n > 0 ? trace / n : Number.NaN,
    macroF1: f1Count > 0 ? f1Sum / f1Count : Number.NaN,
    uar: recallCount > 0 ? recallSum / recallCount : Number.NaN,
  };
}

export function accuracy(labels: ArrayLike<number>, preds: ArrayLike<number>): number {
  if (labels.length !== preds.length) throw new UserError(`labels and predictions differ in length (${labels.length} vs ${preds.length})`);
  if (labels.length === 0) throw new UserError('no samples to score');
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === preds[i]) hit++;
  return hit / labels.length;
}

/** Macro-F1; see the module comment for which classes are averaged. */
export function macroF1(labels: ArrayLike<number>, preds: ArrayLike<number>, numClasses: number, averageLabels?: readonly number[]): number {
  return summarise(labels, preds, numClasses, averageLabels).macroF1;
}

/** Unweighted average recall = sklearn balanced_accuracy_score. */
export function uar(labels: ArrayLike<number>, preds: ArrayLike<number>, numClasses: number): number {
  return summarise(labels, preds, numClasses).uar;
}

function summarise(labels: ArrayLike<number>, preds: ArrayLike<number>, k: number, averageLabels?: readonly number[]): Summary {
  checkLabelArrays(labels, preds, k);
  if (labels.length === 0) throw new UserError('no samples to score');
  checkAverageLabels(averageLabels, k);
  const cm = new Int32Array(k * k);
  accumulateConfusion(labels, preds, k, cm);
  return summaryFromConfusion(cm, k, averageLabels);
}

function checkAverageLabels(averageLabels: readonly number[] | undefined, k: number): void {
  if (!averageLabels) return;
  if (averageLabels.length === 0) throw new UserError('averageLabels is empty');
  for (const c of averageLabels) if (!Number.isInteger(c) || c < 0 || c >= k) throw new UserError(`averageLabels: ${c} is not a class in 0..${k - 1}`);
}

/** Everything the result files carry about a classification, as fractions in [0,1]. */
export function computeClassification(input: ClassificationInput): ClassificationMetrics {
  const { labels, preds, numClasses: k, classNames, averageLabels } = input;
  checkLabelArrays(labels, preds, k);
  if (labels.length === 0) throw new UserError('no samples to score');
  checkAverageLabels(averageLabels, k);
  if (classNames && classNames.length !== k) throw new UserError(`${classNames.length} class names given for ${k} classes`);
  const cm = new Int32Array(k * k);
  accumulateConfusion(labels, preds, k, cm);
  const pc = perClassFromConfusion(cm, k);
  const s = summaryFromConfusion(cm, k, averageLabels);
  const perClass: PerClassMetrics[] = [];
  for (let i = 0; i < k; i++) {
    perClass.push({
      label: i,
      ...(classNames ? { name: classNames[i] } : {}),
      precision: pc.precision[i],
      recall: pc.recall[i],
      f1: pc.f1[i],
      support: pc.support[i],
    });
  }
  return { n: s.n, accuracy: s.accuracy, macroF1: s.macroF1, uar: s.uar, perClass, confusionMatrix: toRows(cm, k) };
}
