import { UserError } from '@affectbench/core';

export interface SvcOptions {
  /** Penalty on slack; default 1 (sklearn's default). */
  C?: number;
  /** RBF width: 'scale' (default, sklearn's) = 1 / (n_features · var(X over all elements)), or a fixed value. */
  gamma?: 'scale' | number;
  /** libsvm's eps: stop when the maximal violating pair violates by less than this; default 1e-3. */
  tol?: number;
  /** Kernel row cache in MiB; default 200 (sklearn's). Affects speed only, never the result. */
  cacheSize?: number;
  /** SMO iterations per pairwise problem; default unlimited (sklearn's max_iter=-1). */
  maxIter?: number;
  /** libsvm's shrinking heuristic; default true. Changes the path (and so the last digits), not the optimum. */
  shrinking?: boolean;
  /** Kernel dot products in WebAssembly SIMD where the runtime has it; default true. Same result bit for bit. */
  simd?: boolean;
}

/**
 * scikit-learn's `SVC(kernel='rbf')` (libsvm C-SVC), re-implemented so the VGAF RBF cells run without Python.
 *
 * Same as libsvm: SMO with second-order working-set selection (WSS3, Fan et al. 2005) and its tie rules,
 * shrinking every min(l,1000) iterations with the unshrink at 10·eps, gradient reconstruction, kernel
 * rows stored as float32 (libsvm's Qfloat) in an LRU cache whose rows follow the solver's index swaps,
 * rho from the free variables, one-vs-one over classes sorted ascending with each class's samples in input
 * order, voting with ties to the lowest class, sklearn's sign flips for two classes and its 'ovr' shape of
 * decision values. Only floating-point summation order can differ (libsvm's dot products), so results agree
 * to rounding, and predictions are identical unless a decision value sits within rounding of zero. On the
 * sklearn fixtures the SMO path is the same iteration for iteration, dual coefficients and intercepts are
 * bit-identical and decision values differ by < 1e-13 (test/svc-rbf.test.ts prints the differences).
 * Speed only, not libsvm: a kernel entry already cached in the transposed row is copied, and dot products
 * run in WebAssembly SIMD; a VGAF-sized fit (2,661 × 4,096, 3 classes) takes about 15 s on one core.
 */
export class SVC {
  readonly C: number;
  readonly gammaOption: 'scale' | number;
  readonly tol: number;
  readonly cacheSize: number;
  readonly maxIter: number;
  readonly shrinking: boolean;
  readonly simd: boolean;
  classes: number[] = [];
  /** The gamma actually used (resolved from 'scale'). */
  gamma = 0;
  /** Support vectors per class, in `classes` order (sklearn's n_support_). */
  supportCount: number[] = [];
  /** Row index in the training X of every support vector, grouped by class (sklearn's support_). */
  support: number[] = [];
  /** sklearn's dual_coef_: (classes − 1) rows × support vectors (sign flipped for two classes, as sklearn does). */
  dualCoef: Float64Array[] = [];
  /** sklearn's intercept_: one per class pair (0,1), (0,2), … (sign flipped for two classes). */
  intercept: number[] = [];
  /** SMO iterations each class pair took. */
  nIter: number[] = [];
  /** Whether the last fit computed its dot products in WebAssembly SIMD. */
  usedSimd = false;
  dim = 0;
  private sv = new Float64Array(0);
  /** libsvm's own sv_coef and rho, which prediction uses. */
  private svCoef: Float64Array[] = [];
  private rho: number[] = [];

  constructor(opts: SvcOptions = {}) {
    this.C = opts.C ?? 1;
    this.gammaOption = opts.gamma ?? 'scale';
    this.tol = opts.tol ?? 1e-3;
    this.cacheSize = opts.cacheSize ?? 200;
    this.maxIter = opts.maxIter ?? Number.POSITIVE_INFINITY;
    this.shrinking = opts.shrinking ?? true;
    this.simd = opts.simd ?? true;
    if (!(this.C > 0) || !Number.isFinite(this.C)) throw new UserError(`SVC: C must be a finite number > 0 (got ${this.C})`);
    if (this.gammaOption !== 'scale' && !(this.gammaOption > 0)) throw new UserError(`SVC: gamma must be 'scale' or a number > 0 (got ${this.gammaOption})`);
    if (!(this.tol > 0)) throw new UserError(`SVC: tol must be > 0 (got ${this.tol})`);
    if (!(this.cacheSize > 0)) throw new UserError(`SVC: cacheSize must be > 0 MiB (got ${this.cacheSize})`);
    if (this.maxIter !== Number.POSITIVE_INFINITY && (!Number.isInteger(this.maxIter) || this.maxIter < 1)) throw new UserError(`SVC: maxIter must be a positive integer (got ${this.maxIter})`);
  }

  /** True when no pairwise problem stopped at maxIter (sklearn warns "Solver terminated early" otherwise). */
  get converged(): boolean {
    return this.nIter.every((n) => n < this.maxIter);
  }

  fit(X: readonly ArrayLike<number>[], y: ArrayLike<number>): this {
    const n = X.length;
    if (n === 0) throw new UserError('SVC: no training samples');
    if (y.length !== n) throw new UserError(`SVC: ${n} samples but ${y.length} labels`);
    const d = X[0].length;
    if (d === 0) throw new UserError('SVC: samples have no features');
    const rows = rowStore(n, d, this.simd);
    this.usedSimd = rows.simd;
    const data = rows.data;
    for (let i = 0; i < n; i++) {
      const row = X[i];
      if (row.length !== d) throw new UserError(`SVC: sample ${i} has ${row.length} features, expected ${d}`);
      for (let j = 0; j < d; j++) {
        const v = row[j];
        if (!Number.isFinite(v)) throw new UserError(`SVC: sample ${i} feature ${j} is ${v}; features must be finite`);
        data[i * d + j] = v;
      }
    }
    const classes = [...new Set(Array.from(y))].sort((a, b) => a - b);
    if (classes.length < 2) throw new UserError(`SVC needs samples of at least 2 classes; the data contains only class ${classes[0]}`);
    const k = classes.length;
    this.gamma = this.gammaOption === 'scale' ? scaleGamma(data, d) : this.gammaOption;

    // libsvm groups samples by class (ascending, as sklearn's fork sorts labels), keeping input order within a class.
    const classOf = new Map(classes.map((c, i) => [c, i]));
    const count = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) count[classOf.get(y[i]) as number]++;
    const start = new Array<number>(k).fill(0);
    for (let c = 1; c < k; c++) start[c] = start[c - 1] + count[c - 1];
    const perm = new Int32Array(n);
    const fill = start.slice();
    for (let i = 0; i < n; i++) perm[fill[classOf.get(y[i]) as number]++] = i;

    const sq = new Float64Array(n);
    for (let i = 0; i < n; i++) sq[i] = rows.dot(i, i);
    const cacheFloats = Math.floor((this.cacheSize * 1024 * 1024) / 4);
    const nonzero = new Uint8Array(n);
    const pairs: { alpha: Float64Array; rho: number }[] = [];
    this.nIter = [];
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        const l = count[a] + count[b];
        const idx = new Int32Array(l);
        const ys = new Int8Array(l);
        for (let t = 0; t < count[a]; t++) {
          idx[t] = perm[start[a] + t];
          ys[t] = 1;
        }
        for (let t = 0; t < count[b]; t++) {
          idx[count[a] + t] = perm[start[b] + t];
          ys[count[a] + t] = -1;
        }
        const solver = new SmoSolver(rows.dot, sq, idx, ys, this.gamma, this.C, this.tol, this.shrinking, cacheFloats);
        const res = solver.solve(this.maxIter);
        this.nIter.push(res.iter);
        pairs.push({ alpha: res.alpha, rho: res.rho });
        for (let t = 0; t < count[a]; t++) if (res.alpha[t] !== 0) nonzero[start[a] + t] = 1;
        for (let t = 0; t < count[b]; t++) if (res.alpha[count[a] + t] !== 0) nonzero[start[b] + t] = 1;
      }
    }

    // Support vectors in grouped order; coefficient layout as libsvm's svm_train (sv_coef[j-1] / sv_coef[i]).
    this.supportCount = [];
    const nzStart: number[] = [];
    this.support = [];
    for (let c = 0; c < k; c++) {
      nzStart.push(this.support.length);
      for (let t = 0; t < count[c]; t++) if (nonzero[start[c] + t]) this.support.push(perm[start[c] + t]);
      this.supportCount.push(this.support.length - nzStart[c]);
    }
    const nSv = this.support.length;
    this.sv = new Float64Array(nSv * d);
    for (const [s, orig] of this.support.entries()) this.sv.set(data.subarray(orig * d, orig * d + d), s * d);
    this.svCoef = Array.from({ length: k - 1 }, () => new Float64Array(nSv));
    this.rho = [];
    let p = 0;
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        const { alpha, rho } = pairs[p++];
        let q = nzStart[a];
        for (let t = 0; t < count[a]; t++) if (nonzero[start[a] + t]) this.svCoef[b - 1][q++] = alpha[t];
        q = nzStart[b];
        for (let t = 0; t < count[b]; t++) if (nonzero[start[b] + t]) this.svCoef[a][q++] = alpha[count[a] + t];
        this.rho.push(rho);
      }
    }
    const flip = k === 2 ? -1 : 1;
    this.dualCoef = this.svCoef.map((row) => row.map((v) => flip * v));
    // sklearn writes -rho, and avoids -0.
    this.intercept = this.rho.map((r) => (r === 0 ? 0 : -flip * r));
    this.classes = classes;
    this.dim = d;
    return this;
  }

  /**
   * sklearn's decision_function with decision_function_shape='ovo': per sample one value per class pair
   * (0,1), (0,2), …, positive favouring the pair's lower class; for two classes the single value is negated
   * as sklearn does (positive = classes[1]).
   */
  decisionFunctionOvo(X: readonly ArrayLike<number>[]): Float64Array[] {
    const dec = this.ovo(X);
    if (this.classes.length === 2) for (const row of dec) row[0] = -row[0];
    return dec;
  }

  /**
   * sklearn's decision_function: for two classes one value per sample (positive = classes[1]); otherwise the
   * 'ovr' shape, votes plus pairwise confidences squashed into (−1/3, 1/3), one value per class.
   */
  decisionFunction(X: readonly ArrayLike<number>[]): Float64Array[] {
    const k = this.classes.length;
    return this.ovo(X).map((dec) => {
      if (k === 2) return Float64Array.of(-dec[0]);
      const votes = new Float64Array(k);
      const conf = new Float64Array(k);
      let p = 0;
      for (let i = 0; i < k; i++) {
        for (let j = i + 1; j < k; j++, p++) {
          conf[i] += dec[p];
          conf[j] -= dec[p];
          votes[dec[p] < 0 ? j : i]++;
        }
      }
      for (let c = 0; c < k; c++) votes[c] += conf[c] / (3 * (Math.abs(conf[c]) + 1));
      return votes;
    });
  }

  predictOne(x: ArrayLike<number>): number {
    return this.predict([x])[0];
  }

  /** libsvm's svm_predict: one vote per class pair, the most votes wins, ties to the lowest class. */
  predict(X: readonly ArrayLike<number>[]): number[] {
    const k = this.classes.length;
    return this.ovo(X).map((dec) => {
      const votes = new Int32Array(k);
      let p = 0;
      for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) votes[dec[p++] > 0 ? i : j]++;
      let best = 0;
      for (let c = 1; c < k; c++) if (votes[c] > votes[best]) best = c;
      return this.classes[best];
    });
  }

  /** libsvm's pairwise decision values, sum over support vectors of coef · K − rho, per sample. */
  private ovo(X: readonly ArrayLike<number>[]): Float64Array[] {
    if (this.classes.length === 0) throw new Error('SVC: fit before predicting');
    X.forEach((x, i) => {
      if (x.length !== this.dim) throw new UserError(`SVC: sample ${i} has ${x.length} features, the model was fitted on ${this.dim}`);
    });
    const d = this.dim;
    const nSv = this.support.length;
    const k = this.classes.length;
    const start = [0];
    for (let c = 1; c < k; c++) start.push(start[c - 1] + this.supportCount[c - 1]);
    const out: Float64Array[] = [];
    // Four samples at a time, interleaved, so each support vector is read from memory once per four samples
    // (the support vectors of a VGAF-sized fit are far larger than the CPU cache).
    const xt = new Float64Array(4 * d);
    const kv = [0, 1, 2, 3].map(() => new Float64Array(nSv));
    for (let b0 = 0; b0 < X.length; b0 += 4) {
      const nb = Math.min(4, X.length - b0);
      xt.fill(0);
      for (let b = 0; b < nb; b++) {
        const x = X[b0 + b];
        for (let j = 0; j < d; j++) xt[4 * j + b] = x[j];
      }
      const sv = this.sv;
      for (let s = 0; s < nSv; s++) {
        // libsvm's k_function: the squared distance summed directly in feature order, not |x|²+|y|²−2x·y.
        const o = s * d;
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        for (let j = 0; j < d; j++) {
          const v = sv[o + j];
          const q = 4 * j;
          const t0 = xt[q] - v;
          const t1 = xt[q + 1] - v;
          const t2 = xt[q + 2] - v;
          const t3 = xt[q + 3] - v;
          a0 += t0 * t0;
          a1 += t1 * t1;
          a2 += t2 * t2;
          a3 += t3 * t3;
        }
        kv[0][s] = Math.exp(-this.gamma * a0);
        kv[1][s] = Math.exp(-this.gamma * a1);
        kv[2][s] = Math.exp(-this.gamma * a2);
        kv[3][s] = Math.exp(-this.gamma * a3);
      }
      for (let b = 0; b < nb; b++) {
        const kvb = kv[b];
        const dec = new Float64Array((k * (k - 1)) / 2);
        let p = 0;
        for (let i = 0; i < k; i++) {
          for (let j = i + 1; j < k; j++) {
            const c1 = this.svCoef[j - 1];
            const c2 = this.svCoef[i];
            let sum = 0;
            for (let s = start[i]; s < start[i] + this.supportCount[i]; s++) sum += c1[s] * kvb[s];
            for (let s = start[j]; s < start[j] + this.supportCount[j]; s++) sum += c2[s] * kvb[s];
            dec[p] = sum - this.rho[p];
            p++;
          }
        }
        out.push(dec);
      }
    }
    return out;
  }
}

/** numpy's X.var() over every element (two passes, population variance); gamma 1 for constant X, as sklearn. */
function scaleGamma(data: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  const mean = s / data.length;
  let v = 0;
  for (let i = 0; i < data.length; i++) v += (data[i] - mean) ** 2;
  const variance = v / data.length;
  return variance === 0 ? 1 : 1 / (d * variance);
}

type RowDot = (a: number, b: number) => number;

/**
 * Training rows, and the dot product of two of them: the whole cost of a fit. In WebAssembly (f64x2, two
 * accumulators) where available, about twice as fast as V8's scalar loop; the JS fallback sums in the same
 * order ((lanes 0 and 2) + (lanes 1 and 3), then the tail), so both give identical bits.
 */
function rowStore(n: number, d: number, simd: boolean): { data: Float64Array; dot: RowDot; simd: boolean } {
  const bytes = n * d * 8;
  if (simd && SIMD_DOT && bytes < 2 ** 31) {
    try {
      const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
      const f = new WebAssembly.Instance(SIMD_DOT, { e: { m: memory } }).exports.dot as (a: number, b: number, len: number) => number;
      const stride = d * 8;
      return { data: new Float64Array(memory.buffer, 0, n * d), dot: (a, b) => f(a * stride, b * stride, d), simd: true };
    } catch {
      // No room for a WebAssembly heap of this size: the plain arrays below do the same arithmetic.
    }
  }
  const data = new Float64Array(n * d);
  return { data, dot: (a, b) => dot(data, a * d, data, b * d, d), simd: false };
}

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += a[ao + j] * b[bo + j];
    s1 += a[ao + j + 1] * b[bo + j + 1];
    s2 += a[ao + j + 2] * b[bo + j + 2];
    s3 += a[ao + j + 3] * b[bo + j + 3];
  }
  let s = s0 + s2 + (s1 + s3);
  for (; j < d; j++) s += a[ao + j] * b[bo + j];
  return s;
}

/**
 * `(func (export "dot") (param $a i32) (param $b i32) (param $n i32) (result f64))` over an imported memory
 * "e"."m": byte offsets a and b, n doubles; v128 accumulators over 4 doubles per step, then a scalar tail.
 */
const SIMD_DOT: WebAssembly.Module | null = (() => {
  const leb = (v: number) => {
    const out: number[] = [];
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v) b |= 0x80;
      out.push(b);
    } while (v);
    return out;
  };
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const name = (t: string) => [t.length, ...Array.from(t, (c) => c.charCodeAt(0))];
  const [get, set, i32c, loadV, loadF] = [0x20, 0x21, 0x41, [0xfd, 0x00, 3], [0x2b, 3]];
  const [f64x2Add, f64x2Mul, lane] = [[0xfd, 0xf0, 0x01], [0xfd, 0xf2, 0x01], [0xfd, 0x21]];
  // locals: 0 a, 1 b, 2 n (params); 3 end (i32); 4, 5 accumulators (v128); 6 s (f64)
  const loopUntilEnd = (step: number[]) => [0x02, 0x40, 0x03, 0x40, get, 0, get, 3, 0x4f, 0x0d, 1, ...step, 0x0c, 0, 0x0b, 0x0b];
  const advance = (bytes: number) => [get, 0, i32c, bytes, 0x6a, set, 0, get, 1, i32c, bytes, 0x6a, set, 1];
  const body = [
    3, 1, 0x7f, 2, 0x7b, 1, 0x7c,
    // end = a + (n & ~3) * 8
    get, 0, get, 2, i32c, 0x7c, 0x71, i32c, 3, 0x74, 0x6a, set, 3,
    ...loopUntilEnd([
      get, 4, get, 0, ...loadV, 0, get, 1, ...loadV, 0, ...f64x2Mul, ...f64x2Add, set, 4,
      get, 5, get, 0, ...loadV, 16, get, 1, ...loadV, 16, ...f64x2Mul, ...f64x2Add, set, 5,
      ...advance(32),
    ]),
    get, 4, get, 5, ...f64x2Add, set, 4,
    get, 4, ...lane, 0, get, 4, ...lane, 1, 0xa0, set, 6,
    // end = a + (n & 3) * 8
    get, 0, get, 2, i32c, 3, 0x71, i32c, 3, 0x74, 0x6a, set, 3,
    ...loopUntilEnd([get, 6, get, 0, ...loadF, 0, get, 1, ...loadF, 0, 0xa2, 0xa0, set, 6, ...advance(8)]),
    get, 6, 0x0b,
  ];
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7c]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('dot'), 0x00, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
  try {
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
})();

const LOWER = 0;
const UPPER = 1;
const FREE = 2;
const TAU = 1e-12;

/**
 * libsvm's Solver for one C-SVC pair (p = −1, Cp = Cn = C). Every per-sample array is kept in libsvm's
 * permuted order (swap_index moves samples behind the active set), because that order decides ties in the
 * working-set selection and the summation order of gradients.
 */
class SmoSolver {
  private readonly l: number;
  private activeSize: number;
  private readonly G: Float64Array;
  private readonly Gbar: Float64Array;
  private readonly alpha: Float64Array;
  private readonly status: Uint8Array;
  private readonly activeSet: Int32Array;
  private readonly QD: Float64Array;
  private unshrink = false;
  private readonly cache: RowCache;

  constructor(
    /** Dot product of two training rows. */
    private readonly dotRows: RowDot,
    private readonly sqAll: Float64Array,
    /** Training row of each position (libsvm's x[], swapped with the rest). */
    private readonly xi: Int32Array,
    private readonly y: Int8Array,
    private readonly gamma: number,
    private readonly Cv: number,
    private readonly eps: number,
    private readonly shrinking: boolean,
    cacheFloats: number,
  ) {
    const l = xi.length;
    this.l = l;
    this.activeSize = l;
    this.G = new Float64Array(l).fill(-1);
    this.Gbar = new Float64Array(l);
    this.alpha = new Float64Array(l);
    this.status = new Uint8Array(l).fill(LOWER);
    this.activeSet = Int32Array.from({ length: l }, (_, i) => i);
    this.QD = new Float64Array(l);
    for (let i = 0; i < l; i++) this.QD[i] = this.kernel(i, i);
    this.cache = new RowCache(l, cacheFloats);
  }

  private kernel(i: number, j: number): number {
    const a = this.xi[i];
    const b = this.xi[j];
    return Math.exp(-this.gamma * (this.sqAll[a] + this.sqAll[b] - 2 * this.dotRows(a, b)));
  }

  /** Q row i (y_i y_j K_ij as float32) for columns [0, len), computing only what the cache lacks. */
  private getQ(i: number, len: number): Float32Array {
    const { row, from } = this.cache.get(i, len);
    if (from < len) {
      const yi = this.y[i];
      const a = this.xi[i];
      const dotRows = this.dotRows;
      const sqa = this.sqAll[a];
      const g = this.gamma;
      const cache = this.cache;
      for (let j = from; j < len; j++) {
        // Q is symmetric bit for bit (same products, same summation order), so a cached row j that already
        // holds column i saves the dot product (not row i itself: it is being filled); once most rows are
        // cached this halves the kernel work.
        const rj = j === i ? null : cache.rowHolding(j, i);
        if (rj !== null) {
          row[j] = rj[i];
          continue;
        }
        const b = this.xi[j];
        row[j] = yi * this.y[j] * Math.exp(-g * (sqa + this.sqAll[b] - 2 * dotRows(a, b)));
      }
    }
    return row;
  }

  private updateStatus(i: number): void {
    const a = this.alpha[i];
    this.status[i] = a >= this.Cv ? UPPER : a <= 0 ? LOWER : FREE;
  }

  solve(maxIter: number): { alpha: Float64Array; rho: number; iter: number } {
    const l = this.l;
    const { G, Gbar, alpha, status, y, QD } = this;
    const C = this.Cv;
    let iter = 0;
    let counter = Math.min(l, 1000) + 1;
    const ws = new Int32Array(2);
    while (iter < maxIter) {
      if (--counter === 0) {
        counter = Math.min(l, 1000);
        if (this.shrinking) this.doShrinking();
      }
      if (!this.selectWorkingSet(ws)) {
        this.reconstructGradient();
        this.activeSize = l;
        if (!this.selectWorkingSet(ws)) break;
        counter = 1;
      }
      iter++;
      const i = ws[0];
      const j = ws[1];
      const active = this.activeSize;
      let Qi = this.getQ(i, active);
      let Qj = this.getQ(j, active);
      const oldAi = alpha[i];
      const oldAj = alpha[j];
      if (y[i] !== y[j]) {
        let quad = QD[i] + QD[j] + 2 * Qi[j];
        if (quad <= 0) quad = TAU;
        const delta = (-G[i] - G[j]) / quad;
        const diff = alpha[i] - alpha[j];
        alpha[i] += delta;
        alpha[j] += delta;
        if (diff > 0) {
          if (alpha[j] < 0) {
            alpha[j] = 0;
            alpha[i] = diff;
          }
        } else if (alpha[i] < 0) {
          alpha[i] = 0;
          alpha[j] = -diff;
        }
        if (diff > 0) {
          // diff > C_i − C_j with C_i = C_j
          if (alpha[i] > C) {
            alpha[i] = C;
            alpha[j] = C - diff;
          }
        } else if (alpha[j] > C) {
          alpha[j] = C;
          alpha[i] = C + diff;
        }
      } else {
        let quad = QD[i] + QD[j] - 2 * Qi[j];
        if (quad <= 0) quad = TAU;
        const delta = (G[i] - G[j]) / quad;
        const sum = alpha[i] + alpha[j];
        alpha[i] -= delta;
        alpha[j] += delta;
        if (sum > C) {
          if (alpha[i] > C) {
            alpha[i] = C;
            alpha[j] = sum - C;
          }
        } else if (alpha[j] < 0) {
          alpha[j] = 0;
          alpha[i] = sum;
        }
        if (sum > C) {
          if (alpha[j] > C) {
            alpha[j] = C;
            alpha[i] = sum - C;
          }
        } else if (alpha[i] < 0) {
          alpha[i] = 0;
          alpha[j] = sum;
        }
      }
      const dAi = alpha[i] - oldAi;
      const dAj = alpha[j] - oldAj;
      for (let t = 0; t < active; t++) G[t] += Qi[t] * dAi + Qj[t] * dAj;

      const ui = status[i] === UPPER;
      const uj = status[j] === UPPER;
      this.updateStatus(i);
      this.updateStatus(j);
      if (ui !== (status[i] === UPPER)) {
        Qi = this.getQ(i, l);
        const s = ui ? -C : C;
        for (let t = 0; t < l; t++) Gbar[t] += s * Qi[t];
      }
      if (uj !== (status[j] === UPPER)) {
        Qj = this.getQ(j, l);
        const s = uj ? -C : C;
        for (let t = 0; t < l; t++) Gbar[t] += s * Qj[t];
      }
    }
    const rho = this.calculateRho();
    const out = new Float64Array(l);
    // Back to input order, signed by the label (libsvm's solve_c_svc).
    for (let t = 0; t < l; t++) out[this.activeSet[t]] = alpha[t] * y[t];
    return { alpha: out, rho, iter };
  }

  /** WSS3; false when optimal within eps. Ties keep the last index, as libsvm's >= and <=. */
  private selectWorkingSet(out: Int32Array): boolean {
    const { G, y, status, QD } = this;
    const active = this.activeSize;
    let Gmax = Number.NEGATIVE_INFINITY;
    let Gmax2 = Number.NEGATIVE_INFINITY;
    let GmaxIdx = -1;
    let GminIdx = -1;
    let objDiffMin = Number.POSITIVE_INFINITY;
    for (let t = 0; t < active; t++) {
      if (y[t] === 1) {
        if (status[t] !== UPPER && -G[t] >= Gmax) {
          Gmax = -G[t];
          GmaxIdx = t;
        }
      } else if (status[t] !== LOWER && G[t] >= Gmax) {
        Gmax = G[t];
        GmaxIdx = t;
      }
    }
    const i = GmaxIdx;
    if (i === -1) return false;
    const Qi = this.getQ(i, active);
    const yi = y[i];
    for (let j = 0; j < active; j++) {
      if (y[j] === 1) {
        if (status[j] !== LOWER) {
          const gradDiff = Gmax + G[j];
          if (G[j] >= Gmax2) Gmax2 = G[j];
          if (gradDiff > 0) {
            const quad = QD[i] + QD[j] - 2.0 * yi * Qi[j];
            const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
            if (objDiff <= objDiffMin) {
              GminIdx = j;
              objDiffMin = objDiff;
            }
          }
        }
      } else if (status[j] !== UPPER) {
        const gradDiff = Gmax - G[j];
        if (-G[j] >= Gmax2) Gmax2 = -G[j];
        if (gradDiff > 0) {
          const quad = QD[i] + QD[j] + 2.0 * yi * Qi[j];
          const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
          if (objDiff <= objDiffMin) {
            GminIdx = j;
            objDiffMin = objDiff;
          }
        }
      }
    }
    if (Gmax + Gmax2 < this.eps || GminIdx === -1) return false;
    out[0] = i;
    out[1] = GminIdx;
    return true;
  }

  private beShrunk(i: number, Gmax1: number, Gmax2: number): boolean {
    const s = this.status[i];
    if (s === UPPER) return this.y[i] === 1 ? -this.G[i] > Gmax1 : -this.G[i] > Gmax2;
    if (s === LOWER) return this.y[i] === 1 ? this.G[i] > Gmax2 : this.G[i] > Gmax1;
    return false;
  }

  private doShrinking(): void {
    const { G, y, status } = this;
    let Gmax1 = Number.NEGATIVE_INFINITY;
    let Gmax2 = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.activeSize; i++) {
      if (y[i] === 1) {
        if (status[i] !== UPPER && -G[i] >= Gmax1) Gmax1 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax2) Gmax2 = G[i];
      } else {
        if (status[i] !== UPPER && -G[i] >= Gmax2) Gmax2 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax1) Gmax1 = G[i];
      }
    }
    if (!this.unshrink && Gmax1 + Gmax2 <= this.eps * 10) {
      this.unshrink = true;
      this.reconstructGradient();
      this.activeSize = this.l;
    }
    for (let i = 0; i < this.activeSize; i++) {
      if (!this.beShrunk(i, Gmax1, Gmax2)) continue;
      this.activeSize--;
      while (this.activeSize > i) {
        if (!this.beShrunk(this.activeSize, Gmax1, Gmax2)) {
          this.swapIndex(i, this.activeSize);
          break;
        }
        this.activeSize--;
      }
    }
  }

  private swapIndex(i: number, j: number): void {
    this.cache.swapIndex(i, j);
    swap(this.xi, i, j);
    swap(this.y, i, j);
    swap(this.QD, i, j);
    swap(this.G, i, j);
    swap(this.status, i, j);
    swap(this.alpha, i, j);
    swap(this.activeSet, i, j);
    swap(this.Gbar, i, j);
  }

  /** Inactive gradients from G_bar and the free variables, by whichever of libsvm's two loops is cheaper. */
  private reconstructGradient(): void {
    const { l, G, Gbar, alpha, status } = this;
    const active = this.activeSize;
    if (active === l) return;
    for (let j = active; j < l; j++) G[j] = Gbar[j] - 1;
    let nFree = 0;
    for (let j = 0; j < active; j++) if (status[j] === FREE) nFree++;
    if (nFree * l > 2 * active * (l - active)) {
      for (let i = active; i < l; i++) {
        const Qi = this.getQ(i, active);
        for (let j = 0; j < active; j++) if (status[j] === FREE) G[i] += alpha[j] * Qi[j];
      }
    } else {
      for (let i = 0; i < active; i++) {
        if (status[i] !== FREE) continue;
        const Qi = this.getQ(i, l);
        const ai = alpha[i];
        for (let j = active; j < l; j++) G[j] += ai * Qi[j];
      }
    }
  }

  private calculateRho(): number {
    const { G, y, status } = this;
    let nFree = 0;
    let ub = Number.POSITIVE_INFINITY;
    let lb = Number.NEGATIVE_INFINITY;
    let sumFree = 0;
    for (let i = 0; i < this.activeSize; i++) {
      const yG = y[i] * G[i];
      if (status[i] === UPPER) {
        if (y[i] === -1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else if (status[i] === LOWER) {
        if (y[i] === 1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else {
        nFree++;
        sumFree += yG;
      }
    }
    return nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  }
}

function swap(a: { [k: number]: number }, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * libsvm's Cache: row prefixes [0, len) keyed by solver position, least recently used evicted first when the
 * float budget runs out. Rows follow swapIndex, and a row that only covers one of the swapped columns is
 * dropped, since its prefix would no longer be valid.
 */
class RowCache {
  private readonly rows: (Float32Array | null)[];
  private readonly lens: Int32Array;
  /** Circular doubly linked LRU list over positions; node l is the head sentinel. */
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private free: number;

  constructor(private readonly l: number, budgetFloats: number) {
    this.rows = new Array(l).fill(null);
    this.lens = new Int32Array(l);
    this.prev = new Int32Array(l + 1).fill(l);
    this.next = new Int32Array(l + 1).fill(l);
    // Like libsvm: the cache always holds at least two full rows.
    this.free = Math.max(budgetFloats, 2 * l);
  }

  private unlink(h: number): void {
    this.next[this.prev[h]] = this.next[h];
    this.prev[this.next[h]] = this.prev[h];
  }

  private append(h: number): void {
    const head = this.l;
    this.next[h] = head;
    this.prev[h] = this.prev[head];
    this.next[this.prev[head]] = h;
    this.prev[head] = h;
  }

  private drop(h: number): void {
    this.unlink(h);
    this.free += this.lens[h];
    this.rows[h] = null;
    this.lens[h] = 0;
  }

  /** Row j if it is cached up to column i, without touching the LRU order. */
  rowHolding(j: number, i: number): Float32Array | null {
    return this.lens[j] > i ? this.rows[j] : null;
  }

  /** The row for position i with room for len values; entries [from, len) must be filled by the caller. */
  get(i: number, len: number): { row: Float32Array; from: number } {
    const have = this.lens[i];
    if (have) this.unlink(i);
    let row = this.rows[i];
    if (len > have) {
      const more = len - have;
      while (this.free < more) {
        const old = this.next[this.l];
        this.drop(old);
      }
      const grown = new Float32Array(len);
      if (row && have) grown.set(row.subarray(0, have));
      row = grown;
      this.rows[i] = row;
      this.free -= more;
      this.lens[i] = len;
    }
    this.append(i);
    return { row: row as Float32Array, from: have };
  }

  swapIndex(i: number, j: number): void {
    if (i === j) return;
    if (this.lens[i]) this.unlink(i);
    if (this.lens[j]) this.unlink(j);
    const r = this.rows[i];
    this.rows[i] = this.rows[j];
    this.rows[j] = r;
    const n = this.lens[i];
    this.lens[i] = this.lens[j];
    this.lens[j] = n;
    if (this.lens[i]) this.append(i);
    if (this.lens[j]) this.append(j);
    const lo = Math.min(i, j);
    const hi = Math.max(i, j);
    for (let h = this.next[this.l]; h !== this.l; ) {
      const nxt = this.next[h];
      if (this.lens[h] > lo) {
        if (this.lens[h] > hi) {
          const row = this.rows[h] as Float32Array;
          const t = row[lo];
          row[lo] = row[hi];
          row[hi] = t;
        } else {
          this.drop(h);
        }
      }
      h = nxt;
    }
  }
}
