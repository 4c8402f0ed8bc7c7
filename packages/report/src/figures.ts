import type { BenchResult, EvalResult, LatencyStats } from '@affectbench/core';
import { CALIBRATION_ID } from './backends.ts';
import { dateOf, modelLabel } from './columns.ts';
import type { LoadedResults } from './load.ts';

export type FigureKind = 'accuracy' | 'latency';

/** One comparable number of a run: what the regression gate compares and the history file records. */
export interface Figure {
  /** Identity across runs: same key = same measurement. */
  key: string;
  kind: FigureKind;
  model: string;
  /** Human-readable, e.g. "enet_b2_8 · affectnet-8 · accuracy". */
  label: string;
  /** Accuracy-type figures in points (percent, CCC×100); latency in ms. */
  value: number;
  unit: 'points' | 'ms';
  /** Bootstrap 95% interval, same unit as value. */
  ci95?: [number, number];
  /** Latency ÷ the calibration graph's latency of the same run (dimensionless). */
  normalised?: number;
  calibration?: Calibration;
  file: string;
  date: string;
}

export interface Calibration {
  p50: number;
  sd: number;
  rme: number;
}

/** A figure that the run tried to measure but could not (backend unavailable), with why. */
export interface Unavailable {
  key: string;
  label: string;
  reason: string;
}

const ACCURACY_METRICS = ['accuracy', 'macroF1', 'uar'] as const;

/** The calibration row of a bench run: node-cpu, smallest batch. */
export function calibrationOf(result: BenchResult): Calibration | null {
  const rows = result.rows.filter((r) => r.model.id === CALIBRATION_ID && r.backend === 'node-cpu' && r.available && r.latencyMs);
  rows.sort((a, b) => a.batch - b.batch);
  const l = rows[0]?.latencyMs;
  return l ? { p50: l.p50, sd: l.sd, rme: l.rme } : null;
}

export function evalFigures(result: EvalResult, file: string): Figure[] {
  const model = modelLabel(result.model);
  const d = result.dataset;
  const ctx = `${d.kind}:${d.split}|${d.protocol}|${String(result.preprocessing.resize)}|${result.backend.name}`;
  const label = `${model} · ${d.protocol} (${d.kind} ${d.split}, ${String(result.preprocessing.resize)}, ${result.backend.name})`;
  const base = { kind: 'accuracy' as const, model, unit: 'points' as const, file, date: result.provenance.date };
  const out: Figure[] = [];
  for (const metric of ACCURACY_METRICS) {
    const ci = result.metrics.ci95?.[metric];
    out.push({
      ...base,
      key: `${model}|${result.model.weights}|${ctx}|${metric}`,
      label: `${label} · ${metric}`,
      value: result.metrics[metric] * 100,
      ...(ci ? { ci95: [ci[0] * 100, ci[1] * 100] as [number, number] } : {}),
    });
  }
  for (const [dim, v] of Object.entries(result.metrics.ccc ?? {})) {
    if (typeof v === 'number') out.push({ ...base, key: `${model}|${result.model.weights}|${ctx}|ccc.${dim}`, label: `${label} · CCC ${dim} ×100`, value: v * 100 });
  }
  return out;
}

export function benchFigures(result: BenchResult, file: string): { figures: Figure[]; unavailable: Unavailable[] } {
  const calibration = calibrationOf(result);
  const figures: Figure[] = [];
  const unavailable: Unavailable[] = [];
  for (const r of result.rows) {
    if (r.model.id === CALIBRATION_ID) continue;
    const model = modelLabel(r.model);
    const t = r.threads === undefined ? '' : `|t${r.threads}`;
    const key = `${model}|${r.model.weights}|${r.backend}|b${r.batch}${t}|p50`;
    const label = `${model} (${r.model.weights}) · ${r.backend} · batch ${r.batch}${r.threads === undefined ? '' : ` · ${r.threads} threads`} · p50`;
    if (!r.available || !r.latencyMs) {
      unavailable.push({ key, label, reason: r.reason ?? 'unavailable' });
      continue;
    }
    const l: LatencyStats = r.latencyMs;
    figures.push({
      key,
      kind: 'latency',
      model,
      label,
      value: l.p50,
      unit: 'ms',
      ...(calibration ? { normalised: l.p50 / calibration.p50, calibration } : {}),
      file,
      date: result.provenance.date,
    });
  }
  return { figures, unavailable };
}

/** All figures of a result set, the newest per key when several runs measured (or failed to measure) the same thing. */
export function extractFigures(results: LoadedResults): { figures: Figure[]; unavailable: Unavailable[]; notes: string[] } {
  const notes: string[] = [];
  const newestByKey = new Map<string, { t: number; figure?: Figure; unavailable?: Unavailable }>();
  const offer = (key: string, t: number, entry: { figure?: Figure; unavailable?: Unavailable }) => {
    const prev = newestByKey.get(key);
    if (!prev || t > prev.t) newestByKey.set(key, { t, ...entry });
  };
  for (const { file, result } of results.evals) {
    if (result.model.weights === 'synthetic') {
      notes.push(`${file}: synthetic weights, accuracy not compared`);
      continue;
    }
    for (const f of evalFigures(result, file)) offer(f.key, dateOf(result), { figure: f });
  }
  for (const { file, result } of results.benches) {
    const b = benchFigures(result, file);
    for (const f of b.figures) offer(f.key, dateOf(result), { figure: f });
    for (const u of b.unavailable) offer(u.key, dateOf(result), { unavailable: u });
  }
  const figures: Figure[] = [];
  const unavailable: Unavailable[] = [];
  for (const e of newestByKey.values()) {
    if (e.figure) figures.push(e.figure);
    else if (e.unavailable) unavailable.push(e.unavailable);
  }
  return { figures, unavailable, notes };
}
