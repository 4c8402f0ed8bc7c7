import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ModelRecord } from '@affectbench/core';
import type { Sample } from '../datasets/types.ts';
import { type PrepareOptions, type PreparedSample, prepareSample } from './preprocess.ts';

/** A sample that could not be prepared (unreadable image, broken clip): counted, not fatal. */
export class PrepareError extends Error {
  constructor(readonly sampleId: string, message: string, readonly userFacing: boolean) {
    super(message);
  }
}

/** Default pool size: one core stays free for inference. */
export const defaultWorkers = (): number => Math.max(1, (os.availableParallelism?.() ?? os.cpus().length) - 1);

/**
 * Workers run the TypeScript sources: node 20 cannot start a worker from a .ts entry even with `--import tsx` in
 * execArgv (the entry's format is decided before the hooks register), so a one-line JS bootstrap registers tsx's
 * loader and then imports the real entry, as bin/affectbench.js does for the CLI.
 */
// Resolved when the first worker starts, not at import: commands that never preprocess in workers must not need tsx.
const bootstrap = () => `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); });`;

type Pending = { resolve: (r: PreparedSample) => void; reject: (e: Error) => void; id: string };

/**
 * Decoding + preprocessing in worker threads. `size` 0 prepares on the calling thread (debugging, tiny runs).
 */
export class PreparePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly load: number[] = [];
  private seq = 0;

  constructor(private readonly record: ModelRecord, private readonly opts: PrepareOptions, readonly size = defaultWorkers()) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(bootstrap(), { eval: true, workerData: { record, opts } });
      w.on('message', (m: { seq: number; ok: boolean; result?: PreparedSample; error?: string; user?: boolean }) => {
        const p = this.pending.get(m.seq);
        if (!p) return;
        this.pending.delete(m.seq);
        this.load[i] -= 1;
        if (m.ok && m.result) p.resolve(m.result);
        else p.reject(new PrepareError(p.id, m.error ?? 'unknown error', Boolean(m.user)));
      });
      w.on('error', (err) => {
        for (const [s, p] of this.pending) {
          p.reject(err);
          this.pending.delete(s);
        }
      });
      this.workers.push(w);
      this.load.push(0);
    }
  }

  prepare(sample: Sample): Promise<PreparedSample> {
    if (this.size === 0) {
      return prepareSample(sample, this.record, this.opts).catch((err: Error) => {
        throw new PrepareError(sample.id, err.message, err.name === 'BadFileError' || err.name === 'UserError');
      });
    }
    // Least-loaded worker: a slow clip does not hold up the images queued behind it.
    let w = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.load[i] < this.load[w]) w = i;
    const seq = this.seq++;
    this.load[w] += 1;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, id: sample.id });
      this.workers[w].postMessage({ seq, sample });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
