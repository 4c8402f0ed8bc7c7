import { readFileSync, readdirSync } from 'node:fs';
import { GraphBuilder, type TensorData } from '@affectbench/core';

/** Conv → Relu → GlobalAveragePool → Flatten → Gemm on [N,3,8,8]: small, but with real kernels and a dynamic batch. */
export function tinyModel(): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('input', ['N', 3, 8, 8]);
  const w = g.weight('w', [4, 3, 3, 3], Float32Array.from({ length: 108 }, (_, i) => Math.sin(i * 0.7) * 0.5));
  const b = g.weight('b', [4], Float32Array.from([0.1, -0.2, 0.05, 0]));
  const conv = g.op('Conv', [x, w, b], { pads: [1, 1, 1, 1] });
  const pooled = g.op('GlobalAveragePool', [g.op('Relu', [conv])]);
  const flat = g.op('Flatten', [pooled], { axis: 1 });
  const fc = g.weight('fc', [3, 4], Float32Array.from({ length: 12 }, (_, i) => Math.cos(i) * 0.3));
  g.output(g.op('Gemm', [flat, fc], { transB: 1 }, 'output'), ['N', 3]);
  return g.toBytes();
}

/** Deterministic, non-constant input in [0,1) for the tiny model. */
export function tinyInput(batch: number): Record<string, TensorData> {
  const n = batch * 3 * 8 * 8;
  return { input: { data: Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000) / 1000), dims: [batch, 3, 8, 8] } };
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids whose command line contains `needle` (Linux /proc), e.g. every process of one Chromium profile. */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle)) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
