import type { GraphBuilder } from '../onnx/builder.ts';

/**
 * TF tensors are NHWC; ONNX Conv/Pool/Resize want NCHW. Each converted tensor remembers the ONNX names it already has
 * in either layout, and a Transpose is added only when an op needs the layout that is missing (then memoised).
 * Between two convolutions the data therefore stays NCHW, and Transposes appear only at the graph boundary and
 * around the few layout-sensitive ops (Reshape, Squeeze, ...).
 */
export interface Value {
  /** Static shape in TF (NHWC) order; -1 = unknown (the batch axis of a dynamic-batch input). */
  shape: number[];
  nhwc?: string;
  nchw?: string;
}

export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];
/** NHWC axis → NCHW axis. */
export const NHWC_AXIS_IN_NCHW = [0, 2, 3, 1];

export function asNhwc(g: GraphBuilder, v: Value): string {
  if (v.nhwc) return v.nhwc;
  if (!v.nchw) throw new Error('value has no ONNX name');
  v.nhwc = g.op('Transpose', [v.nchw], { perm: TO_NHWC });
  return v.nhwc;
}

export function asNchw(g: GraphBuilder, v: Value): string {
  if (v.nchw) return v.nchw;
  if (!v.nhwc) throw new Error('value has no ONNX name');
  if (v.shape.length !== 4) throw new Error(`NCHW asked of a rank-${v.shape.length} tensor`);
  v.nchw = g.op('Transpose', [v.nhwc], { perm: TO_NCHW });
  return v.nchw;
}

/**
 * TF 'SAME' padding from static sizes: output = ceil(in/stride), the total padding split with the extra pixel at
 * the end (bottom/right), which is asymmetric whenever the total is odd. Returns [begin, end].
 */
export function samePads(inSize: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + effective - inSize, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

export function convOutSize(inSize: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number): number {
  const effective = (kernel - 1) * dilation + 1;
  return Math.floor((inSize + padBegin + padEnd - effective) / stride) + 1;
}

/** Permutes a dense row-major array; `perm[i]` is the source axis of output axis i (numpy transpose semantics). */
export function transposeData<T extends Float32Array | Int32Array>(data: T, shape: readonly number[], perm: readonly number[]): T {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const srcStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    srcStrides[i] = s;
    s *= shape[i];
  }
  const stridesInOutOrder = perm.map((p) => srcStrides[p]);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < data.length; o++) {
    out[o] = data[src];
    for (let a = rank - 1; a >= 0; a--) {
      idx[a] += 1;
      src += stridesInOutOrder[a];
      if (idx[a] < outShape[a]) break;
      src -= stridesInOutOrder[a] * outShape[a];
      idx[a] = 0;
    }
  }
  return out;
}

/** TF HWIO conv filter → ONNX OIHW. */
export function hwioToOihw(data: Float32Array, shape: readonly number[]): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, cout] = shape;
  return { data: transposeData(data, shape, [3, 2, 0, 1]), dims: [cout, cin, kh, kw] };
}

/** TF depthwise filter [kh, kw, cin, multiplier] → ONNX grouped-conv weight [cin·multiplier, 1, kh, kw]. */
export function depthwiseToOihw(data: Float32Array, shape: readonly number[]): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, mult] = shape;
  // TF output channel c·mult+m uses filter[:, :, c, m]; ONNX group c owns output channels c·mult..c·mult+mult-1.
  return { data: transposeData(data, shape, [2, 3, 0, 1]), dims: [cin * mult, 1, kh, kw] };
}
