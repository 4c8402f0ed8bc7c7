import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ABAW_MISSING, ccc, createRng } from '../src/metrics/index.ts';
import { ABAW_MTL_HEADS, cccLossGrad, type MtlData, predictMtl, trainMtlHeads } from '../src/protocols/index.ts';

test('the CCC loss gradient matches finite differences, masked entries get 0', () => {
  const rng = createRng(5);
  const m = 12;
  const t = Float64Array.from({ length: m }, () => rng.normal() * 0.4);
  const p = Float64Array.from({ length: m }, (_, i) => 0.6 * t[i] + rng.normal() * 0.2 + 0.1);
  const ok = Array.from({ length: m }, (_, i) => i % 5 !== 2);
  const idx = ok.flatMap((v, i) => (v ? [i] : []));
  const g = new Float32Array(m);
  const c = cccLossGrad(t, p, ok, g, 1);
  assert.ok(Math.abs(c - ccc(t, p, idx)) < 1e-9);
  for (let i = 0; i < m; i++) {
    const h = 1e-6;
    const q = Float64Array.from(p);
    q[i] += h;
    const up = 1 - ccc(t, q, idx);
    q[i] -= 2 * h;
    const down = 1 - ccc(t, q, idx);
    const fd = ok[i] ? (up - down) / (2 * h) : 0;
    assert.ok(Math.abs(g[i] - fd) < 1e-5, `grad[${i}] ${g[i]} vs ${fd}`);
  }
});

/** Frames whose features carry the labels through a fixed random projection, with ABAW's missing codes. */
function synthetic(seed: number, n: number, dim: number): MtlData {
  const proj = createRng(1234);
  const W = Array.from({ length: 8 + 2 + 12 }, () => Array.from({ length: dim }, () => proj.normal()));
  const rng = createRng(seed);
  const features = new Float32Array(n * dim);
  const valence = new Float64Array(n);
  const arousal = new Float64Array(n);
  const expression = new Int32Array(n);
  const au = new Int32Array(n * 12);
  for (let i = 0; i < n; i++) {
    const e = rng.int(8);
    const v = Math.tanh(rng.normal());
    const a = Math.tanh(rng.normal());
    const latent = [...Array.from({ length: 8 }, (_, k) => (k === e ? 1.5 : 0)), v, a];
    for (let k = 0; k < 12; k++) {
      const on = rng.next() < 0.3 ? 1 : 0;
      au[i * 12 + k] = rng.next() < 0.2 ? ABAW_MISSING.au : on;
      latent.push(on * 1.2);
    }
    for (let j = 0; j < dim; j++) {
      let s = rng.normal() * 0.5;
      for (let k = 0; k < latent.length; k++) s += (latent[k] * W[k][j]) / Math.sqrt(latent.length);
      features[i * dim + j] = s;
    }
    expression[i] = rng.next() < 0.3 ? ABAW_MISSING.expression : e;
    const vaMissing = rng.next() < 0.15;
    valence[i] = vaMissing ? ABAW_MISSING.va : v;
    arousal[i] = vaMissing ? ABAW_MISSING.va : a;
  }
  return { n, dim, features, valence, arousal, expression, au };
}

test('MTL heads learn from cached features, deterministically for a seed', () => {
  const train = synthetic(1, 1500, 32);
  const val = synthetic(2, 500, 32);
  // A larger step than the paper's 1e-3 so a few hundred steps suffice in a test.
  const opts = { epochs: 6, seed: 3, auHidden: 32, batchSize: 64, learningRate: 1e-2 };
  const a = trainMtlHeads(train, val, opts);
  const b = trainMtlHeads(train, val, opts);
  assert.deepEqual(a.score, b.score, 'same seed, same result');
  assert.deepEqual(Array.from(a.heads.au.w), Array.from(b.heads.au.w));
  assert.equal(a.history.length, 6);
  // chance level: CCC ≈ 0, macro-F1 ≈ 1/8, AU F1 ≈ 0.3–0.45 → P_MTL well under 0.6
  assert.ok(a.score.va > 0.5, `VA CCC ${a.score.va}`);
  assert.ok(a.score.expression > 0.5, `expression F1 ${a.score.expression}`);
  assert.ok(a.score.au > 0.6, `AU F1 ${a.score.au}`);
  assert.ok(a.score.pMtl > 2, `P_MTL ${a.score.pMtl}`);
  for (const k of ['expression', 'va', 'au'] as const) assert.ok(a.bestEpoch[k] >= 1 && a.bestEpoch[k] <= 6);
  const p = predictMtl(a.heads, val);
  assert.ok(p.valence.every((v) => v >= -1 && v <= 1) && p.auProb.every((v) => v >= 0 && v <= 1));
  const other = trainMtlHeads(train, val, { ...opts, seed: 4 });
  assert.notDeepEqual(other.score, a.score);
});

test('VA head on a slice sees only those columns; bad shapes are UserErrors', () => {
  const train = synthetic(1, 300, 16);
  const val = synthetic(2, 200, 16);
  const r = trainMtlHeads(train, val, { epochs: 1, vaSlice: [4, 6], auHidden: 8 });
  assert.equal(r.heads.va.inputs, 6);
  assert.throws(() => trainMtlHeads(train, val, { vaSlice: [10, 10] }), /VA slice/);
  assert.throws(() => trainMtlHeads({ ...train, au: new Int32Array(5) }, val), /au has 5 values/);
  assert.equal(ABAW_MTL_HEADS.requiresTraining, true);
  assert.ok(ABAW_MTL_HEADS.cells.some((c) => c.model === 'enet_b0_8_va_mtl' && c.value === 1.276));
});
