import { join } from 'node:path';
import { BACKEND_NAMES, type BackendName, Progress, UserError, writeJsonAtomic } from '@affectbench/core';
import { type BenchRowWithSamples, DEFAULT_BACKENDS, DEFAULT_LOOP, THREADED_BACKENDS, benchModels, calibrationModel, runBench } from '@affectbench/bench';
import { type Command, emit, table } from '../command.ts';

const num = (v: number | undefined, digits = 2) => (v === undefined ? '–' : v.toFixed(digits));

function backendList(names: readonly string[]): BackendName[] {
  for (const n of names) if (!(BACKEND_NAMES as readonly string[]).includes(n)) throw new UserError(`unknown backend "${n}"`, { hint: `backends: ${BACKEND_NAMES.join(', ')}` });
  return names as BackendName[];
}

function intList(flag: string, values: readonly string[]): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`--${flag} takes positive integers (got "${v}")`);
    return n;
  });
}

function adapterNote(row: BenchRowWithSamples): string {
  // Browser rows carry GPUAdapterInfo; node-webgpu describes its Vulkan driver in words.
  const a = row.details.adapter as { vendor?: string; architecture?: string } | string | null | undefined;
  if (typeof a === 'string') return `adapter: ${a}`;
  return a ? `adapter ${a.vendor || '?'}/${a.architecture || '?'}` : '';
}

export const bench: Command = {
  path: ['bench'],
  summary: 'latency of models across node and browser backends (session creation, cold run, warm statistics)',
  usage: '[--models a,b] [--backends node-cpu,browser-wasm,...] [--batch 1,8] [--threads 1,2] [--iterations N | --time MS] [--warmup N] [--out DIR] [--json]',
  options: {
    models: { type: 'list', description: 'registry ids or ONNX paths; a registry id uses the store\'s real file, else its architecture twin (default: the eight HSEmotion models)' },
    backends: { type: 'list', description: `backends to time (any of ${BACKEND_NAMES.join(', ')})`, default: [...DEFAULT_BACKENDS] },
    batch: { type: 'list', description: 'batch sizes', default: ['1'] },
    threads: { type: 'list', description: `thread counts for ${[...THREADED_BACKENDS].join(', ')} (default: each backend's own)` },
    iterations: { type: 'number', description: `timed runs per row (default ${DEFAULT_LOOP.iterations})` },
    time: { type: 'number', description: 'time budget per row in ms (instead of --iterations)' },
    warmup: { type: 'number', description: 'untimed runs before timing', default: DEFAULT_LOOP.warmup },
    out: { type: 'string', description: 'directory for bench-<date>.json', default: 'results' },
    calibration: { type: 'boolean', description: 'also time the fixed calibration model (the regression gate divides latencies by it)', default: true },
  },
  async run(args, io) {
    const o = args.options;
    const modelSpecs = Array.isArray(o.models) ? o.models : undefined;
    const backends = backendList(o.backends as string[]);
    const batches = intList('batch', o.batch as string[]);
    const threads = intList('threads', (o.threads as string[] | undefined) ?? []);
    const time = o.time as number | undefined;
    if (time !== undefined && o.iterations !== undefined) throw new UserError('give --iterations or --time, not both');
    if (args.positionals.length > 0) throw new UserError(`bench takes no positional arguments (got ${args.positionals.join(' ')})`, { hint: 'name models with --models a,b' });
    const warmup = o.warmup as number;
    const loop = time !== undefined ? { timeMs: time, warmup } : { iterations: (o.iterations as number | undefined) ?? DEFAULT_LOOP.iterations, warmup };
    const models = o.calibration ? [calibrationModel(), ...benchModels(modelSpecs)] : benchModels(modelSpecs);
    io.err(`bench: probing ${backends.join(', ')}`);
    let progress: Progress | null = null;
    const result = await runBench({
      models,
      backends,
      batches,
      threads,
      loop,
      command: ['affectbench', 'bench', ...process.argv.slice(3)],
      onRow: (e) => {
        progress ??= new Progress('bench', e.total, { unit: 'rows' });
        if (e.phase === 'start') return;
        const r = e.row as BenchRowWithSamples;
        progress.tick(1, `${e.model} ${e.backend}${e.threads ? ` t=${e.threads}` : ''} b=${e.batch}: ${r.available ? `p50 ${num(r.latencyMs?.p50)} ms` : 'unavailable'}`);
      },
    });
    (progress as Progress | null)?.finish();
    const stamp = result.provenance.date.slice(0, 19).replace(/:/g, '-');
    const file = join(o.out as string, `bench-${stamp}.json`);
    writeJsonAtomic(file, result);
    io.err(`wrote ${file}`);
    emit(io, result, () =>
      table(
        result.rows.map((r) => [
          r.model.id ?? r.model.file ?? r.model.sha256.slice(0, 12),
          r.model.weights,
          r.backend,
          r.threads === undefined ? '–' : String(r.threads),
          String(r.batch),
          ...(r.available
            ? [num(r.sessionCreateMs, 0), num(r.firstRunMs), num(r.latencyMs?.p50), num(r.latencyMs?.p90), num(r.latencyMs?.p99), `${num(r.latencyMs?.rme, 1)}%`, num(r.throughput, 1), num(r.peakRssMB, 0), adapterNote(r)]
            : ['', '', '', '', '', '', '', '', `unavailable: ${r.reason}`]),
        ]),
        ['model', 'weights', 'backend', 'thr', 'batch', 'create ms', 'first ms', 'p50 ms', 'p90 ms', 'p99 ms', '±rme', 'img/s', 'RSS MB', 'note'],
      ),
    );
    return 0;
  },
};
