import { type BackendInfo, type BackendName, type BenchResult, type BenchRow, type ModelProvenance, type Session, type TensorData, UserError, getBackend } from '@affectbench/core';
import { benchProvenance } from './environment.ts';
import { type LoopOptions, type LoopResult, timeLoop } from './timing.ts';

/** A model ready to benchmark: its bytes (or path), where they came from, and how to feed it. */
export interface BenchModel {
  /** Short name for progress lines. */
  label: string;
  model: string | Uint8Array;
  provenance: ModelProvenance;
  /** Feeds for one batch of `batch` images. Called once per batch size and model. */
  inputs(batch: number): Promise<BenchInputs> | BenchInputs;
}

export interface BenchInputs {
  feeds: Record<string, TensorData>;
  /** What the tensors hold, e.g. 'samples.jpg via pil-bilinear'; recorded in each row. */
  source: string;
}

export interface RowEvent {
  phase: 'start' | 'end';
  model: string;
  backend: BackendName;
  batch: number;
  threads?: number;
  /** Rows finished so far (including this one at 'end') and rows in the whole run. */
  done: number;
  total: number;
  row?: BenchRow;
}

export interface BenchPlan {
  models: readonly BenchModel[];
  backends: readonly BackendName[];
  batches: readonly number[];
  /** Thread counts for the backends that take one; empty = each backend's default. */
  threads: readonly number[];
  loop: LoopOptions;
  /** argv recorded in the result's provenance. */
  command?: readonly string[];
  /** Called before each row starts and after it ends; `total` is known once the backends are probed. */
  onRow?: (event: RowEvent) => void;
}

/**
 * What `affectbench bench` times when no --backends is given. The WebGPU backends are left out because without a GPU
 * they run on SwiftShader, hundreds of times slower than WASM; name them to time them (their rows carry the adapter).
 */
export const DEFAULT_BACKENDS: readonly BackendName[] = ['node-cpu', 'node-cuda', 'node-wasm', 'browser-wasm'];

/** Backends whose thread count is a session option (the others ignore it): a thread sweep only multiplies these. */
export const THREADED_BACKENDS: ReadonlySet<BackendName> = new Set(['node-cpu', 'node-wasm', 'browser-wasm']);

/** Sessions that time themselves where they run (the browser page), so no transport is inside the timing. */
interface SelfTimingSession extends Session {
  readonly createMs: number;
  bench(feeds: Record<string, TensorData>, loop: LoopOptions): Promise<LoopResult & { firstRunMs: number }>;
  peakRssMB(): Promise<number | null>;
}

function selfTiming(s: Session): s is SelfTimingSession {
  return typeof (s as Partial<SelfTimingSession>).bench === 'function' && typeof (s as Partial<SelfTimingSession>).createMs === 'number';
}

export interface BenchRowWithSamples extends BenchRow {
  /** Raw warm samples, ms, in the order taken. */
  samplesMs?: number[];
}

/**
 * model × backend × threads × batch: a fresh session per row, so every row has its own creation and cold-run time;
 * then tinybench over warm runs. Unavailable backends give one row per model with the reason.
 */
export async function runBench(plan: BenchPlan): Promise<BenchResult & { rows: BenchRowWithSamples[] }> {
  validatePlan(plan);
  const rows: BenchRowWithSamples[] = [];
  const probes = new Map<BackendName, BackendInfo>();
  let chromium: string | null = null;
  for (const name of plan.backends) {
    const info = await getBackend(name).probe();
    probes.set(name, info);
    if (typeof info.details.browser === 'string') chromium = info.details.browser;
  }
  const threadsFor = (name: BackendName): (number | undefined)[] => (THREADED_BACKENDS.has(name) && plan.threads.length > 0 ? [...plan.threads] : [undefined]);
  const perModel = plan.backends.reduce((n, b) => n + (probes.get(b)?.available ? threadsFor(b).length * plan.batches.length : 1), 0);
  const total = perModel * plan.models.length;
  for (const model of plan.models) {
    const inputs = new Map<number, BenchInputs>();
    for (const batch of plan.batches) inputs.set(batch, await model.inputs(batch));
    for (const name of plan.backends) {
      const info = probes.get(name) as BackendInfo;
      if (!info.available) {
        const row: BenchRow = { model: model.provenance, backend: name, available: false, reason: info.reason ?? 'unavailable', details: info.details, batch: plan.batches[0] };
        rows.push(row);
        plan.onRow?.({ phase: 'end', model: model.label, backend: name, batch: row.batch, done: rows.length, total, row });
        continue;
      }
      for (const threads of threadsFor(name)) {
        for (const batch of plan.batches) {
          plan.onRow?.({ phase: 'start', model: model.label, backend: name, batch, threads, done: rows.length, total });
          const row = await benchRow(model, name, batch, threads, inputs.get(batch) as BenchInputs, plan.loop);
          rows.push(row);
          plan.onRow?.({ phase: 'end', model: model.label, backend: name, batch, threads, done: rows.length, total, row });
        }
      }
    }
  }
  return { kind: 'bench', schema: 1, rows, provenance: benchProvenance(plan.command ?? process.argv.slice(1), chromium ? { chromium } : {}) };
}

async function benchRow(model: BenchModel, backend: BackendName, batch: number, threads: number | undefined, inputs: BenchInputs, loop: LoopOptions): Promise<BenchRowWithSamples> {
  const base = { model: model.provenance, backend, batch, ...(threads !== undefined ? { threads } : {}) };
  let rss = process.memoryUsage.rss();
  let session: Session | null = null;
  try {
    const t0 = performance.now();
    session = await getBackend(backend).createSession(model.model, threads !== undefined ? { threads } : {});
    const wallCreateMs = performance.now() - t0;
    rss = Math.max(rss, process.memoryUsage.rss());
    const details: Record<string, unknown> = { ...((session as { details?: Record<string, unknown> }).details ?? {}), input: inputs.source };
    let sessionCreateMs: number;
    let firstRunMs: number;
    let result: LoopResult;
    let peakRssMB: number | undefined;
    if (selfTiming(session)) {
      const r = await session.bench(inputs.feeds, loop);
      sessionCreateMs = session.createMs;
      firstRunMs = r.firstRunMs;
      result = r;
      peakRssMB = (await session.peakRssMB()) ?? undefined;
      details.timedIn = 'browser page (tinybench in the page; CDP not timed)';
      details.rss = 'sum of per-process peaks (VmHWM) over the Chromium process tree; shared pages count once per process';
      details.sessionCreateIncludes = 'InferenceSession.create in the page (not Chromium start-up)';
    } else {
      sessionCreateMs = wallCreateMs;
      const s = session;
      const t1 = performance.now();
      await s.run(inputs.feeds);
      firstRunMs = performance.now() - t1;
      rss = Math.max(rss, process.memoryUsage.rss());
      result = await timeLoop(() => s.run(inputs.feeds), loop);
      rss = Math.max(rss, process.memoryUsage.rss());
      peakRssMB = rss / 2 ** 20;
      details.timedIn = 'node (tinybench around session.run)';
      details.rss = 'largest process RSS seen after creation, first run and the loop';
    }
    return {
      ...base,
      available: true,
      details,
      sessionCreateMs,
      firstRunMs,
      latencyMs: result.latencyMs,
      throughput: (batch * 1000) / result.latencyMs.mean,
      ...(peakRssMB !== undefined ? { peakRssMB } : {}),
      samplesMs: result.samples,
    };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return { ...base, available: false, reason: [err.message, err.hint].filter(Boolean).join('; '), details: {} };
  } finally {
    await session?.release();
  }
}

function validatePlan(plan: BenchPlan): void {
  if (plan.models.length === 0) throw new UserError('no models to benchmark');
  if (plan.backends.length === 0) throw new UserError('no backends to benchmark');
  for (const b of plan.batches) if (!Number.isInteger(b) || b < 1) throw new UserError(`batch sizes must be positive integers (got ${b})`);
  for (const t of plan.threads) if (!Number.isInteger(t) || t < 1) throw new UserError(`thread counts must be positive integers (got ${t})`);
  if (plan.batches.length === 0) throw new UserError('no batch sizes given');
  const { iterations, timeMs, warmup } = plan.loop;
  if (timeMs === undefined && !(Number.isInteger(iterations) && (iterations as number) >= 1)) throw new UserError(`iterations must be a positive integer (got ${iterations})`);
  if (timeMs !== undefined && !(timeMs > 0)) throw new UserError(`--time must be a positive number of ms (got ${timeMs})`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new UserError(`warm-up must be a non-negative integer (got ${warmup})`);
}
