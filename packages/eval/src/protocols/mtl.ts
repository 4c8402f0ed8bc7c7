import { UserError } from '@affectbench/core';
import { ABAW_AUS, ABAW_EXPRESSIONS, ABAW_MISSING, binaryF1, type MtlScore, mtlScore } from '../metrics/abaw.ts';
import { ccc } from '../metrics/ccc.ts';
import { macroF1 } from '../metrics/classification.ts';
import { createRng, type Rng } from '../metrics/random.ts';

/**
 * ABAW-4 multi-task heads on cached frame features ("MTL model 2", hsemotion-protocols.md addendum 1):
 * EXPR Dense(8, softmax) on all features; VA Dense(2, tanh) on a slice (the model's own 10 outputs for
 * enet_b0_8_va_mtl); AU Dense(128, relu) → Dense(12, sigmoid). Each head trains on its own, with Adam
 * (1e-3, Keras' β and ε), batch 256, masked losses, and keeps the epoch with the best validation metric
 * (macro-F1, mean CCC, mean AU F1). Everything random (init, batch order) comes from one seed.
 *
 * Assumptions where the notebooks are not explicit: class weights are sklearn's 'balanced'
 * (n / (K·count)); the AU loss weighs positives and negatives per AU the same way; Glorot-uniform init,
 * zero biases (Keras defaults). Expect the paper's ±0.01–0.05 spread between runs with other seeds.
 */
export interface MtlData {
  n: number;
  dim: number;
  /** Row-major n×dim. */
  features: Float32Array;
  /** −5 where missing. */
  valence: ArrayLike<number>;
  arousal: ArrayLike<number>;
  /** 0..7, −1 where missing. */
  expression: ArrayLike<number>;
  /** Row-major n×12: 0/1, −1 where missing. */
  au: ArrayLike<number>;
}

export interface MtlOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** [start, length] of the feature columns the VA head sees; default all. */
  vaSlice?: [number, number];
  auHidden?: number;
  /** Called after each epoch with the validation metrics (for progress). */
  onEpoch?: (e: MtlEpoch) => void;
}

export interface MtlEpoch {
  epoch: number;
  expressionF1: number;
  vaCcc: number;
  auF1: number;
}

/** A dense layer, weights row-major [in][out]. */
export interface Dense {
  inputs: number;
  outputs: number;
  w: Float32Array;
  b: Float32Array;
}

export interface MtlHeads {
  expression: Dense;
  va: Dense;
  vaSlice: [number, number];
  auHidden: Dense;
  au: Dense;
}

export interface MtlTrainResult {
  heads: MtlHeads;
  bestEpoch: { expression: number; va: number; au: number };
  history: MtlEpoch[];
  /** P_MTL and its parts on the validation data, each head at its best epoch. */
  score: MtlScore;
}

/** The self-describing protocol record for the MTL column. */
export const ABAW_MTL_HEADS = {
  name: 'abaw4-mtl-heads',
  description:
    'ABAW-4 MTL on s-Aff-Wild2: frozen features (embedding ++ model outputs) per cropped_aligned frame; separate EXPR Dense(8,softmax), VA Dense(2,tanh) on a slice, AU Dense(128,relu)→Dense(12,sigmoid) heads, Adam 1e-3, batch 256, 20 epochs, best epoch by validation metric; P_MTL = mean CCC(V,A) + macro-F1(8 expressions) + mean F1(12 AUs @0.5) on validation',
  requiresTraining: true,
  defaults: { epochs: 20, batchSize: 256, learningRate: 1e-3, auHidden: 128 },
  cells: [
    { model: 'enet_b0_8_va_mtl', column: 'mtl', value: 1.276, vaSlice: [1280, 10], evidence: 'printed' },
    { model: 'mobilenet_7', column: 'mtl', value: 1.099, evidence: 'printed (MTL model 1 heads)' },
    { model: 'enet_b0_8_best_afew', column: 'mtl', value: 1.11, evidence: 'printed (MTL model 1 heads)' },
    { model: 'enet_b0_8_best_vgaf', column: 'mtl', value: 1.123, evidence: 'printed (MTL model 1 heads)' },
    { model: 'enet_b2_8', column: 'mtl', value: 1.147, evidence: 'printed (MTL model 1 heads)' },
    { model: 'enet_b2_7', column: 'mtl', value: 1.134, evidence: 'printed (MTL model 1 heads)' },
  ],
} as const;

const N_EXPR = ABAW_EXPRESSIONS.length;
const N_AU = ABAW_AUS.length;

function dense(inputs: number, outputs: number, rng: Rng): Dense {
  const w = new Float32Array(inputs * outputs);
  const limit = Math.sqrt(6 / (inputs + outputs));
  for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * limit;
  return { inputs, outputs, w, b: new Float32Array(outputs) };
}

const cloneDense = (d: Dense): Dense => ({ inputs: d.inputs, outputs: d.outputs, w: d.w.slice(), b: d.b.slice() });

/** out[r, :] = b + x[rows[r], off:off+inputs] · W, for r < count. */
function forward(d: Dense, x: Float32Array, stride: number, off: number, rows: ArrayLike<number>, count: number, out: Float32Array): void {
  const { inputs, outputs, w, b } = d;
  for (let r = 0; r < count; r++) {
    const o = r * outputs;
    for (let j = 0; j < outputs; j++) out[o + j] = b[j];
    const xo = rows[r] * stride + off;
    for (let i = 0; i < inputs; i++) {
      const xv = x[xo + i];
      if (xv === 0) continue;
      const wo = i * outputs;
      for (let j = 0; j < outputs; j++) out[o + j] += xv * w[wo + j];
    }
  }
}

/** Gradients of a dense layer from dOut; optionally dX. */
function backward(
  d: Dense,
  x: Float32Array,
  stride: number,
  off: number,
  rows: ArrayLike<number>,
  count: number,
  dOut: Float32Array,
  gw: Float32Array,
  gb: Float32Array,
  dX?: Float32Array,
): void {
  const { inputs, outputs, w } = d;
  gw.fill(0);
  gb.fill(0);
  for (let r = 0; r < count; r++) {
    const o = r * outputs;
    const xo = rows[r] * stride + off;
    for (let j = 0; j < outputs; j++) gb[j] += dOut[o + j];
    for (let i = 0; i < inputs; i++) {
      const xv = x[xo + i];
      const wo = i * outputs;
      if (xv !== 0) for (let j = 0; j < outputs; j++) gw[wo + j] += xv * dOut[o + j];
      if (dX) {
        let s = 0;
        for (let j = 0; j < outputs; j++) s += w[wo + j] * dOut[o + j];
        dX[r * inputs + i] = s;
      }
    }
  }
}

class Adam {
  private t = 0;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  constructor(
    private readonly params: Float32Array[],
    private readonly lr: number,
  ) {
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
  }
  step(grads: Float32Array[]): void {
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const eps = 1e-7;
    const lrT = (this.lr * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    this.params.forEach((p, k) => {
      const g = grads[k];
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < p.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        p[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + eps);
      }
    });
  }
}

function checkData(d: MtlData, what: string): void {
  if (d.features.length !== d.n * d.dim) throw new UserError(`${what}: features hold ${d.features.length} values, expected ${d.n}×${d.dim}`);
  for (const [k, arr, len] of [
    ['valence', d.valence, d.n],
    ['arousal', d.arousal, d.n],
    ['expression', d.expression, d.n],
    ['au', d.au, d.n * N_AU],
  ] as const) {
    if (arr.length !== len) throw new UserError(`${what}: ${k} has ${arr.length} values, expected ${len}`);
  }
}

const indicesWhere = (n: number, keep: (i: number) => boolean): Int32Array => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep(i)) out.push(i);
  return Int32Array.from(out);
};

function shuffle(a: Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/**
 * Writes scale·∂(1 − CCC)/∂pred into grad over the valid entries (0 elsewhere) and returns the CCC;
 * NaN (and grad untouched) with fewer than two valid entries.
 */
export function cccLossGrad(truth: ArrayLike<number>, pred: ArrayLike<number>, valid: ArrayLike<boolean>, grad: Float32Array, scale: number): number {
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < truth.length; i++) {
    if (!valid[i]) continue;
    m++;
    mx += truth[i];
    my += pred[i];
  }
  if (m < 2) return Number.NaN;
  mx /= m;
  my /= m;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < truth.length; i++) {
    if (!valid[i]) continue;
    const dx = truth[i] - mx;
    const dy = pred[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  sxy /= m;
  sxx /= m;
  syy /= m;
  const num = 2 * sxy;
  const den = sxx + syy + (mx - my) * (mx - my) + 1e-12;
  for (let i = 0; i < truth.length; i++) {
    if (!valid[i]) {
      grad[i] = 0;
      continue;
    }
    const dNum = (2 / m) * (truth[i] - mx);
    const dDen = (2 / m) * (pred[i] - my) - (2 / m) * (mx - my);
    grad[i] = (-scale * (dNum * den - num * dDen)) / (den * den);
  }
  return num / den;
}

export interface MtlPredictions {
  valence: Float32Array;
  arousal: Float32Array;
  expression: Int32Array;
  auProb: Float32Array;
}

export function predictMtl(heads: MtlHeads, data: MtlData): MtlPredictions {
  checkData(data, 'MTL features');
  const n = data.n;
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const out = {
    valence: new Float32Array(n),
    arousal: new Float32Array(n),
    expression: new Int32Array(n),
    auProb: new Float32Array(n * N_AU),
  };
  const chunk = 1024;
  const e = new Float32Array(chunk * N_EXPR);
  const va = new Float32Array(chunk * 2);
  const h = new Float32Array(chunk * heads.auHidden.outputs);
  const a = new Float32Array(chunk * N_AU);
  const hRows = Int32Array.from({ length: chunk }, (_, i) => i);
  for (let s = 0; s < n; s += chunk) {
    const c = Math.min(chunk, n - s);
    const r = rows.subarray(s, s + c);
    forward(heads.expression, data.features, data.dim, 0, r, c, e);
    forward(heads.va, data.features, data.dim, heads.vaSlice[0], r, c, va);
    forward(heads.auHidden, data.features, data.dim, 0, r, c, h);
    for (let i = 0; i < c * heads.auHidden.outputs; i++) if (h[i] < 0) h[i] = 0;
    forward(heads.au, h, heads.auHidden.outputs, 0, hRows, c, a);
    for (let i = 0; i < c; i++) {
      let best = 0;
      for (let j = 1; j < N_EXPR; j++) if (e[i * N_EXPR + j] > e[i * N_EXPR + best]) best = j;
      out.expression[s + i] = best;
      out.valence[s + i] = Math.tanh(va[i * 2]);
      out.arousal[s + i] = Math.tanh(va[i * 2 + 1]);
      for (let k = 0; k < N_AU; k++) out.auProb[(s + i) * N_AU + k] = 1 / (1 + Math.exp(-a[i * N_AU + k]));
    }
  }
  return out;
}

function validationMetrics(heads: MtlHeads, val: MtlData): MtlEpoch & { pred: MtlPredictions } {
  const p = predictMtl(heads, val);
  const eIdx = indicesWhere(val.n, (i) => val.expression[i] !== ABAW_MISSING.expression);
  const expressionF1 = eIdx.length
    ? macroF1(
        Array.from(eIdx, (i) => val.expression[i]),
        Array.from(eIdx, (i) => p.expression[i]),
        N_EXPR,
        Array.from({ length: N_EXPR }, (_, i) => i),
      )
    : Number.NaN;
  const vIdx = indicesWhere(val.n, (i) => val.valence[i] !== ABAW_MISSING.va);
  const aIdx = indicesWhere(val.n, (i) => val.arousal[i] !== ABAW_MISSING.va);
  const vaCcc = vIdx.length && aIdx.length ? (ccc(val.valence, p.valence, vIdx) + ccc(val.arousal, p.arousal, aIdx)) / 2 : Number.NaN;
  let auSum = 0;
  for (let k = 0; k < N_AU; k++) {
    const t: number[] = [];
    const q: boolean[] = [];
    for (let i = 0; i < val.n; i++) {
      const v = val.au[i * N_AU + k];
      if (v === ABAW_MISSING.au) continue;
      t.push(v);
      q.push(p.auProb[i * N_AU + k] >= 0.5);
    }
    auSum += binaryF1(t, q);
  }
  return { epoch: 0, expressionF1, vaCcc, auF1: auSum / N_AU, pred: p };
}

export function trainMtlHeads(train: MtlData, val: MtlData, opts: MtlOptions = {}): MtlTrainResult {
  checkData(train, 'MTL training features');
  checkData(val, 'MTL validation features');
  if (train.dim !== val.dim) throw new UserError(`MTL: training features have ${train.dim} dims, validation ${val.dim}`);
  const epochs = opts.epochs ?? ABAW_MTL_HEADS.defaults.epochs;
  const batch = opts.batchSize ?? ABAW_MTL_HEADS.defaults.batchSize;
  const lr = opts.learningRate ?? ABAW_MTL_HEADS.defaults.learningRate;
  const hidden = opts.auHidden ?? ABAW_MTL_HEADS.defaults.auHidden;
  const vaSlice: [number, number] = opts.vaSlice ?? [0, train.dim];
  if (vaSlice[0] < 0 || vaSlice[1] < 1 || vaSlice[0] + vaSlice[1] > train.dim) throw new UserError(`MTL: VA slice [${vaSlice}] is outside the ${train.dim} feature dims`);
  const { dim, features: x } = train;
  const rng = createRng(opts.seed ?? 0);
  const heads: MtlHeads = {
    expression: dense(dim, N_EXPR, rng),
    va: dense(vaSlice[1], 2, rng),
    vaSlice,
    auHidden: dense(dim, hidden, rng),
    au: dense(hidden, N_AU, rng),
  };

  // Class weights ('balanced'), over the annotated frames.
  const eRows = indicesWhere(train.n, (i) => train.expression[i] !== ABAW_MISSING.expression);
  const vaRows = indicesWhere(train.n, (i) => train.valence[i] !== ABAW_MISSING.va || train.arousal[i] !== ABAW_MISSING.va);
  const auRows = indicesWhere(train.n, (i) => {
    for (let k = 0; k < N_AU; k++) if (train.au[i * N_AU + k] !== ABAW_MISSING.au) return true;
    return false;
  });
  if (eRows.length === 0 || vaRows.length === 0 || auRows.length === 0) {
    throw new UserError(`MTL: every task needs annotated training frames (expression ${eRows.length}, VA ${vaRows.length}, AU ${auRows.length})`);
  }
  const eCount = new Float64Array(N_EXPR);
  for (const i of eRows) eCount[train.expression[i]]++;
  const eWeight = Float32Array.from(eCount, (c) => (c > 0 ? eRows.length / (N_EXPR * c) : 0));
  const auPos = new Float64Array(N_AU);
  const auAll = new Float64Array(N_AU);
  for (let i = 0; i < train.n; i++) {
    for (let k = 0; k < N_AU; k++) {
      const v = train.au[i * N_AU + k];
      if (v === ABAW_MISSING.au) continue;
      auAll[k]++;
      if (v === 1) auPos[k]++;
    }
  }
  const wPos = Float32Array.from(auPos, (p, k) => (p > 0 ? auAll[k] / (2 * p) : 0));
  const wNeg = Float32Array.from(auPos, (p, k) => (auAll[k] - p > 0 ? auAll[k] / (2 * (auAll[k] - p)) : 0));

  const grads = (d: Dense) => [new Float32Array(d.w.length), new Float32Array(d.b.length)];
  const [gEw, gEb] = grads(heads.expression);
  const [gVw, gVb] = grads(heads.va);
  const [gHw, gHb] = grads(heads.auHidden);
  const [gAw, gAb] = grads(heads.au);
  const adamE = new Adam([heads.expression.w, heads.expression.b], lr);
  const adamV = new Adam([heads.va.w, heads.va.b], lr);
  const adamA = new Adam([heads.auHidden.w, heads.auHidden.b, heads.au.w, heads.au.b], lr);

  const logits = new Float32Array(batch * N_EXPR);
  const vaOut = new Float32Array(batch * 2);
  const hid = new Float32Array(batch * hidden);
  const auOut = new Float32Array(batch * N_AU);
  const dHid = new Float32Array(batch * hidden);
  const col = { t: new Float32Array(batch), p: new Float32Array(batch), ok: new Array<boolean>(batch), g: new Float32Array(batch) };
  const local = Int32Array.from({ length: batch }, (_, i) => i);

  const best = { expression: -Infinity, va: -Infinity, au: -Infinity };
  const bestEpoch = { expression: 0, va: 0, au: 0 };
  const bestHeads = { expression: cloneDense(heads.expression), va: cloneDense(heads.va), auHidden: cloneDense(heads.auHidden), au: cloneDense(heads.au) };
  const history: MtlEpoch[] = [];

  for (let epoch = 1; epoch <= epochs; epoch++) {
    // EXPR: weighted softmax cross-entropy over annotated frames.
    shuffle(eRows, rng);
    for (let s = 0; s < eRows.length; s += batch) {
      const rows = eRows.subarray(s, s + batch);
      const m = rows.length;
      forward(heads.expression, x, dim, 0, rows, m, logits);
      for (let r = 0; r < m; r++) {
        const o = r * N_EXPR;
        let mx = -Infinity;
        for (let j = 0; j < N_EXPR; j++) mx = Math.max(mx, logits[o + j]);
        let z = 0;
        for (let j = 0; j < N_EXPR; j++) z += Math.exp(logits[o + j] - mx);
        const y = train.expression[rows[r]];
        const w = eWeight[y] / m;
        for (let j = 0; j < N_EXPR; j++) logits[o + j] = (w * Math.exp(logits[o + j] - mx)) / z - (j === y ? w : 0);
      }
      backward(heads.expression, x, dim, 0, rows, m, logits, gEw, gEb);
      adamE.step([gEw, gEb]);
    }
    // VA: 1 − mean CCC over the batch, valence and arousal masked separately.
    shuffle(vaRows, rng);
    for (let s = 0; s < vaRows.length; s += batch) {
      const rows = vaRows.subarray(s, s + batch);
      const m = rows.length;
      forward(heads.va, x, dim, vaSlice[0], rows, m, vaOut);
      for (let i = 0; i < m * 2; i++) vaOut[i] = Math.tanh(vaOut[i]);
      for (let c = 0; c < 2; c++) {
        const truth = c === 0 ? train.valence : train.arousal;
        for (let r = 0; r < m; r++) {
          col.t[r] = truth[rows[r]];
          col.p[r] = vaOut[r * 2 + c];
          col.ok[r] = truth[rows[r]] !== ABAW_MISSING.va;
        }
        // Loss 1 − (CCC_V + CCC_A)/2: each column's CCC gradient scaled by 1/2, then through tanh.
        const got = cccLossGrad(col.t.subarray(0, m), col.p.subarray(0, m), col.ok, col.g, 0.5);
        for (let r = 0; r < m; r++) {
          const y = col.p[r];
          vaOut[r * 2 + c] = Number.isNaN(got) ? 0 : col.g[r] * (1 - y * y);
        }
      }
      backward(heads.va, x, dim, vaSlice[0], rows, m, vaOut, gVw, gVb);
      adamV.step([gVw, gVb]);
    }
    // AU: weighted binary cross-entropy over annotated (frame, AU) pairs.
    shuffle(auRows, rng);
    for (let s = 0; s < auRows.length; s += batch) {
      const rows = auRows.subarray(s, s + batch);
      const m = rows.length;
      forward(heads.auHidden, x, dim, 0, rows, m, hid);
      for (let i = 0; i < m * hidden; i++) if (hid[i] < 0) hid[i] = 0;
      forward(heads.au, hid, hidden, 0, local, m, auOut);
      let count = 0;
      for (let r = 0; r < m; r++) for (let k = 0; k < N_AU; k++) if (train.au[rows[r] * N_AU + k] !== ABAW_MISSING.au) count++;
      for (let r = 0; r < m; r++) {
        for (let k = 0; k < N_AU; k++) {
          const t = train.au[rows[r] * N_AU + k];
          const i = r * N_AU + k;
          if (t === ABAW_MISSING.au) {
            auOut[i] = 0;
            continue;
          }
          const p = 1 / (1 + Math.exp(-auOut[i]));
          const w = t === 1 ? wPos[k] : wNeg[k];
          auOut[i] = (w * (p - t)) / count;
        }
      }
      backward(heads.au, hid, hidden, 0, local, m, auOut, gAw, gAb, dHid);
      for (let i = 0; i < m * hidden; i++) if (hid[i] <= 0) dHid[i] = 0;
      backward(heads.auHidden, x, dim, 0, rows, m, dHid, gHw, gHb);
      adamA.step([gHw, gHb, gAw, gAb]);
    }
    const v = validationMetrics(heads, val);
    const e: MtlEpoch = { epoch, expressionF1: v.expressionF1, vaCcc: v.vaCcc, auF1: v.auF1 };
    history.push(e);
    opts.onEpoch?.(e);
    if (e.expressionF1 > best.expression) {
      best.expression = e.expressionF1;
      bestEpoch.expression = epoch;
      bestHeads.expression = cloneDense(heads.expression);
    }
    if (e.vaCcc > best.va) {
      best.va = e.vaCcc;
      bestEpoch.va = epoch;
      bestHeads.va = cloneDense(heads.va);
    }
    if (e.auF1 > best.au) {
      best.au = e.auF1;
      bestEpoch.au = epoch;
      bestHeads.auHidden = cloneDense(heads.auHidden);
      bestHeads.au = cloneDense(heads.au);
    }
  }
  const final: MtlHeads = { ...bestHeads, vaSlice };
  const p = predictMtl(final, val);
  const score = mtlScore({
    valenceTrue: val.valence,
    arousalTrue: val.arousal,
    valence: p.valence,
    arousal: p.arousal,
    expressionTrue: val.expression,
    expression: p.expression,
    auTrue: val.au,
    auProb: p.auProb,
  });
  return { heads: final, bestEpoch, history, score };
}
