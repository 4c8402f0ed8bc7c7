import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { BadFileError, convertKerasH5, convertModelFile, UserError } from '../src/index.ts';

// The fixture is written by scripts/make_h5_fixture.py in Keras 2's h5 layout, with every layer class of
// mobilenet_7.h5 (ZeroPadding2D, Conv2D, DepthwiseConv2D, BatchNormalization, ReLU(6), Activation relu/relu6,
// GlobalAveragePooling2D, Reshape, Dropout, Flatten, Dense relu/softmax); its reference outputs come from numpy.
// Not verifiable here: the real mobilenet_7.h5 (not on this machine) — its exact layer list and Keras version.
const FIX = join(import.meta.dirname, '..', 'fixtures', 'convert');
const H5 = join(FIX, 'mobilenet_tiny.h5');
const ref = JSON.parse(readFileSync(join(FIX, 'mobilenet_tiny_ref.json'), 'utf8')) as {
  input_shape: number[];
  input: number[];
  outputs: Record<string, { shape: number[]; data: number[] }>;
  params: number;
};
const tmp = mkdtempSync(join(os.tmpdir(), 'convert-keras-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('Keras .h5 (MobileNet-v1 layer types + Dense heads) converts and matches the numpy reference to 1e-4', async () => {
  const conv = await convertKerasH5(H5);
  assert.deepEqual(conv.inputs, [{ name: 'input_1', tfName: 'input_1', shape: [-1, 32, 32, 3] }]);
  assert.deepEqual(conv.outputs, [{ name: 'emotion_preds', tfName: 'emotion_preds', shape: [-1, 7] }]);
  assert.equal(conv.report.parameters, ref.params);
  assert.equal(conv.report.ops.DepthwiseConv2D, 3);
  const session = await ort.InferenceSession.create(conv.bytes);
  const out = await session.run({ input_1: new ort.Tensor('float32', Float32Array.from(ref.input), ref.input_shape) });
  const got = out.emotion_preds;
  assert.deepEqual([...got.dims], ref.outputs.emotion_preds.shape);
  const want = ref.outputs.emotion_preds.data;
  let d = 0;
  for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs((got.data as Float32Array)[i] - want[i]));
  assert.ok(d <= 1e-4, `max |Δ| ${d}`);
  // The two images must give different outputs, or the comparison above would prove little.
  assert.ok(Math.abs(want[0] - want[7]) > 1e-3);
  await session.release();
});

test('--model checks the record: mobilenet_7 wants 224×224×3, the tiny fixture is refused by name', async () => {
  await assert.rejects(convertModelFile(H5, { modelId: 'mobilenet_7' }), (e: unknown) => e instanceof UserError && /mobilenet_7/.test(e.message) && /32, 32, 3/.test(e.message));
  await assert.rejects(convertModelFile(H5, { modelId: 'nope' }), (e: unknown) => e instanceof UserError && /unknown model/.test(e.message));
});

test('not an HDF5 file, or a file without model_config, is a BadFileError naming it', async () => {
  const bogus = join(tmp, 'bogus.h5');
  writeFileSync(bogus, 'hello');
  await assert.rejects(convertKerasH5(bogus), (e: unknown) => e instanceof BadFileError && e.message.startsWith(bogus));
  await assert.rejects(convertKerasH5(join(tmp, 'missing.h5')), (e: unknown) => e instanceof BadFileError && /no such file/.test(e.message));
  // An unsupported layer class is named with the layer.
  const edited = join(tmp, 'edited.h5');
  copyFileSync(H5, edited);
  const h5wasm = (await import('h5wasm/node')).default;
  await h5wasm.ready;
  const f = new h5wasm.File(edited, 'a');
  const cfg = JSON.parse(f.attrs.model_config.value as string);
  cfg.config.layers.find((l: { name: string }) => l.name === 'flatten').class_name = 'LSTM';
  f.delete_attribute('model_config');
  f.create_attribute('model_config', JSON.stringify(cfg));
  f.close();
  await assert.rejects(convertKerasH5(edited), (e: unknown) => e instanceof UserError && /"flatten" \(LSTM\)/.test(e.message));
});

test('convertModelFile dispatches on the extension and rejects unknown ones', async () => {
  await assert.rejects(convertModelFile(join(tmp, 'model.pt')), (e: unknown) => e instanceof UserError && /extension/.test(e.message));
  const viaFile = await convertModelFile(H5);
  assert.equal(viaFile.report.sourceFormat, 'h5');
});
