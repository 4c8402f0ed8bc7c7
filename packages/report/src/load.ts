import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BACKEND_NAMES, BadFileError, type BenchResult, type EvalResult, type ResultFile, readJsonFile, UserError } from '@affectbench/core';
import { PAPER_COLUMNS } from './columns.ts';

export interface Loaded<T extends ResultFile = ResultFile> {
  file: string;
  result: T;
}

export interface LoadedResults {
  evals: Loaded<EvalResult>[];
  benches: Loaded<BenchResult>[];
  /** JSON files under the folder that are not result files (configs, manifests...), with why. */
  skipped: { file: string; note: string }[];
}

export interface LoadOptions {
  /** Folder names not descended into (e.g. 'baseline', which holds copies of older runs). */
  skipDirs?: readonly string[];
}

/** Every result JSON under `dir`, recursively. A file that claims to be a result but fails the schema is a BadFileError. */
export function loadResults(dir: string, opts: LoadOptions = {}): LoadedResults {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir);
  } catch {
    throw new BadFileError(dir, 'no such file or directory');
  }
  const out: LoadedResults = { evals: [], benches: [], skipped: [] };
  if (st.isFile()) {
    addFile(out, dir);
    return out;
  }
  const skip = new Set(opts.skipDirs ?? []);
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) {
        if (!skip.has(entry.name) && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(p);
      } else if (entry.isFile() && entry.name.endsWith('.json') && !entry.name.endsWith('.vl.json')) {
        addFile(out, p, relative(dir, p));
      }
    }
  };
  walk(dir);
  return out;
}

function addFile(out: LoadedResults, file: string, shown = file): void {
  const value = readJsonFile<unknown>(file);
  const kind = value && typeof value === 'object' && !Array.isArray(value) ? (value as { kind?: unknown }).kind : undefined;
  if (kind !== 'eval' && kind !== 'bench') {
    out.skipped.push({ file: shown, note: 'not a result file (no "kind": "eval" | "bench")' });
    return;
  }
  const result = validateResult(file, value);
  if (result.kind === 'eval') out.evals.push({ file, result });
  else out.benches.push({ file, result });
}

/** Reads one result file (eval or bench); anything else is a BadFileError. */
export function loadResultFile(file: string): Loaded {
  const value = readJsonFile<unknown>(file);
  return { file, result: validateResult(file, value) };
}

/**
 * Checks the shape of a result file against core's schema and returns it typed.
 * The error names the file and the field path (e.g. `rows[2].latencyMs.p50`).
 */
export function validateResult(file: string, value: unknown): ResultFile {
  const v = new Checker(file);
  const root = v.object(value, '');
  const kind = v.oneOf(root.kind, 'kind', ['eval', 'bench'] as const);
  if (root.schema !== 1) v.fail('schema', `unsupported schema version ${JSON.stringify(root.schema)} (this affectbench reads 1)`);
  checkProvenance(v, root.provenance, 'provenance');
  if (kind === 'eval') {
    checkModel(v, root.model, 'model');
    const ds = v.object(root.dataset, 'dataset');
    for (const k of ['kind', 'path', 'split', 'protocol'] as const) v.string(ds[k], `dataset.${k}`);
    const counts = v.object(ds.counts, 'dataset.counts');
    v.number(counts.total, 'dataset.counts.total');
    v.number(counts.scored, 'dataset.counts.scored');
    const backend = v.object(root.backend, 'backend');
    v.oneOf(backend.name, 'backend.name', BACKEND_NAMES);
    const m = v.object(root.metrics, 'metrics');
    v.number(m.n, 'metrics.n');
    for (const k of ['accuracy', 'macroF1', 'uar'] as const) v.fraction(m[k], `metrics.${k}`);
    if (m.ci95 !== undefined) {
      const ci = v.object(m.ci95, 'metrics.ci95');
      for (const [k, raw] of Object.entries(ci)) {
        if (!Array.isArray(raw) || raw.length !== 2) v.fail(`metrics.ci95.${k}`, 'expected [low, high]');
        const pair = raw as number[];
        v.fraction(pair[0], `metrics.ci95.${k}[0]`);
        v.fraction(pair[1], `metrics.ci95.${k}[1]`);
        if (pair[0] > pair[1]) v.fail(`metrics.ci95.${k}`, `low ${pair[0]} is above high ${pair[1]}`);
      }
    }
    if (m.ccc !== undefined) {
      const ccc = v.object(m.ccc, 'metrics.ccc');
      for (const [k, x] of Object.entries(ccc)) v.number(x, `metrics.ccc.${k}`);
    }
    if (root.paper !== undefined) {
      const p = v.object(root.paper, 'paper');
      v.oneOf(p.column, 'paper.column', PAPER_COLUMNS);
      v.number(p.value, 'paper.value');
    }
  } else {
    if (!Array.isArray(root.rows)) v.fail('rows', 'expected a list of rows');
    (root.rows as unknown[]).forEach((raw, i) => {
      const at = `rows[${i}]`;
      const row = v.object(raw, at);
      checkModel(v, row.model, `${at}.model`);
      v.oneOf(row.backend, `${at}.backend`, BACKEND_NAMES);
      if (typeof row.available !== 'boolean') v.fail(`${at}.available`, 'expected true or false');
      if (!Number.isInteger(row.batch) || (row.batch as number) < 1) v.fail(`${at}.batch`, `expected a positive integer, got ${JSON.stringify(row.batch)}`);
      v.object(row.details, `${at}.details`);
      if (row.available) {
        const lat = v.object(row.latencyMs, `${at}.latencyMs`);
        for (const k of ['mean', 'p50', 'p90', 'p99', 'min', 'max', 'sd', 'rme', 'samples'] as const) v.number(lat[k], `${at}.latencyMs.${k}`);
        if ((lat.p50 as number) <= 0) v.fail(`${at}.latencyMs.p50`, 'must be positive');
      }
      if (row.throughput !== undefined) v.number(row.throughput, `${at}.throughput`);
    });
  }
  return value as ResultFile;
}

function checkModel(v: Checker, raw: unknown, at: string): void {
  const m = v.object(raw, at);
  if (m.id !== null) v.string(m.id, `${at}.id`);
  v.string(m.sha256, `${at}.sha256`);
  v.number(m.bytes, `${at}.bytes`);
  v.oneOf(m.weights, `${at}.weights`, ['real', 'synthetic'] as const);
}

function checkProvenance(v: Checker, raw: unknown, at: string): void {
  const p = v.object(raw, at);
  const date = v.string(p.date, `${at}.date`);
  if (Number.isNaN(Date.parse(date))) v.fail(`${at}.date`, `not an ISO 8601 date: ${JSON.stringify(date)}`);
  const host = v.object(p.host, `${at}.host`);
  for (const k of ['hostname', 'os', 'arch', 'cpu', 'node'] as const) v.string(host[k], `${at}.host.${k}`);
  v.number(host.cores, `${at}.host.cores`);
  v.object(p.versions, `${at}.versions`);
  if (p.git !== null) v.string(v.object(p.git, `${at}.git`).commit, `${at}.git.commit`);
  if (!Array.isArray(p.command)) v.fail(`${at}.command`, 'expected the argv list');
}

class Checker {
  constructor(private readonly file: string) {}
  fail(field: string, problem: string): never {
    throw new BadFileError(this.file, `${field || '(top level)'}: ${problem}`);
  }
  object(x: unknown, field: string): Record<string, unknown> {
    if (!x || typeof x !== 'object' || Array.isArray(x)) this.fail(field, `expected an object, got ${describe(x)}`);
    return x as Record<string, unknown>;
  }
  string(x: unknown, field: string): string {
    if (typeof x !== 'string') this.fail(field, `expected a string, got ${describe(x)}`);
    return x;
  }
  number(x: unknown, field: string): number {
    if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(field, `expected a finite number, got ${describe(x)}`);
    return x;
  }
  fraction(x: unknown, field: string): number {
    const n = this.number(x, field);
    if (n < 0 || n > 1) this.fail(field, `expected a fraction in [0,1], got ${n}`);
    return n;
  }
  oneOf<T extends string>(x: unknown, field: string, allowed: readonly T[]): T {
    if (!allowed.includes(x as T)) this.fail(field, `expected one of ${allowed.join(', ')}, got ${describe(x)}`);
    return x as T;
  }
}

function describe(x: unknown): string {
  if (x === undefined) return 'nothing (missing)';
  const s = JSON.stringify(x);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** A directory with no result files is a usage error, not an empty report. */
export function requireSome(loaded: LoadedResults, what: string): void {
  if (loaded.evals.length === 0 && loaded.benches.length === 0) {
    const extra = loaded.skipped.length ? ` (${loaded.skipped.length} other JSON file(s) skipped)` : '';
    throw new UserError(`${what}: no result files found${extra}`, { hint: 'result files are the eval/bench JSON written by affectbench run, eval or bench' });
  }
}
