import os from 'node:os';
import type { InferenceSession } from 'onnxruntime-common';
import { UserError } from '../errors.ts';
import { packageVersion } from '../provenance.ts';
import { firstLine, probeWith } from './node-ort.ts';
import { OrtSession, type TensorCtor, prepareModel } from './ort-session.ts';
import type { Backend, SessionOptions } from './types.ts';

type OrtWeb = typeof import('onnxruntime-web');

let ortWeb: Promise<OrtWeb> | undefined;
/**
 * onnxruntime-web keeps one global `env` and initialises its WebAssembly module once per process, reading
 * env.wasm.numThreads at that moment. So the first session fixes the thread count for every later node-wasm session in
 * the process; a later request for a different count cannot be honoured and is refused rather than silently ignored.
 * To compare thread counts, run each in its own process.
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

/** onnxruntime-web's WebAssembly EP running inside Node (no browser): the same kernels browser-wasm runs. */
export const nodeWasm: Backend = {
  name: 'node-wasm',

  probe() {
    return probeWith('node-wasm', (bytes) => this.createSession(bytes, fixed ? { threads: fixed.threads } : {}), { executionProvider: 'wasm' });
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
