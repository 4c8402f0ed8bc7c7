import { parentPort, workerData } from 'node:worker_threads';
import type { ModelRecord } from '@affectbench/core';
import type { Sample } from '../datasets/types.ts';
import { type PrepareOptions, prepareSample } from './preprocess.ts';

/** Worker-thread entry: decodes and preprocesses samples so the main thread only runs the model. */
const { record, opts } = workerData as { record: ModelRecord; opts: PrepareOptions };

parentPort?.on('message', async (msg: { seq: number; sample: Sample }) => {
  try {
    const r = await prepareSample(msg.sample, record, opts);
    parentPort?.postMessage({ seq: msg.seq, ok: true, result: r }, [r.data.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort?.postMessage({ seq: msg.seq, ok: false, error: (err as Error).message, user: (err as { name?: string }).name === 'BadFileError' || (err as { name?: string }).name === 'UserError' });
  }
});
