import { fmt, mdTable, ms, signed } from './columns.ts';
import { type Calibration, extractFigures, type Figure, type FigureKind } from './figures.ts';
import type { LoadedResults } from './load.ts';
import { UserError } from '@affectbench/core';

export interface Tolerances {
  /** Largest allowed drop of an accuracy-type figure, in absolute points. */
  accuracyPoints: number;
  /** Largest allowed slow-down of a latency, percent (of the calibrated ratio when both runs have one). */
  latencyPercent: number;
}

export const DEFAULT_TOLERANCES: Tolerances = { accuracyPoints: 0.5, latencyPercent: 10 };

/** pass/improved are fine; regression, missing and unavailable fail the gate; new is informational. */
export type Verdict = 'pass' | 'improved' | 'regression' | 'missing' | 'unavailable' | 'new';

export interface Comparison {
  key: string;
  kind: FigureKind;
  label: string;
  unit: Figure['unit'];
  baseline: number | null;
  current: number | null;
  /** Accuracy: current − baseline in points. Latency: percent change (of the calibrated ratio when `calibrated`). */
  delta: number | null;
  calibrated: boolean;
  verdict: Verdict;
  /** Why the verdict, in words. */
  reason: string;
}

export interface NoiseReport {
  baseline: Calibration | null;
  current: Calibration | null;
  /** current calibration p50 ÷ baseline calibration p50: how much faster or slower the machine itself was. */
  machineRatio: number | null;
  warnings: string[];
}

export interface CheckReport {
  ok: boolean;
  failures: number;
  tolerances: Tolerances;
  comparisons: Comparison[];
  noise: NoiseReport;
  notes: string[];
}

const FAILING: ReadonlySet<Verdict> = new Set(['regression', 'missing', 'unavailable']);

/** Compares every figure of `current` against `baseline`. Throws a UserError when the two share nothing to compare. */
export function compareResults(baseline: LoadedResults, current: LoadedResults, tolerances: Tolerances = DEFAULT_TOLERANCES): CheckReport {
  if (!(tolerances.accuracyPoints >= 0) || !(tolerances.latencyPercent >= 0)) throw new UserError('tolerances must be non-negative numbers');
  const base = extractFigures(baseline);
  const cur = extractFigures(current);
  const curByKey = new Map(cur.figures.map((f) => [f.key, f]));
  const curUnavailable = new Map(cur.unavailable.map((u) => [u.key, u]));
  const baseKeys = new Set(base.figures.map((f) => f.key));
  const comparisons: Comparison[] = [];

  for (const b of base.figures) {
    const c = curByKey.get(b.key);
    if (!c) {
      const u = curUnavailable.get(b.key);
      comparisons.push({
        key: b.key,
        kind: b.kind,
        label: b.label,
        unit: b.unit,
        baseline: b.value,
        current: null,
        delta: null,
        calibrated: false,
        verdict: u ? 'unavailable' : 'missing',
        reason: u ? `measured in the baseline, unavailable now: ${u.reason}` : 'measured in the baseline, absent from the current results',
      });
      continue;
    }
    comparisons.push(b.kind === 'accuracy' ? compareAccuracy(b, c, tolerances) : compareLatency(b, c, tolerances));
  }
  for (const c of cur.figures) {
    if (!baseKeys.has(c.key)) {
      comparisons.push({ key: c.key, kind: c.kind, label: c.label, unit: c.unit, baseline: null, current: c.value, delta: null, calibrated: false, verdict: 'new', reason: 'not in the baseline' });
    }
  }
  if (!comparisons.some((c) => c.baseline !== null && c.current !== null) && base.figures.length > 0 && cur.figures.length > 0) {
    throw new UserError('the baseline and the current results share no figure to compare', {
      hint: 'they must measure the same model, backend and batch (latency) or model, dataset and protocol (accuracy)',
    });
  }
  const order: Record<Verdict, number> = { regression: 0, unavailable: 1, missing: 2, improved: 3, pass: 4, new: 5 };
  comparisons.sort((a, b) => order[a.verdict] - order[b.verdict] || a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label));
  const failures = comparisons.filter((c) => FAILING.has(c.verdict)).length;
  return {
    ok: failures === 0,
    failures,
    tolerances,
    comparisons,
    noise: noiseReport(base.figures, cur.figures, tolerances),
    notes: [...base.notes.map((n) => `baseline: ${n}`), ...cur.notes.map((n) => `current: ${n}`)],
  };
}

function compareAccuracy(b: Figure, c: Figure, tol: Tolerances): Comparison {
  const delta = c.value - b.value;
  let verdict: Verdict = 'pass';
  let reason = `within ${tol.accuracyPoints} points`;
  if (delta < -tol.accuracyPoints) {
    verdict = 'regression';
    reason = `dropped ${(-delta).toFixed(2)} points (tolerance ${tol.accuracyPoints})`;
  } else if (b.ci95 && c.value < b.ci95[0]) {
    verdict = 'regression';
    reason = `below the baseline's 95% interval [${b.ci95[0].toFixed(2)}, ${b.ci95[1].toFixed(2)}]`;
  } else if (delta > tol.accuracyPoints) {
    verdict = 'improved';
    reason = `up ${delta.toFixed(2)} points`;
  }
  return { key: b.key, kind: b.kind, label: b.label, unit: b.unit, baseline: b.value, current: c.value, delta, calibrated: false, verdict, reason };
}

function compareLatency(b: Figure, c: Figure, tol: Tolerances): Comparison {
  // Shared CI machines drift by tens of percent between runs; the calibration graph timed in the same run cancels that.
  const calibrated = b.normalised !== undefined && c.normalised !== undefined;
  const ratio = calibrated ? (c.normalised as number) / (b.normalised as number) : c.value / b.value;
  const delta = (ratio - 1) * 100;
  const what = calibrated ? 'calibrated latency' : 'raw latency (no calibration row in both runs)';
  let verdict: Verdict = 'pass';
  let reason = `${what} within ${tol.latencyPercent}%`;
  if (delta > tol.latencyPercent) {
    verdict = 'regression';
    reason = `${what} ${delta.toFixed(1)}% slower (tolerance ${tol.latencyPercent}%)`;
  } else if (delta < -tol.latencyPercent) {
    verdict = 'improved';
    reason = `${what} ${(-delta).toFixed(1)}% faster`;
  }
  return { key: b.key, kind: b.kind, label: b.label, unit: b.unit, baseline: b.value, current: c.value, delta, calibrated, verdict, reason };
}

/** The calibration rows of the newest runs on each side, and whether their noise lets the tolerance mean anything. */
function noiseReport(base: readonly Figure[], cur: readonly Figure[], tol: Tolerances): NoiseReport {
  const cal = (figs: readonly Figure[]) => {
    const withCal = figs.filter((f) => f.calibration).sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
    return withCal[0]?.calibration ?? null;
  };
  const b = cal(base);
  const c = cal(cur);
  const warnings: string[] = [];
  const latency = base.some((f) => f.kind === 'latency') || cur.some((f) => f.kind === 'latency');
  if (latency && (!b || !c)) warnings.push(`no calibration row in the ${!b && !c ? 'baseline or the current' : !b ? 'baseline' : 'current'} results: latency compared raw, machine noise not cancelled`);
  for (const [side, x] of [['baseline', b], ['current', c]] as const) {
    if (x && x.rme > tol.latencyPercent / 2) {
      warnings.push(`${side} calibration noise ±${x.rme.toFixed(1)}% (rme) is more than half the ${tol.latencyPercent}% latency tolerance: latency verdicts are unreliable on this machine`);
    }
  }
  return { baseline: b, current: c, machineRatio: b && c ? c.p50 / b.p50 : null, warnings };
}

function value(x: number | null, unit: Figure['unit']): string {
  if (x === null) return '–';
  return unit === 'ms' ? `${ms(x)} ms` : fmt(x);
}

function deltaText(c: Comparison): string {
  if (c.delta === null) return '–';
  return c.kind === 'latency' ? `${signed(c.delta, 1)}%${c.calibrated ? ' (cal.)' : ''}` : `${signed(c.delta)} pt`;
}

const ICON: Record<Verdict, string> = { pass: 'pass', improved: 'improved', regression: 'REGRESSION', missing: 'MISSING', unavailable: 'UNAVAILABLE', new: 'new' };

export function checkRows(r: CheckReport): string[][] {
  return r.comparisons.map((c) => [c.label, value(c.baseline, c.unit), value(c.current, c.unit), deltaText(c), ICON[c.verdict], c.reason]);
}

export const CHECK_HEADER = ['Figure', 'Baseline', 'Current', 'Delta', 'Verdict', 'Why'] as const;

function noiseLine(n: NoiseReport): string {
  const one = (x: Calibration | null) => (x ? `p50 ${ms(x.p50)} ms, sd ${ms(x.sd)} ms, rme ±${x.rme.toFixed(1)}%` : 'none');
  const ratio = n.machineRatio === null ? '' : `; the current machine ran the calibration graph ${n.machineRatio.toFixed(2)}× the baseline's time`;
  return `Calibration (machine noise): baseline ${one(n.baseline)}; current ${one(n.current)}${ratio}.`;
}

/** A pull-request comment: verdict first, then the failing figures, then everything in a collapsed table. */
export function checkMarkdown(r: CheckReport): string {
  const counts = new Map<Verdict, number>();
  for (const c of r.comparisons) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  const summary = [...counts].map(([v, n]) => `${n} ${v}`).join(', ');
  const failing = r.comparisons.filter((c) => FAILING.has(c.verdict));
  const lines = [
    `## affectbench regression check: ${r.ok ? '✅ pass' : `❌ ${r.failures} failing figure(s)`}`,
    '',
    `${r.comparisons.length} figures compared (${summary}). Tolerances: accuracy −${r.tolerances.accuracyPoints} points or below the baseline's 95% interval; latency +${r.tolerances.latencyPercent}%.`,
    '',
    noiseLine(r.noise),
    ...r.noise.warnings.map((w) => `> ⚠️ ${w}`),
  ];
  if (failing.length) {
    lines.push('', '### Failing', '', mdTable(CHECK_HEADER, checkRows({ ...r, comparisons: failing })));
  }
  lines.push('', '<details><summary>All figures</summary>', '', mdTable(CHECK_HEADER, checkRows(r)), '', '</details>');
  if (r.notes.length) lines.push('', ...r.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}

export function checkText(r: CheckReport, table: (rows: string[][], header: readonly string[]) => string): string {
  return [
    table(checkRows(r), CHECK_HEADER),
    '',
    noiseLine(r.noise),
    ...r.noise.warnings.map((w) => `warning: ${w}`),
    ...r.notes.map((n) => `note: ${n}`),
    '',
    r.ok ? `PASS: ${r.comparisons.length} figures within tolerance` : `FAIL: ${r.failures} failing figure(s)`,
  ].join('\n');
}
