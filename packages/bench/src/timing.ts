import { Bench, type Statistics } from 'tinybench';
import type { LatencyStats } from '@affectbench/core';

/**
 * The one warm-latency loop, used in Node and (bundled) inside the browser page so both sides
 * measure the same way: tinybench around a single `run()` call per sample.
 */
export interface LoopOptions {
  /** Exact number of timed samples. Ignored when `timeMs` is set. */
  iterations?: number;
  /** Time budget for the timed loop, ms (at least one sample). */
  timeMs?: number;
  /** Untimed runs before the loop. */
  warmup: number;
}

export interface LoopResult {
  latencyMs: LatencyStats;
  /** Raw samples, ms, in the order they were taken. */
  samples: number[];
}

export const DEFAULT_LOOP: Readonly<LoopOptions> = { iterations: 50, warmup: 5 };

export async function timeLoop(run: () => Promise<unknown>, opts: LoopOptions): Promise<LoopResult> {
  const byTime = opts.timeMs !== undefined;
  const iterations = byTime ? 1 : (opts.iterations ?? DEFAULT_LOOP.iterations ?? 1);
  if (!(iterations >= 1)) throw new Error(`iterations must be at least 1 (got ${iterations})`);
  if (byTime && !((opts.timeMs as number) > 0)) throw new Error(`time budget must be positive (got ${opts.timeMs} ms)`);
  const order: number[] = [];
  const bench = new Bench({
    // iterations and time are both minimums in tinybench's sequential mode: set the other one to zero.
    iterations,
    time: byTime ? (opts.timeMs as number) : 0,
    warmup: opts.warmup > 0,
    warmupIterations: opts.warmup,
    warmupTime: 0,
    retainSamples: true,
    throws: true,
  });
  bench.add('run', async () => {
    const t0 = bench.now();
    await run();
    const ms = bench.now() - t0;
    order.push(ms);
    return { overriddenDuration: ms };
  });
  await bench.run();
  const task = bench.tasks[0];
  const result = task.result;
  if (result.state !== 'completed') {
    throw new Error(`benchmark loop did not complete (${result.state}${'error' in result ? `: ${result.error.message}` : ''})`);
  }
  // The task fn also runs during warm-up: the timed samples are the last ones recorded.
  const samples = order.slice(order.length - result.latency.samplesCount);
  return { latencyMs: latencyStats(result.latency), samples };
}

/** tinybench's statistics plus p90, interpolated the way tinybench computes its own percentiles. */
export function latencyStats(s: Statistics): LatencyStats {
  const sorted = s.samples;
  if (!sorted) throw new Error('tinybench kept no samples (retainSamples is off)');
  return {
    mean: s.mean,
    p50: s.p50,
    p90: quantile(sorted, 0.9),
    p99: s.p99,
    min: s.min,
    max: s.max,
    sd: s.sd,
    rme: s.rme,
    samples: s.samplesCount,
  };
}

/** Linear interpolation between closest ranks (R type 7), on ascending samples. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}
