import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult, EvalResult } from '@affectbench/core';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const BASELINE_DIR = join(FIXTURES, 'check', 'baseline');

export function tempDir(prefix = 'affectbench-report-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function readFixture<T>(rel: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, rel), 'utf8')) as T;
}

export const baselineBench = () => readFixture<BenchResult>('check/baseline/bench-fixture.json');
export const baselineEval = () => readFixture<EvalResult>('check/baseline/eval-b2_8-an8.json');

/** Writes a result set (one file per result) into a fresh folder and returns it. */
export function writeSet(results: Record<string, unknown>): string {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(results)) writeFileSync(join(dir, name), JSON.stringify(value));
  return dir;
}

/** A later run of the baseline bench with every latency statistic of the chosen rows multiplied by `factor(row)`. */
export function scaledBench(factor: (model: string | null, backend: string, batch: number) => number, date = '2026-11-21T09:00:00.000Z'): BenchResult {
  const b = baselineBench();
  b.provenance.date = date;
  for (const r of b.rows) {
    if (!r.latencyMs) continue;
    const f = factor(r.model.id, r.backend, r.batch);
    const l = r.latencyMs;
    for (const k of ['mean', 'p50', 'p90', 'p99', 'min', 'max', 'sd'] as const) l[k] *= f;
    if (r.throughput) r.throughput /= f;
  }
  return b;
}

export function evalWithAccuracy(accuracy: number, date = '2026-11-21T12:00:00.000Z'): EvalResult {
  const e = baselineEval();
  e.provenance.date = date;
  e.metrics.accuracy = accuracy;
  return e;
}
