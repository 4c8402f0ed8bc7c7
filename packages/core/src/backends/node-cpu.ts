import os from 'node:os';
import { createNodeSession, probeWith } from './node-ort.ts';
import type { Backend, SessionOptions } from './types.ts';

/** onnxruntime-node on its CPU execution provider. */
export const nodeCpu: Backend = {
  name: 'node-cpu',

  probe() {
    return probeWith('node-cpu', (bytes) => this.createSession(bytes, { threads: 1 }), { executionProvider: 'cpu', cores: os.availableParallelism() });
  },

  createSession(model, options: SessionOptions = {}) {
    return createNodeSession(
      'node-cpu',
      model,
      options,
      {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        // 0 = onnxruntime's default (one thread per physical core); recorded as such so results say what ran.
        intraOpNumThreads: options.threads ?? 0,
      },
      { executionProvider: 'cpu', graphOptimizationLevel: 'all', intraOpNumThreads: options.threads ?? 'onnxruntime default (physical cores)' },
    );
  },
};
