import { UserError } from '@affectbench/core';
import { createRng } from '../metrics/random.ts';

export interface LinearSvcOptions {
  /** Inverse regularisation strength; default 1 (sklearn's default). */
  C?: number;
  /** Stopping tolerance on the projected-gradient spread; default 1e-4. */
  tol?: number;
  /** Outer iterations per one-vs-rest problem; default 1000. */
  maxIter?: number;
  fitIntercept?: boolean;
  /** Value of the synthetic bias feature; default 1. Its weight is regularised, as in liblinear. */
  interceptScaling?: number;
  /** Seed of the coordinate shuffle; default 0. */
  seed?: number;
}

/**
 * scikit-learn's `LinearSVC()` (liblinear solver 1, L2-regularised squared-hinge loss, solved in the dual
 * by coordinate descent with shrinking), re-implemented so video protocols run without Python.
 *
 * Same as sklearn: one-vs-rest with classes sorted ascending (a two-class problem fits one vector whose
 * positive side is the larger label), bias = an extra feature of value interceptScaling with a
 * regularised weight, diag 1/(2C), tol, max_iter, predictions = argmax of decision values (first on ties).
 * Different: the coordinate order each outer iteration is a Fisher–Yates shuffle from our own seeded PRNG,
 * not liblinear's mt19937 seeded from numpy's global state (sklearn is itself unrepeatable without
 * random_state). The optimum is unique, so both stop within `tol` of it; coefficients therefore agree to
 * about the tolerance, not bit for bit (the fixture tests report the max difference).
 */
export class LinearSVC {
  readonly C: number;
  readonly tol: number;
  readonly maxIter: number;
  readonly fitIntercept: boolean;
  readonly interceptScaling: number;
  readonly seed: number;
  classes: number[] = [];
  /** One weight vector per one-vs-rest problem (one in total for two classes). */
  coef: Float64Array[] = [];
  intercept: number[] = [];
  /** Outer iterations each problem took. */
  nIter: number[] = [];
  dim = 0;

  constructor(opts: LinearSvcOptions = {}) {
    this.C = opts.C ?? 1;
    this.tol = opts.tol ?? 1e-4;
    this.maxIter = opts.maxIter ?? 1000;
    this.fitIntercept = opts.fitIntercept ?? true;
    this.interceptScaling = opts.interceptScaling ?? 1;
    this.seed = opts.seed ?? 0;
    if (!(this.C > 0)) throw new UserError(`LinearSVC: C must be > 0 (got ${this.C})`);
    if (!(this.tol > 0)) throw new UserError(`LinearSVC: tol must be > 0 (got ${this.tol})`);
    if (!Number.isInteger(this.maxIter) || this.maxIter < 1) throw new UserError(`LinearSVC: maxIter must be a positive integer (got ${this.maxIter})`);
    if (this.fitIntercept && !(this.interceptScaling > 0)) throw new UserError(`LinearSVC: interceptScaling must be > 0 (got ${this.interceptScaling})`);
  }

  /** True when no problem hit maxIter (sklearn warns "Liblinear failed to converge" otherwise). */
  get converged(): boolean {
    return this.nIter.every((n) => n < this.maxIter);
  }

  fit(X: readonly ArrayLike<number>[], y: ArrayLike<number>): this {
    const n = X.length;
    if (n === 0) throw new UserError('LinearSVC: no training samples');
    if (y.length !== n) throw new UserError(`LinearSVC: ${n} samples but ${y.length} labels`);
    const d = X[0].length;
    const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
    if (classes.length < 2) throw new UserError(`LinearSVC needs samples of at least 2 classes; the data contains only class ${classes[0]}`);
    const stride = d + (this.fitIntercept ? 1 : 0);
    const data = new Float64Array(n * stride);
    for (let i = 0; i < n; i++) {
      const row = X[i];
      if (row.length !== d) throw new UserError(`LinearSVC: sample ${i} has ${row.length} features, expected ${d}`);
      const o = i * stride;
      for (let j = 0; j < d; j++) data[o + j] = row[j];
      if (this.fitIntercept) data[o + d] = this.interceptScaling;
    }
    const positives = classes.length === 2 ? [classes[1]] : classes;
    this.classes = classes;
    this.dim = d;
    this.coef = [];
    this.intercept = [];
    this.nIter = [];
    const rng = createRng(this.seed);
    const sign = new Float64Array(n);
    for (const cls of positives) {
      for (let i = 0; i < n; i++) sign[i] = y[i] === cls ? 1 : -1;
      const { w, iter } = solveDual(data, n, stride, sign, this.C, this.tol, this.maxIter, rng);
      this.coef.push(w.slice(0, d));
      this.intercept.push(this.fitIntercept ? w[d] * this.interceptScaling : 0);
      this.nIter.push(iter);
    }
    return this;
  }

  /** Decision values: one per problem (a single value for two classes, positive = classes[1]). */
  decisionFunction(x: ArrayLike<number>): Float64Array {
    if (this.coef.length === 0) throw new Error('LinearSVC: fit before predicting');
    if (x.length !== this.dim) throw new UserError(`LinearSVC: sample has ${x.length} features, the model was fitted on ${this.dim}`);
    const out = new Float64Array(this.coef.length);
    for (let k = 0; k < this.coef.length; k++) {
      const w = this.coef[k];
      let s = this.intercept[k];
      for (let j = 0; j < w.length; j++) s += w[j] * x[j];
      out[k] = s;
    }
    return out;
  }

  predictOne(x: ArrayLike<number>): number {
    const dv = this.decisionFunction(x);
    if (dv.length === 1) return dv[0] > 0 ? this.classes[1] : this.classes[0];
    let best = 0;
    for (let k = 1; k < dv.length; k++) if (dv[k] > dv[best]) best = k;
    return this.classes[best];
  }

  predict(X: readonly ArrayLike<number>[]): number[] {
    return X.map((x) => this.predictOne(x));
  }
}

/**
 * liblinear's solve_l2r_l1l2_svc for the squared hinge (upper bound ∞, diag 1/(2C)), with its shrinking:
 * a coordinate at alpha = 0 whose gradient exceeds last iteration's max projected gradient leaves the
 * active set; when the active set converges, everything is re-checked once more.
 */
function solveDual(
  data: Float64Array,
  n: number,
  stride: number,
  y: Float64Array,
  C: number,
  eps: number,
  maxIter: number,
  rng: ReturnType<typeof createRng>,
): { w: Float64Array; iter: number } {
  const diag = 0.5 / C;
  const w = new Float64Array(stride);
  const alpha = new Float64Array(n);
  const qd = new Float64Array(n);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let s = diag;
    const o = i * stride;
    for (let j = 0; j < stride; j++) s += data[o + j] * data[o + j];
    qd[i] = s;
    index[i] = i;
  }
  let activeSize = n;
  let pgMaxOld = Number.POSITIVE_INFINITY;
  let iter = 0;
  while (iter < maxIter) {
    let pgMaxNew = Number.NEGATIVE_INFINITY;
    let pgMinNew = Number.POSITIVE_INFINITY;
    for (let i = 0; i < activeSize; i++) {
      const j = i + rng.int(activeSize - i);
      const t = index[i];
      index[i] = index[j];
      index[j] = t;
    }
    for (let s = 0; s < activeSize; s++) {
      const i = index[s];
      const yi = y[i];
      const o = i * stride;
      const g = dot(w, data, o, stride) * yi - 1 + alpha[i] * diag;
      let pg = 0;
      if (alpha[i] === 0) {
        if (g > pgMaxOld) {
          activeSize--;
          index[s] = index[activeSize];
          index[activeSize] = i;
          s--;
          continue;
        }
        if (g < 0) pg = g;
      } else {
        pg = g;
      }
      if (pg > pgMaxNew) pgMaxNew = pg;
      if (pg < pgMinNew) pgMinNew = pg;
      if (Math.abs(pg) > 1e-12) {
        const old = alpha[i];
        alpha[i] = Math.max(old - g / qd[i], 0);
        const dlt = (alpha[i] - old) * yi;
        axpy(dlt, data, o, w, stride);
      }
    }
    iter++;
    if (pgMaxNew - pgMinNew <= eps) {
      if (activeSize === n) break;
      activeSize = n;
      pgMaxOld = Number.POSITIVE_INFINITY;
      continue;
    }
    // Only the upper side is used for shrinking: with the squared hinge alpha has no upper bound.
    pgMaxOld = pgMaxNew > 0 ? pgMaxNew : Number.POSITIVE_INFINITY;
  }
  return { w, iter };
}

function dot(w: Float64Array, data: Float64Array, o: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  // Two accumulators let the CPU overlap the multiply-adds.
  for (; j + 1 < len; j += 2) {
    s0 += w[j] * data[o + j];
    s1 += w[j + 1] * data[o + j + 1];
  }
  if (j < len) s0 += w[j] * data[o + j];
  return s0 + s1;
}

function axpy(a: number, data: Float64Array, o: number, w: Float64Array, len: number): void {
  for (let j = 0; j < len; j++) w[j] += a * data[o + j];
}
