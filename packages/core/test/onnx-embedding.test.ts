import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  BadFileError,
  decodeModel,
  encodeModel,
  GraphBuilder,
  getModel,
  Prng,
  readModelInfo,
  sha256,
  synthesizeTwin,
  withEmbeddingOutput,
} from '../src/index.ts';

/** Float32 initializer by name, copied out of raw_data. */
function initializer(bytes: Uint8Array, name: string): Float32Array {
  const t = decodeModel(bytes).graph?.initializer?.find((i) => i.name === name);
  assert.ok(t?.rawData, `initializer ${name} missing`);
  return new Float32Array(new Uint8Array(t.rawData).buffer);
}

function randomInput(dims: number[], seed: number): ort.Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return new ort.Tensor('float32', new Prng(seed).uniform(n, 1.5), dims);
}

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** y = x·Wᵀ + b (Gemm transB=1, W [out, in]) or x·W + b (MatMul, W [in, out]), row by row. */
function dense(x: Float32Array, batch: number, w: Float32Array, b: Float32Array, inDim: number, outDim: number, transposed: boolean): Float64Array {
  const y = new Float64Array(batch * outDim);
  for (let n = 0; n < batch; n++) {
    for (let j = 0; j < outDim; j++) {
      let acc = b[j];
      for (let i = 0; i < inDim; i++) acc += x[n * inDim + i] * (transposed ? w[j * inDim + i] : w[i * outDim + j]);
      y[n * outDim + j] = acc;
    }
  }
  return y;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: lengths differ`);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(err <= tol * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/**
 * A graph shaped like torch.onnx.export of a timm classifier (opset 11): numeric-style tensor names, a Conv2dSame Pad,
 * SiLU, GlobalAveragePool, Flatten, then Gemm(transB=1). `truncate` ends the graph at the Flatten instead, as a
 * reference for the embedding.
 */
function torchStyle(truncate: boolean): Uint8Array {
  const rng = new Prng(99);
  const g = new GraphBuilder('torch-jit-export');
  g.input('input', ['batch_size', 3, 16, 16]);
  const pads = g.int64('onnx::Pad_7', [0, 0, 0, 0, 0, 0, 1, 1]);
  const value = g.constant('onnx::Pad_8', [], new Float32Array([0]));
  g.node('Pad', ['input', pads, value], ['onnx::Conv_9'], { mode: 'constant' });
  const w = g.weight('onnx::Conv_60', [8, 3, 3, 3], rng.uniform(216, 0.3));
  const b = g.weight('onnx::Conv_61', [8], rng.uniform(8, 0.1));
  g.node('Conv', ['onnx::Conv_9', w, b], ['input.4'], { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 0, 0, 0], group: 1, dilations: [1, 1] });
  g.node('Sigmoid', ['input.4'], ['onnx::Mul_12']);
  g.node('Mul', ['input.4', 'onnx::Mul_12'], ['input.8']);
  g.node('GlobalAveragePool', ['input.8'], ['onnx::Flatten_14']);
  g.node('Flatten', ['onnx::Flatten_14'], ['onnx::Gemm_15'], { axis: 1 });
  const cw = g.weight('classifier.weight', [5, 8], rng.uniform(40, 0.5));
  const cb = g.weight('classifier.bias', [5], rng.uniform(5, 0.1));
  if (truncate) {
    g.output('onnx::Gemm_15', ['batch_size', 8]);
  } else {
    g.node('Gemm', ['onnx::Gemm_15', cw, cb], ['output'], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 });
    g.output('output', ['batch_size', 5]);
  }
  return g.toBytes({ opset: 11, producer: 'pytorch' });
}

/** A Keras-conversion-shaped graph: NHWC input, Transpose, Conv, ReLU, mean pool, Dense+ReLU, Dense+Softmax. */
function kerasStyle(): Uint8Array {
  const rng = new Prng(5);
  const g = new GraphBuilder('keras');
  g.input('input_1', ['unk__12', 8, 8, 3]);
  g.node('Transpose', ['input_1'], ['input_1_nchw'], { perm: [0, 3, 1, 2] });
  const w = g.weight('conv/kernel', [6, 3, 3, 3], rng.uniform(162, 0.4));
  const b = g.weight('conv/bias', [6], rng.uniform(6, 0.1));
  g.node('Conv', ['input_1_nchw', w, b], ['conv/BiasAdd:0'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  g.node('Relu', ['conv/BiasAdd:0'], ['conv/Relu:0']);
  g.node('ReduceMean', ['conv/Relu:0'], ['global_pooling/Mean:0'], { axes: [2, 3], keepdims: 0 });
  const f = g.weight('feats/kernel', [6, 4], rng.uniform(24, 0.6));
  const fb = g.weight('feats/bias', [4], rng.uniform(4, 0.1));
  g.node('MatMul', ['global_pooling/Mean:0', f], ['feats/MatMul:0']);
  g.node('Add', ['feats/MatMul:0', fb], ['feats/BiasAdd:0']);
  g.node('Relu', ['feats/BiasAdd:0'], ['feats/Relu:0']);
  const p = g.weight('emotion_preds/kernel', [4, 7], rng.uniform(28, 0.8));
  const pb = g.weight('emotion_preds/bias', [7], rng.uniform(7, 0.1));
  g.node('MatMul', ['feats/Relu:0', p], ['emotion_preds/MatMul:0']);
  g.node('Add', [pb, 'emotion_preds/MatMul:0'], ['emotion_preds/BiasAdd:0']);
  g.node('Softmax', ['emotion_preds/BiasAdd:0'], ['Identity:0'], { axis: -1 });
  g.output('Identity:0', ['unk__12', 7]);
  return g.toBytes({ opset: 13, producer: 'tf2onnx' });
}

test('torch-style export: the Gemm input becomes an output equal to a truncated reference graph', async () => {
  const original = torchStyle(false);
  const before = sha256(original);
  const { bytes, embeddingName, embeddingDim } = withEmbeddingOutput(original);
  assert.equal(sha256(original), before, 'input bytes were modified');
  assert.equal(embeddingName, 'onnx::Gemm_15');
  assert.equal(embeddingDim, 8);
  assert.deepEqual(readModelInfo(bytes).outputs.map((o) => [o.name, o.dims]), [['output', ['batch_size', 5]], ['onnx::Gemm_15', ['batch_size', 8]]]);

  const input = randomInput([2, 3, 16, 16], 1);
  const got = await run(bytes, { input });
  const reference = await run(torchStyle(true), { input });
  const logits = await run(original, { input });
  assertClose(got[embeddingName].data as Float32Array, reference['onnx::Gemm_15'].data as Float32Array, 1e-6, 'embedding');
  assertClose(got.output.data as Float32Array, logits.output.data as Float32Array, 1e-6, 'logits unchanged');
  const recomputed = dense(got[embeddingName].data as Float32Array, 2, initializer(original, 'classifier.weight'), initializer(original, 'classifier.bias'), 8, 5, true);
  assertClose(got.output.data as Float32Array, recomputed, 1e-4, 'logits from the embedding');
});

test('Keras-style conversion: behind the Softmax, MatMul+Add; `dim` walks back to the pooled features', async () => {
  const original = kerasStyle();
  const feats = withEmbeddingOutput(original);
  assert.deepEqual([feats.embeddingName, feats.embeddingDim], ['feats/Relu:0', 4]);
  const pooled = withEmbeddingOutput(original, { dim: 6 });
  assert.deepEqual([pooled.embeddingName, pooled.embeddingDim], ['global_pooling/Mean:0', 6]);

  const input = randomInput([3, 8, 8, 3], 2);
  const a = await run(feats.bytes, { input_1: input });
  const z = dense(a['feats/Relu:0'].data as Float32Array, 3, initializer(original, 'emotion_preds/kernel'), initializer(original, 'emotion_preds/bias'), 4, 7, false);
  const probs = new Float64Array(z.length);
  for (let n = 0; n < 3; n++) {
    const row = z.subarray(n * 7, n * 7 + 7);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((x, y) => x + y, 0);
    e.forEach((v, j) => {
      probs[n * 7 + j] = v / s;
    });
  }
  assertClose(a['Identity:0'].data as Float32Array, probs, 1e-5, 'softmax(classifier(embedding))');

  const b = await run(pooled.bytes, { input_1: input });
  const h = dense(b['global_pooling/Mean:0'].data as Float32Array, 3, initializer(original, 'feats/kernel'), initializer(original, 'feats/bias'), 6, 4, false).map((v) => Math.max(0, v));
  assertClose(a['feats/Relu:0'].data as Float32Array, h, 1e-4, 'feats from pooled features');
  assert.throws(() => withEmbeddingOutput(original, { dim: 99, file: 'k.onnx' }), (e: unknown) => e instanceof BadFileError && /k\.onnx: no dense layer takes a 99-wide input \(classifier chain input widths: 4, 6\)/.test(e.message));
});

test('EfficientNet twin: the 1280-D embedding reproduces the logits through the classifier weights', async () => {
  const record = getModel('enet_b0_8_va_mtl');
  const twin = synthesizeTwin(record);
  const { bytes, embeddingName, embeddingDim } = withEmbeddingOutput(twin.bytes);
  assert.equal(embeddingName, twin.embeddingOutput);
  assert.equal(embeddingDim, record.architecture.embeddingDim);
  // The classifier search (no metadata) must land on the same tensor.
  const stripped = decodeModel(twin.bytes);
  stripped.metadataProps = [];
  assert.equal(withEmbeddingOutput(encodeModel(stripped)).embeddingName, twin.embeddingOutput);

  const out = await run(bytes, { input: randomInput([2, 3, 224, 224], 3) });
  const emb = out[embeddingName].data as Float32Array;
  assert.deepEqual(out[embeddingName].dims, [2, 1280]);
  assert.ok(emb.every(Number.isFinite));
  const logits = dense(emb, 2, initializer(twin.bytes, 'classifier.weight'), initializer(twin.bytes, 'classifier.bias'), 1280, 10, true);
  assertClose(out.output.data as Float32Array, logits, 1e-4, 'logits');
});

test('mobilenet_7 twin: the embedding is global_pooling (1024), by metadata or by the record width', async () => {
  const record = getModel('mobilenet_7');
  const twin = synthesizeTwin(record);
  const viaMetadata = withEmbeddingOutput(twin.bytes);
  assert.deepEqual([viaMetadata.embeddingName, viaMetadata.embeddingDim], ['global_pooling', 1024]);
  const stripped = decodeModel(twin.bytes);
  stripped.metadataProps = [];
  const plain = encodeModel(stripped);
  const viaClassifier = withEmbeddingOutput(plain);
  assert.deepEqual([viaClassifier.embeddingName, viaClassifier.embeddingDim], ['feats', 256]);
  const viaDim = withEmbeddingOutput(plain, { dim: record.architecture.embeddingDim });
  assert.deepEqual([viaDim.embeddingName, viaDim.embeddingDim], ['global_pooling', 1024]);

  const out = await run(viaMetadata.bytes, { input_1: randomInput([1, 224, 224, 3], 4) });
  const pooled = out.global_pooling.data as Float32Array;
  const feats = dense(pooled, 1, initializer(twin.bytes, 'feats/kernel'), initializer(twin.bytes, 'feats/bias'), 1024, 256, false).map((v) => Math.max(0, v));
  const z = dense(Float32Array.from(feats), 1, initializer(twin.bytes, 'emotion_preds/kernel'), initializer(twin.bytes, 'emotion_preds/bias'), 256, 7, false);
  const e = z.map((v) => Math.exp(v - Math.max(...z)));
  const s = e.reduce((a, b) => a + b, 0);
  assertClose(out.emotion_preds.data as Float32Array, e.map((v) => v / s), 1e-5, 'probabilities from global_pooling');
});

test('a graph without a dense classifier, an unknown tensor or non-ONNX bytes is a BadFileError naming the file', () => {
  const g = new GraphBuilder('conv-only');
  g.input('x', [1, 1, 4, 4]);
  const w = g.weight('w', [1, 1, 1, 1], new Float32Array([2]));
  g.node('Conv', ['x', w], ['y']);
  g.output('y', [1, 1, 4, 4]);
  const bytes = g.toBytes();
  assert.throws(() => withEmbeddingOutput(bytes, { file: 'conv.onnx' }), (e: unknown) => e instanceof BadFileError && /conv\.onnx: cannot find the classifier: output "y" comes from Conv/.test(e.message));
  assert.throws(() => withEmbeddingOutput(bytes, { file: 'conv.onnx', tensor: 'nope' }), /no node produces tensor "nope"/);
  assert.throws(() => withEmbeddingOutput(new Uint8Array([1, 2, 3]), { file: 'junk.onnx' }), (e: unknown) => e instanceof BadFileError && e.file === 'junk.onnx');
  // An embedding that is already an output is returned as it is.
  const ident = withEmbeddingOutput(torchStyle(true), { tensor: 'onnx::Gemm_15' });
  assert.equal(ident.embeddingName, 'onnx::Gemm_15');
});
