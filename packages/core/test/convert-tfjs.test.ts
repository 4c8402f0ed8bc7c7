import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import * as ort from 'onnxruntime-node';
import { convertTfjsGraph, getModel, humanPackageDir, samePads, UserError } from '../src/index.ts';

// Parity: the real TF.js models of @vladmandic/human run in TF.js (CPU backend) and, converted, in onnxruntime-node,
// on the same real photo preprocessed with human's own tf ops; outputs must agree to 1e-4.
const HUMAN = humanPackageDir();
const TOL = 1e-4;
let image: tf.Tensor4D;
let tmp: string;

before(async () => {
  await tf.setBackend('cpu');
  const j = jpeg.decode(readFileSync(join(HUMAN, 'assets', 'samples.jpg')), { useTArray: true, formatAsRGBA: false });
  image = tf.tensor4d(Float32Array.from(j.data), [1, j.height, j.width, 3]);
  tmp = mkdtempSync(join(os.tmpdir(), 'convert-tfjs-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

async function loadTfjs(jsonPath: string): Promise<tf.GraphModel> {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const bins = json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFileSync(join(jsonPath, '..', p))));
  const bin = Buffer.concat(bins);
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
      userDefinedMetadata: json.userDefinedMetadata,
    }),
  );
}

async function parity(jsonPath: string, input: tf.Tensor): Promise<{ maxDiff: number; outputs: string[] }> {
  const conv = convertTfjsGraph(jsonPath);
  const model = await loadTfjs(jsonPath);
  const names = conv.outputs.map((o) => o.tfName);
  const ref = model.execute(input, names);
  const refs = Array.isArray(ref) ? ref : [ref];
  const session = await ort.InferenceSession.create(conv.bytes);
  const got = await session.run({ [conv.inputs[0].name]: new ort.Tensor('float32', input.dataSync() as Float32Array, input.shape) });
  let maxDiff = 0;
  conv.outputs.forEach((o, i) => {
    const a = refs[i].dataSync();
    const b = got[o.name].data as Float32Array;
    assert.deepEqual([...got[o.name].dims], refs[i].shape, `${o.name} shape`);
    for (let k = 0; k < a.length; k++) maxDiff = Math.max(maxDiff, Math.abs(a[k] - b[k]));
  });
  await session.release();
  model.dispose();
  return { maxDiff, outputs: conv.outputs.map((o) => o.name) };
}

test('blazeface: converted ONNX matches TF.js on samples.jpg (all four outputs)', async () => {
  // human's blazeface.getBoxes: resizeBilinear to 256×256, then /127.5 − 1.
  const input = tf.tidy(() => tf.sub(tf.div(tf.image.resizeBilinear(image, [256, 256]), 127.5), 1));
  const { maxDiff, outputs } = await parity(join(HUMAN, 'models', 'blazeface.json'), input);
  assert.deepEqual(outputs, ['Identity', 'Identity_1', 'Identity_2', 'Identity_3']);
  assert.ok(maxDiff <= TOL, `max |Δ| ${maxDiff}`);
});

test('emotion: converted ONNX matches TF.js on samples.jpg, with the record preprocessing', async () => {
  // human's emotion.predict on an RGB 0..1 image: resizeBilinear 64×64, Σ rgb·[0.2989,0.587,0.114], −0.5, ·2.
  const input = tf.tidy(() => tf.mul(tf.sub(tf.sum(tf.mul(tf.image.resizeBilinear(tf.div(image, 255) as tf.Tensor4D, [64, 64], false), tf.tensor1d([0.2989, 0.587, 0.114])), 3, true), 0.5), 2));
  // The registry record's normalisation must describe the same tensor: (gray·scale − mean)/std.
  const rec = getModel('human-emotion');
  const gray = tf.tidy(() => tf.sum(tf.mul(tf.image.resizeBilinear(image, [64, 64], false), tf.tensor1d([...(rec.normalisation.gray ?? [])])), 3, true));
  const viaRecord = tf.tidy(() => tf.div(tf.sub(tf.mul(gray, rec.normalisation.scale), rec.normalisation.mean[0]), rec.normalisation.std[0]));
  assert.ok(tf.max(tf.abs(tf.sub(viaRecord, input))).dataSync()[0] < 1e-5, 'record normalisation = human preprocessing');
  const { maxDiff, outputs } = await parity(join(HUMAN, 'models', 'emotion.json'), input);
  assert.deepEqual(outputs, [rec.outputs.name]);
  assert.ok(maxDiff <= TOL, `max |Δ| ${maxDiff}`);
});

test('input and output names follow the TF.js signature, and can be renamed', () => {
  const path = join(HUMAN, 'models', 'emotion.json');
  const plain = convertTfjsGraph(path);
  assert.deepEqual(plain.inputs, [{ name: 'input_1', tfName: 'input_1', shape: [-1, 64, 64, 1] }]);
  assert.deepEqual(plain.outputs.map((o) => [o.name, o.shape]), [['Identity', [-1, 7]]]);
  assert.equal(plain.report.parameters, getModel('human-emotion').architecture.params);
  const renamed = convertTfjsGraph(path, { rename: { input_1: 'gray', Identity: 'probs' } });
  assert.deepEqual([renamed.inputs[0].name, renamed.outputs[0].name], ['gray', 'probs']);
  assert.equal(renamed.report.ops._FusedConv2D, 9);
});

test('TF SAME padding: extra pixel at the end when the total is odd', () => {
  assert.deepEqual(samePads(256, 5, 2), [1, 2]); // out 128: (127·2 + 5 − 256) = 3 → 1 before, 2 after
  assert.deepEqual(samePads(64, 3, 1), [1, 1]);
  assert.deepEqual(samePads(16, 2, 2), [0, 0]);
  assert.deepEqual(samePads(15, 2, 2), [0, 1]);
});

function copyModel(name: string, edit: (json: { modelTopology: { node: { name: string; op: string }[] } }) => void): string {
  const json = JSON.parse(readFileSync(join(HUMAN, 'models', `${name}.json`), 'utf8'));
  edit(json);
  const path = join(tmp, `${name}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(json));
  copyFileSync(join(HUMAN, 'models', `${name}.bin`), join(tmp, `${name}.bin`));
  return path;
}

test('an unsupported op is a UserError naming the op and the node', () => {
  const path = copyModel('emotion', (j) => {
    const n = j.modelTopology.node.find((x) => x.op === 'Relu');
    if (n) n.op = 'Cumsum';
  });
  assert.throws(
    () => convertTfjsGraph(path),
    (e: unknown) => e instanceof UserError && /op Cumsum/.test(e.message) && /block3_sepconv1_act\/Relu/.test(e.message),
  );
});

test('a truncated weight shard is a BadFileError naming it', () => {
  const path = copyModel('emotion', () => {});
  writeFileSync(join(tmp, 'emotion.bin'), readFileSync(join(HUMAN, 'models', 'emotion.bin')).subarray(0, 1000));
  assert.throws(() => convertTfjsGraph(path), (e: unknown) => e instanceof UserError && /emotion\.bin/.test(e.message));
});
