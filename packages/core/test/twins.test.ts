import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  BadFileError,
  decodeModel,
  GraphBuilder,
  HSEMOTION_MODELS,
  type ModelRecord,
  readModelInfo,
  roundChannels,
  sha256,
  synthesizeTwin,
  type Twin,
  weightsKind,
} from '../src/index.ts';

const PROBE_SEED = 7;

/** Image-like input: a smooth pattern per image plus noise, so two images differ in content, not only in noise. */
function probe(record: ModelRecord, batch: number, first = 0): { tensor: ort.Tensor; perImage: number } {
  const { height: h, width: w, layout } = record.input;
  const perImage = 3 * h * w;
  const data = new Float32Array(batch * perImage);
  let state = PROBE_SEED;
  for (let b = 0; b < batch; b++) {
    const phase = (first + b) * 1.7;
    for (let i = 0; i < perImage; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      data[b * perImage + i] = Math.sin(i / (900 + 400 * (first + b)) + phase) * 1.5 + (state / 2 ** 32 - 0.5) * 0.5;
    }
  }
  const dims = layout === 'NCHW' ? [batch, 3, h, w] : [batch, h, w, 3];
  return { tensor: new ort.Tensor('float32', data, dims), perImage };
}

const twins = new Map<string, Twin>();
let generationMs = 0;
for (const r of HSEMOTION_MODELS) {
  const t0 = performance.now();
  twins.set(r.id, synthesizeTwin(r));
  generationMs += performance.now() - t0;
}

test('all eight twins are generated in seconds', () => {
  console.log(`twins: generated 8 in ${generationMs.toFixed(0)} ms`);
  assert.ok(generationMs < 20_000, `generation took ${generationMs} ms`);
});

test('timm round_channels gives the B2 widths', () => {
  assert.deepEqual([32, 16, 24, 40, 80, 112, 192, 320, 1280].map((c) => roundChannels(c, 1.1)), [32, 16, 24, 48, 88, 120, 208, 352, 1408]);
});

for (const record of HSEMOTION_MODELS) {
  test(`${record.id}: names, shapes, metadata and parameter count match the record`, () => {
    const twin = twins.get(record.id) as Twin;
    const info = readModelInfo(twin.bytes);
    const { input } = record;
    const inDims = input.layout === 'NCHW' ? ['batch_size', 3, input.height, input.width] : ['batch_size', input.height, input.width, 3];
    assert.deepEqual(info.inputs, [{ name: input.name, type: 'float32', dims: inDims }]);
    assert.deepEqual(info.outputs, [{ name: record.outputs.name, type: 'float32', dims: ['batch_size', record.outputs.size] }]);
    assert.equal(info.weights, 'synthetic');
    assert.equal(weightsKind(twin.bytes), 'synthetic');
    assert.equal(info.metadata['affectbench.model'], record.id);
    assert.equal(info.metadata['affectbench.architecture'], record.architecture.name);
    assert.equal(info.metadata['affectbench.embedding'], twin.embeddingOutput);
    assert.match(info.docString, /latency measurements only/);
    assert.ok(info.opset === 11 || info.opset === 13, `opset ${info.opset}`);
    // The generic counter (used on official files too) must agree with what the builder added.
    assert.equal(info.parameterCount, twin.parameterCount);
    const diff = twin.parameterCount / record.architecture.params - 1;
    console.log(`${record.id}: twin ${twin.parameterCount} params, real ${record.architecture.params}, diff ${(diff * 100).toFixed(2)}%`);
    assert.ok(Math.abs(diff) < 0.03, `parameter count off by ${(diff * 100).toFixed(2)}%`);
  });

  test(`${record.id}: runs in onnxruntime-node with finite, input-dependent outputs`, async () => {
    const twin = twins.get(record.id) as Twin;
    const session = await ort.InferenceSession.create(twin.bytes, { intraOpNumThreads: 2 });
    assert.deepEqual(session.inputNames, [record.input.name]);
    assert.deepEqual(session.outputNames, [record.outputs.name]);
    const c = record.outputs.size;
    // The B2 twins are the slow ones: one batch-1 run each; the others check batch 2 against batch 1.
    const batch = record.architecture.family === 'efficientnet_b2' ? 1 : 2;
    const { tensor } = probe(record, batch);
    const out = (await session.run({ [record.input.name]: tensor }))[record.outputs.name];
    assert.deepEqual(out.dims, [batch, c]);
    const values = out.data as Float32Array;
    assert.ok(values.every(Number.isFinite), 'NaN or Inf in the output');
    const maxAbs = Math.max(...values.map(Math.abs));
    assert.ok(maxAbs < 1e4 && maxAbs > 1e-3, `logits of unreasonable magnitude (max |x| = ${maxAbs})`);
    if (record.outputs.kind === 'probabilities') {
      for (let b = 0; b < batch; b++) assert.ok(Math.abs(values.subarray(b * c, (b + 1) * c).reduce((a, v) => a + v, 0) - 1) < 1e-4);
    }
    if (batch === 2) {
      const rowDiff = Math.max(...Array.from({ length: c }, (_, j) => Math.abs(values[j] - values[c + j])));
      assert.ok(rowDiff > 1e-4, `two different images gave the same output (max diff ${rowDiff})`);
      const single = (await session.run({ [record.input.name]: probe(record, 1).tensor }))[record.outputs.name].data as Float32Array;
      for (let j = 0; j < c; j++) assert.ok(Math.abs(single[j] - values[j]) <= 1e-4 * Math.max(1, Math.abs(single[j])), `batch 1 and batch 2 disagree at ${j}`);
    } else {
      const other = (await session.run({ [record.input.name]: probe(record, 1, 1).tensor }))[record.outputs.name].data as Float32Array;
      assert.ok(Math.max(...Array.from({ length: c }, (_, j) => Math.abs(values[j] - other[j]))) > 1e-4, 'two different images gave the same output');
    }
    await session.release();
  });
}

test('TF SAME padding is baked in as explicit asymmetric Pad nodes before the stride-2 convolutions', () => {
  const padsOf = (id: string) => {
    const graph = decodeModel((twins.get(id) as Twin).bytes).graph;
    const init = new Map((graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
    return (graph?.node ?? [])
      .filter((n) => n.opType === 'Pad')
      .map((n) => {
        const raw = init.get(n.input?.[1] ?? '')?.rawData as Uint8Array;
        return Array.from(new BigInt64Array(new Uint8Array(raw).buffer), Number);
      });
  };
  // B0 at 224: stem 224→112, then 112→56 (k3), 56→28 (k5), 28→14 (k3), 14→7 (k5).
  assert.deepEqual(padsOf('enet_b0_7'), [
    [0, 0, 0, 0, 0, 0, 1, 1],
    [0, 0, 0, 0, 0, 0, 1, 1],
    [0, 0, 1, 1, 0, 0, 2, 2],
    [0, 0, 0, 0, 0, 0, 1, 1],
    [0, 0, 1, 1, 0, 0, 2, 2],
  ]);
  // B2 at 260: 260→130 (k3), 130→65 (k3), 65→33 (k5, symmetric 2/2), 33→17 (k3, 1/1), 17→9 (k5, 2/2).
  assert.deepEqual(padsOf('enet_b2_7'), [
    [0, 0, 0, 0, 0, 0, 1, 1],
    [0, 0, 0, 0, 0, 0, 1, 1],
    [0, 0, 2, 2, 0, 0, 2, 2],
    [0, 0, 1, 1, 0, 0, 1, 1],
    [0, 0, 2, 2, 0, 0, 2, 2],
  ]);
  // Keras ZeroPadding2D(((0,1),(0,1))) before the stem and the four stride-2 depthwise convolutions.
  assert.deepEqual(padsOf('mobilenet_7'), Array(5).fill([0, 0, 0, 0, 0, 0, 1, 1]));
});

test('block structure: conv counts, depthwise groups and squeeze-excite follow timm', () => {
  const ops = (id: string) => decodeModel((twins.get(id) as Twin).bytes).graph?.node ?? [];
  const count = (id: string, op: string) => ops(id).filter((n) => n.opType === op).length;
  // B0: stem + 1 ds block (dw, se×2, pw) + 15 ir blocks (pw, dw, se×2, pwl) + head = 81; B2: 2 ds + 21 ir blocks = 115.
  assert.equal(count('enet_b0_7', 'Conv'), 1 + 4 + 15 * 5 + 1);
  assert.equal(count('enet_b2_7', 'Conv'), 1 + 2 * 4 + 21 * 5 + 1);
  assert.equal(count('enet_b0_7', 'ReduceMean'), 16);
  assert.equal(count('enet_b2_7', 'ReduceMean'), 23);
  // Residual adds: blocks with stride 1 and equal widths (B0: 9; B2: 1 ds + 15 ir).
  assert.equal(count('enet_b0_7', 'Add'), 9);
  assert.equal(count('enet_b2_7', 'Add'), 16);
  assert.equal(count('enet_b0_7', 'Gemm'), 1);
  const depthwise = ops('enet_b0_7').filter((n) => n.opType === 'Conv' && Number(n.attribute?.find((a) => a.name === 'group')?.i ?? 1) > 1);
  assert.equal(depthwise.length, 16);
  assert.equal(count('mobilenet_7', 'Clip'), 27);
  assert.equal(count('mobilenet_7', 'Softmax'), 1);
});

test('same seed gives identical bytes, another seed different weights', () => {
  const record = HSEMOTION_MODELS.find((m) => m.id === 'enet_b0_7') as ModelRecord;
  const a = synthesizeTwin(record, { seed: 11 });
  const b = synthesizeTwin(record, { seed: 11 });
  const c = synthesizeTwin(record, { seed: 12 });
  assert.equal(sha256(a.bytes), sha256(b.bytes));
  assert.notEqual(sha256(a.bytes), sha256(c.bytes));
  assert.equal(sha256(twins.get('enet_b0_7')?.bytes as Uint8Array), sha256(synthesizeTwin(record).bytes), 'default seed is stable');
});

test('weightsKind says real for a model without the synthetic label, and rejects non-ONNX bytes', () => {
  const g = new GraphBuilder('plain');
  const x = g.input('x', [1, 4]);
  g.output(g.op('Relu', [x], {}, 'y'), [1, 4]);
  const bytes = g.toBytes({ metadata: { 'affectbench.model': 'x' } });
  assert.equal(weightsKind(bytes), 'real');
  assert.equal(readModelInfo(bytes).weights, 'real');
  assert.throws(() => weightsKind(new TextEncoder().encode('\xff\xff\xff not onnx at all'), 'junk.onnx'), (e: unknown) => e instanceof BadFileError && /junk\.onnx/.test(e.message));
  assert.throws(() => readModelInfo(new Uint8Array([0x0a, 0xff, 0x01]), 'short.onnx'), BadFileError);
});

test('un-folding the BatchNorms gives the published parameter counts exactly', () => {
  // Every Conv outside squeeze-excite stands for Conv+BatchNorm, its bias being the folded BN. PyTorch counts BN weight
  // and bias (one more value per channel than the folded bias); Keras also counts moving mean and variance (three more).
  const extraPerChannel: Record<string, number> = { efficientnet_b0: 1, efficientnet_b2: 1, mobilenet_v1: 3 };
  for (const record of HSEMOTION_MODELS) {
    const twin = twins.get(record.id) as Twin;
    const graph = decodeModel(twin.bytes).graph;
    const dims = new Map((graph?.initializer ?? []).map((t) => [t.name ?? '', (t.dims ?? []).map(Number)]));
    const bnChannels = (graph?.node ?? [])
      .filter((n) => n.opType === 'Conv' && !(n.name ?? '').includes('/se/'))
      .reduce((sum, n) => sum + (dims.get(n.input?.[2] ?? '')?.[0] ?? 0), 0);
    assert.equal(twin.parameterCount + extraPerChannel[record.architecture.family] * bnChannels, record.architecture.params, record.id);
  }
});
