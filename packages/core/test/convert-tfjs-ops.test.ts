import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { convertTfjsGraph, UserError } from '../src/index.ts';

// A hand-written TF.js graph model that uses the ops blazeface and emotion do not (MatMul, _FusedMatMul, Sub,
// RealDiv, Relu6, Elu, LeakyRelu, Sigmoid, Tanh, ConcatV2, AvgPool, PadV2, Squeeze, Transpose, StridedSlice,
// ResizeBilinear, asymmetric SAME padding, uint8 and float16 quantised weights), run by TF.js itself as the reference.

const tmp = mkdtempSync(join(os.tmpdir(), 'convert-ops-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let seed = 12345;
function rand(n: number, scale = 0.5): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out[i] = (seed / 2147483648 - 0.5) * 2 * scale;
  }
  return out;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ints = (v: number[]) => ({ list: { i: v.map(String) } });
const str = (s: string) => ({ s: b64(s) });
const strs = (v: string[]) => ({ list: { s: v.map(b64) } });
const T = { T: { type: 'DT_FLOAT' } };
const conv = (padding: string, strides: number[]) => ({ ...T, padding: str(padding), strides: ints(strides), data_format: str('NHWC'), dilations: ints([1, 1, 1, 1]) });

interface Weight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
  quant?: 'uint8' | 'float16';
}

function float16Bits(v: number): number {
  // Only used on values k/64 with |k| < 2^10: exactly representable, normal or zero.
  if (v === 0) return 0;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const e = Math.floor(Math.log2(a));
  const frac = Math.round((a / 2 ** e - 1) * 1024);
  return sign | ((e + 15) << 10) | frac;
}

function writeModel(nodes: object[], weights: Weight[], outputs: string[]): { path: string; artifacts: tf.io.ModelArtifacts } {
  const parts: Buffer[] = [];
  const specs = weights.map((w) => {
    if (w.quant === 'uint8') {
      const min = Math.min(...w.data);
      const scale = (Math.max(...w.data) - min) / 255;
      const q = Uint8Array.from(w.data, (v) => Math.round((v - min) / scale));
      parts.push(Buffer.from(q));
      return { name: w.name, shape: w.shape, dtype: w.dtype, quantization: { dtype: 'uint8', min, scale } };
    }
    if (w.quant === 'float16') {
      const h = Uint16Array.from(w.data, (v) => float16Bits(v));
      parts.push(Buffer.from(h.buffer));
      return { name: w.name, shape: w.shape, dtype: w.dtype, quantization: { dtype: 'float16' } };
    }
    parts.push(Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength));
    return { name: w.name, shape: w.shape, dtype: w.dtype };
  });
  writeFileSync(join(tmp, 'group1-shard1of2.bin'), Buffer.concat(parts).subarray(0, 100));
  writeFileSync(join(tmp, 'group1-shard2of2.bin'), Buffer.concat(parts).subarray(100));
  const consts = weights.map((w) => ({ name: w.name, op: 'Const', attr: { dtype: { type: w.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' }, value: { tensor: {} } } }));
  const signature = { inputs: { 'x:0': { name: 'x:0' } }, outputs: Object.fromEntries(outputs.map((o) => [`${o}:0`, { name: `${o}:0` }])) };
  const json = { format: 'graph-model', modelTopology: { node: [...consts, ...nodes], versions: { producer: 1482 } }, weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs }], signature, userDefinedMetadata: { signature } };
  const path = join(tmp, 'model.json');
  writeFileSync(path, JSON.stringify(json));
  const bin = Buffer.concat(parts);
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length);
  return { path, artifacts: { modelTopology: json.modelTopology, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData, userDefinedMetadata: json.userDefinedMetadata } };
}

const i32 = (name: string, shape: number[], v: number[]): Weight => ({ name, shape, dtype: 'int32', data: Int32Array.from(v) });
const f32 = (name: string, shape: number[], quant?: Weight['quant']): Weight => {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = quant === 'float16' ? Float32Array.from(rand(n, 8), (v) => Math.round(v * 64) / 64) : rand(n);
  return { name, shape, dtype: 'float32', data, quant };
};

const WEIGHTS: Weight[] = [
  f32('w1', [4, 4, 2, 4]),
  f32('b1', [4]),
  f32('dw', [3, 3, 4, 2]),
  f32('db', [8]),
  i32('pads', [4, 2], [0, 0, 1, 0, 0, 1, 0, 0]),
  f32('padval', []),
  f32('divisor', [8]),
  i32('axis3', [], [3]),
  i32('rsize', [2], [5, 5]),
  i32('perm', [4], [0, 3, 1, 2]),
  i32('ss_begin', [4], [0, 2, 1, 3]),
  i32('ss_end', [4], [1, 10, 4, 1]),
  i32('ss_strides', [4], [1, 1, 1, 2]),
  i32('flat', [2], [1, -1]),
  f32('wm', [72, 6], 'uint8'),
  f32('bm', [6], 'float16'),
  i32('hw', [2], [1, 2]),
  f32('wt', [6, 8]),
];
WEIGHTS[5].data = Float32Array.of(0.5);

const NODES = [
  { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '1' }, { size: '9' }, { size: '9' }, { size: '2' }] } } } },
  // k=4, stride 2 on 9 px: SAME pads 1 before, 2 after.
  { name: 'c1', op: 'Conv2D', input: ['x', 'w1'], attr: conv('SAME', [1, 2, 2, 1]) },
  { name: 'bias1', op: 'BiasAdd', input: ['c1', 'b1'], attr: { ...T, data_format: str('NHWC') } },
  { name: 'r6', op: 'Relu6', input: ['bias1'], attr: T },
  { name: 'd1', op: 'FusedDepthwiseConv2dNative', input: ['r6', 'dw', 'db'], attr: { ...conv('SAME', [1, 1, 1, 1]), fused_ops: strs(['BiasAdd', 'Elu']), num_args: { i: '1' } } },
  { name: 'p1', op: 'PadV2', input: ['d1', 'pads', 'padval'], attr: T },
  { name: 'a1', op: 'AvgPool', input: ['p1'], attr: { ...T, ksize: ints([1, 3, 3, 1]), strides: ints([1, 2, 2, 1]), padding: str('SAME'), data_format: str('NHWC') } },
  { name: 'm1', op: 'MaxPool', input: ['p1'], attr: { ...T, ksize: ints([1, 2, 2, 1]), strides: ints([1, 2, 2, 1]), padding: str('VALID'), data_format: str('NHWC') } },
  { name: 's1', op: 'Sub', input: ['a1', 'm1'], attr: T },
  { name: 't1', op: 'Tanh', input: ['s1'], attr: T },
  { name: 'q1', op: 'RealDiv', input: ['t1', 'divisor'], attr: T },
  { name: 'sg', op: 'Sigmoid', input: ['a1'], attr: T },
  { name: 'mu', op: 'Mul', input: ['q1', 'sg'], attr: T },
  { name: 'cc', op: 'ConcatV2', input: ['mu', 'a1', 'axis3'], attr: { ...T, N: { i: '2' }, Tidx: { type: 'DT_INT32' } } },
  { name: 'rz', op: 'ResizeBilinear', input: ['cc', 'rsize'], attr: { ...T, align_corners: { b: false }, half_pixel_centers: { b: false } } },
  { name: 'tr', op: 'Transpose', input: ['rz', 'perm'], attr: T },
  { name: 'ss', op: 'StridedSlice', input: ['tr', 'ss_begin', 'ss_end', 'ss_strides'], attr: { ...T, begin_mask: { i: '8' }, end_mask: { i: '8' }, ellipsis_mask: { i: '0' }, new_axis_mask: { i: '0' }, shrink_axis_mask: { i: '0' } } },
  { name: 'rs', op: 'Reshape', input: ['ss', 'flat'], attr: T },
  { name: 'mm', op: '_FusedMatMul', input: ['rs', 'wm', 'bm'], attr: { ...T, transpose_a: { b: false }, transpose_b: { b: false }, fused_ops: strs(['BiasAdd', 'LeakyRelu']), num_args: { i: '1' }, leakyrelu_alpha: { f: 0.1 } } },
  { name: 'mean', op: 'Mean', input: ['d1', 'hw'], attr: { ...T, keep_dims: { b: false }, Tidx: { type: 'DT_INT32' } } },
  { name: 'mm2', op: 'MatMul', input: ['mean', 'wt'], attr: { ...T, transpose_a: { b: false }, transpose_b: { b: true } } },
  { name: 'sum', op: 'AddV2', input: ['mm', 'mm2'], attr: T },
  { name: 'sm', op: 'Softmax', input: ['sum'], attr: T },
  { name: 'sq', op: 'Squeeze', input: ['sm'], attr: { ...T, squeeze_dims: ints([0]) } },
  { name: 'Identity', op: 'Identity', input: ['sq'], attr: T },
  { name: 'Identity_1', op: 'Identity', input: ['rz'], attr: T },
];

test('hand-written graph with the remaining ops and quantised weights: ONNX = TF.js', async () => {
  await tf.setBackend('cpu');
  const { path, artifacts } = writeModel(NODES, WEIGHTS, ['Identity', 'Identity_1']);
  const conv = convertTfjsGraph(path);
  assert.equal(conv.report.quantisedWeights, 2);
  const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  const x = tf.tensor4d(rand(9 * 9 * 2, 2), [1, 9, 9, 2]);
  const refs = model.execute(x, ['Identity', 'Identity_1']) as tf.Tensor[];
  const session = await ort.InferenceSession.create(conv.bytes);
  const got = await session.run({ x: new ort.Tensor('float32', x.dataSync() as Float32Array, [1, 9, 9, 2]) });
  for (const [i, name] of ['Identity', 'Identity_1'].entries()) {
    assert.deepEqual([...got[name].dims], refs[i].shape, `${name} shape`);
    const a = refs[i].dataSync();
    const b = got[name].data as Float32Array;
    let d = 0;
    for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k] - b[k]));
    assert.ok(d <= 1e-5, `${name}: max |Δ| ${d}`);
  }
  await session.release();
});

test('an unsupported fused op is refused, naming it', () => {
  const nodes = NODES.map((n) => (n.name === 'd1' ? { ...n, attr: { ...n.attr, fused_ops: strs(['FusedBatchNorm', 'Relu']) } } : n));
  const { path } = writeModel(nodes, WEIGHTS, ['Identity']);
  assert.throws(() => convertTfjsGraph(path), (e: unknown) => e instanceof UserError && /FusedBatchNorm/.test(e.message) && /"d1"/.test(e.message));
});
