import { GraphBuilder, Prng, sha256 } from '@affectbench/core';
import type { BenchModel } from './runner.ts';

/**
 * The calibration model: a fixed small conv net timed in every run beside the real models. The regression gate
 * divides each latency by this row's latency from the same run, so a slower or busier machine does not read as a
 * regression. Its bytes never change (fixed seed, fixed graph), so its sha256 identifies it across runs.
 */
export const CALIBRATION_ID = 'calibration';

const SIZE = 64;

let cached: Uint8Array | null = null;

export function calibrationBytes(): Uint8Array {
  if (cached) return cached;
  const g = new GraphBuilder('calibration');
  const rng = new Prng(20261123);
  const weights = (n: number, fanIn: number) => {
    const w = new Float32Array(n);
    const s = Math.sqrt(2 / fanIn);
    for (let i = 0; i < n; i++) w[i] = (rng.next() * 2 - 1) * s;
    return w;
  };
  let x = g.input('input', ['batch', 3, SIZE, SIZE]);
  let channels = 3;
  // Four conv-relu stages, stride 2 from the second on: a few ms on one CPU core, dominated by convolution like the real models.
  for (const [i, out] of [16, 32, 64, 128].entries()) {
    const w = g.weight(`conv${i}.weight`, [out, channels, 3, 3], weights(out * channels * 9, channels * 9));
    const b = g.weight(`conv${i}.bias`, [out], new Float32Array(out));
    x = g.op('Relu', [g.op('Conv', [x, w, b], { pads: [1, 1, 1, 1], strides: i === 0 ? [1, 1] : [2, 2] })]);
    channels = out;
  }
  const pooled = g.op('Flatten', [g.op('GlobalAveragePool', [x])]);
  const fc = g.weight('fc.weight', [8, channels], weights(8 * channels, channels));
  const fcb = g.weight('fc.bias', [8], new Float32Array(8));
  g.op('Gemm', [pooled, fc, fcb], { transB: 1 }, 'output');
  g.output('output', ['batch', 8]);
  cached = g.toBytes({ opset: 13, metadata: { weights: 'synthetic', 'affectbench.model': CALIBRATION_ID }, docString: 'affectbench calibration model: fixed graph and weights, a yardstick for machine speed' });
  return cached;
}

export function calibrationModel(): BenchModel {
  const bytes = calibrationBytes();
  return {
    label: CALIBRATION_ID,
    model: bytes,
    provenance: { id: CALIBRATION_ID, file: null, sha256: sha256(bytes), bytes: bytes.length, weights: 'synthetic' },
    inputs: (batch) => {
      // A fixed ramp, not zeros (zeros can take fast paths in some kernels).
      const data = new Float32Array(batch * 3 * SIZE * SIZE);
      for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 255) / 255 - 0.5;
      return { feeds: { input: { data, dims: [batch, 3, SIZE, SIZE] } }, source: 'fixed ramp' };
    },
  };
}
