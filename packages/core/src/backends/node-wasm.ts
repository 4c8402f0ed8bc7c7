import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-common';
import { UserError } from '../errors.ts';
import { packageVersion } from '../provenance.ts';
import { firstLine, probeWith } from './node-ort.ts';
import { OrtSession, type TensorCtor, prepareModel, probeGraph } from './ort-session.ts';
import type { Backend, BackendInfo, SessionOptions } from './types.ts';

type OrtWeb = typeof import('onnxruntime-web');

let ortWeb: Promise<OrtWeb> | undefined;
/**
 * onnxruntime-web keeps one global `env` and initialises its WebAssembly module once per process, reading
 * env.wasm.numThreads at that moment. So the first session fixes the thread count for every later node-wasm session in
 * the process; a later request for a different count cannot be honoured and is refused rather than silently ignored.
 * To compare thread counts, run each in its own process. probe() runs in a worker thread so it fixes nothing.
 */
let fixed: { threads: number; simd: boolean } | undefined;

function loadOrtWeb(): Promise<OrtWeb> {
  ortWeb ??= import('onnxruntime-web').catch((err) => {
    ortWeb = undefined;
    throw new UserError(`onnxruntime-web cannot be loaded: ${(err as Error).message}`, { hint: 'npm install (from the repository root)' });
  });
  return ortWeb;
}

/** onnxruntime-web's default: half the cores, at most 4. */
function defaultThreads(): number {
  return Math.min(4, Math.ceil(os.availableParallelism() / 2));
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const ort = await import(workerData.ortUrl);
  ort.env.wasm.numThreads = workerData.threads;
  const t0 = performance.now();
  const s = await ort.InferenceSession.create(workerData.bytes, { executionProviders: ['wasm'] });
  const feeds = {};
  for (const [name, t] of Object.entries(workerData.feeds)) feeds[name] = new ort.Tensor('float32', t.data, t.dims);
  await s.run(feeds);
  await s.release();
  parentPort.postMessage({ ok: true, ms: performance.now() - t0 });
})().catch((err) => parentPort.postMessage({ ok: false, message: String(err && err.message || err) }));
`;

async function probeInWorker(): Promise<BackendInfo> {
  const details = { executionProvider: 'wasm', threads: defaultThreads(), simd: true, runtime: `onnxruntime-web ${packageVersion('onnxruntime-web')}`, probedIn: 'worker thread' };
  try {
    const ortUrl = pathToFileURL(createRequire(import.meta.url).resolve('onnxruntime-web')).href;
    const { bytes, feeds } = probeGraph();
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortUrl, bytes, feeds, threads: details.threads } });
    try {
      const answer = await new Promise<{ ok: boolean; ms?: number; message?: string }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`probe worker exited with code ${code}`)));
      });
      if (!answer.ok) return { name: 'node-wasm', available: false, reason: `onnxruntime-web cannot run the probe graph: ${answer.message}`, details };
      return { name: 'node-wasm', available: true, details: { ...details, probeMs: Math.round(answer.ms ?? 0) } };
    } finally {
      await worker.terminate();
    }
  } catch (err) {
    return { name: 'node-wasm', available: false, reason: `onnxruntime-web cannot be loaded: ${(err as Error).message}`, details };
  }
}

/** onnxruntime-web's WebAssembly EP running inside Node (no browser): the same kernels browser-wasm runs. */
export const nodeWasm: Backend = {
  name: 'node-wasm',

  probe() {
    // Probing in this process would fix the thread count for every later session (see `fixed`); a worker thread has
    // its own onnxruntime-web instance, so the probe leaves this process's choice open.
    if (!fixed) return probeInWorker();
    return probeWith('node-wasm', (bytes) => this.createSession(bytes, { threads: fixed?.threads }), { executionProvider: 'wasm' });
  },

  async createSession(model, options: SessionOptions = {}) {
    const ort = await loadOrtWeb();
    const threads = options.threads ?? fixed?.threads ?? defaultThreads();
    // onnxruntime-web 1.30 ships only SIMD builds (ort-wasm-simd-threaded*.wasm): simd=false has no build to load.
    const simd = options.simd ?? true;
    if (!simd) throw new UserError('node-wasm: onnxruntime-web 1.30 ships only SIMD WebAssembly builds, so simd=false cannot be run');
    if (fixed && fixed.threads !== threads) {
      throw new UserError(`node-wasm: this process already initialised onnxruntime-web with ${fixed.threads} thread(s); ${threads} cannot be applied`, {
        hint: 'onnxruntime-web has one global env read once; run each thread count in its own process',
      });
    }
    if (!fixed) {
      ort.env.wasm.numThreads = threads;
      ort.env.wasm.simd = simd;
    }
    const prepared = prepareModel(model, options);
    let session: InferenceSession;
    try {
      session = typeof prepared === 'string'
        ? await ort.InferenceSession.create(prepared, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' })
        : await ort.InferenceSession.create(prepared, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    } catch (err) {
      const label = typeof model === 'string' ? model : 'model bytes';
      throw new UserError(`node-wasm: cannot create a session for ${label}: ${firstLine((err as Error).message)}`, { cause: err });
    }
    fixed ??= { threads, simd };
    return new OrtSession('node-wasm', session as InferenceSession, ort.Tensor as unknown as TensorCtor, {
      executionProvider: 'wasm',
      threads,
      simd,
      envScope: 'process-global (first session fixes threads)',
      runtime: `onnxruntime-web ${packageVersion('onnxruntime-web')}`,
    });
  },
};
