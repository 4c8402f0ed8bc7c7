import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { blazefaceAnchors, FaceDetector, getModel, materializeBundled, faceCropBox, humanPackageDir, nonMaxSuppression, type RgbImage } from '../src/index.ts';

const HUMAN = humanPackageDir();
const PHOTOS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'photos');
const tmp = mkdtempSync(join(os.tmpdir(), 'detect-'));
let detector: FaceDetector;
let samples: RgbImage;

function loadJpeg(path: string): RgbImage {
  const j = jpeg.decode(readFileSync(path), { useTArray: true, formatAsRGBA: false });
  return { width: j.width, height: j.height, data: j.data };
}

before(() => {
  detector = new FaceDetector({ cacheDir: tmp });
  samples = loadJpeg(join(HUMAN, 'assets', 'samples.jpg'));
});
after(async () => {
  await detector.release();
  rmSync(tmp, { recursive: true, force: true });
});

function assertInside(faces: { box: { x: number; y: number; width: number; height: number } }[], img: RgbImage): void {
  for (const f of faces) {
    assert.ok(f.box.x >= 0 && f.box.y >= 0 && f.box.width > 0 && f.box.height > 0, JSON.stringify(f.box));
    assert.ok(f.box.x + f.box.width <= img.width && f.box.y + f.box.height <= img.height, JSON.stringify(f.box));
  }
}

test("finds the faces in human's samples.jpg (a grid of photos), sorted by score, inside the image", async () => {
  const faces = await detector.detect(samples);
  // 18 at human's thresholds: most are faces of the group photo and thumbnails (checked by drawing them once).
  assert.ok(faces.length >= 10 && faces.length <= 30, `${faces.length} faces`);
  assertInside(faces, samples);
  for (let i = 1; i < faces.length; i++) assert.ok(faces[i - 1].score >= faces[i].score);
  assert.ok(faces.every((f) => f.score > 0.2 && f.landmarks?.length === 6));
  // Eyes (landmarks 0 and 1) of the best faces lie inside their boxes.
  for (const f of faces.slice(0, 5)) {
    for (const [x, y] of f.landmarks!.slice(0, 2)) assert.ok(x >= f.box.x && x <= f.box.x + f.box.width && y >= f.box.y && y <= f.box.y + f.box.height);
  }
  const strict = await detector.detect(samples, { scoreThreshold: 0.5 });
  assert.ok(strict.length < faces.length && strict.length > 0);
  assert.deepEqual(strict, faces.filter((f) => f.score > 0.5));
  assert.equal((await detector.detect(samples, { maxFaces: 3 })).length, 3);
});

test("same faces as human's own blazeface code in TF.js (decode, sigmoid, tf NMS)", async () => {
  await tf.setBackend('cpu');
  const json = JSON.parse(readFileSync(join(HUMAN, 'models', 'blazeface.json'), 'utf8'));
  const bin = readFileSync(join(HUMAN, 'models', 'blazeface.bin'));
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length), userDefinedMetadata: json.userDefinedMetadata }),
  );
  // Transcription of human 3.3.6 src/face/blazeface.ts getBoxes (square=false), maxDetected raised to keep all.
  const input = tf.tensor4d(Float32Array.from(samples.data), [1, samples.height, samples.width, 3]);
  const normalized = tf.sub(tf.div(tf.image.resizeBilinear(input, [256, 256]), 127.5), 1);
  const res = (model.execute(normalized) as tf.Tensor[]).sort((a, b) => a.size - b.size);
  const batch = tf.squeeze(tf.concat([tf.concat([res[1], res[3]], 2), tf.concat([res[0], res[2]], 2)], 1), [0]) as tf.Tensor2D;
  const anchors = tf.tensor2d(blazefaceAnchors(256), [896, 2]);
  const centers = tf.add(tf.slice(batch, [0, 1], [-1, 2]), anchors);
  const half = tf.div(tf.slice(batch, [0, 3], [-1, 2]), 2);
  const boxes = tf.concat2d([tf.sub(centers, half) as tf.Tensor2D, tf.add(centers, half) as tf.Tensor2D], 1);
  const scores = tf.squeeze(tf.sigmoid(tf.slice(batch, [0, 0], [-1, 1]))) as tf.Tensor1D;
  const keep = await (await tf.image.nonMaxSuppressionAsync(boxes, scores, 1000, 0.1, 0.2)).array();
  const boxData = boxes.arraySync();
  const scoreData = scores.arraySync();
  const expected = keep.filter((i) => scoreData[i] > 0.2);
  const faces = await detector.detect(samples);
  assert.equal(faces.length, expected.length);
  const fx = samples.width / 256;
  const fy = samples.height / 256;
  faces.forEach((f, k) => {
    const [x1, y1, x2, y2] = boxData[expected[k]];
    const want = [Math.max(0, Math.min(x1, x2) * fx), Math.max(0, Math.min(y1, y2) * fy), Math.min(samples.width, Math.max(x1, x2) * fx), Math.min(samples.height, Math.max(y1, y2) * fy)];
    const got = [f.box.x, f.box.y, f.box.x + f.box.width, f.box.y + f.box.height];
    for (let c = 0; c < 4; c++) assert.ok(Math.abs(got[c] - want[c]) < 0.05, `face ${k} coord ${c}: ${got[c]} vs ${want[c]}`);
    assert.ok(Math.abs(f.score - scoreData[expected[k]]) < 1e-4);
  });
  // Preprocessing parity on its own (resize as tf.image.resizeBilinear, then /127.5 − 1).
  const ours = detector.preprocess(samples);
  const theirs = normalized.dataSync();
  let d = 0;
  for (let i = 0; i < ours.length; i++) d = Math.max(d, Math.abs(ours[i] - theirs[i]));
  assert.ok(d < 1e-5, `preprocess max |Δ| ${d}`);
  model.dispose();
});

test('zero faces: a flat grey image and an empty image give an empty array', async () => {
  assert.deepEqual(await detector.detect({ width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(128) }), []);
  assert.deepEqual(await detector.detect({ width: 0, height: 0, data: new Uint8Array(0) }), []);
});

test('many faces: a crowd photo gives every face above the threshold', { skip: existsSync(PHOTOS) ? false : `no ${PHOTOS} (shared test photos absent)` }, async () => {
  const img = loadJpeg(join(PHOTOS, '1.jpg'));
  const faces = await detector.detect(img);
  assert.ok(faces.length >= 20, `${faces.length} faces in a crowd photo`);
  assertInside(faces, img);
  assert.ok(faces.every((f) => f.score > 0.2));
});

test('the converted model is cached by source hash and reused', () => {
  const record = getModel('blazeface');
  const a = materializeBundled(record, { cacheDir: tmp });
  const mtime = statSync(a).mtimeMs;
  assert.equal(materializeBundled(record, { cacheDir: tmp }), a);
  assert.equal(statSync(a).mtimeMs, mtime);
  assert.match(a, /blazeface-[0-9a-f]{16}\.onnx$/);
});

test('NMS follows tf.image.nonMaxSuppression: score > threshold, IoU ≥ threshold suppresses', () => {
  const boxes = Float32Array.from([0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30, 0, 0, 10, 10]);
  const scores = Float32Array.from([0.9, 0.8, 0.7, 0.2]);
  assert.deepEqual(nonMaxSuppression(boxes, scores, { maxOutput: 10, iouThreshold: 0.5, scoreThreshold: 0.2 }), [0, 2]);
  assert.deepEqual(nonMaxSuppression(boxes, scores, { maxOutput: 10, iouThreshold: 0.99, scoreThreshold: 0.1 }), [0, 1, 2]);
  assert.deepEqual(nonMaxSuppression(boxes, scores, { maxOutput: 1, iouThreshold: 0.5, scoreThreshold: 0 }), [0]);
});

test('crop options: plain box, scale, margin, square, clamped to the image', () => {
  const img = { width: 100, height: 80 };
  const box = { x: 10.4, y: 20.6, width: 30, height: 20 };
  assert.deepEqual(faceCropBox(box, img), { x: 10, y: 21, width: 30, height: 20 });
  assert.deepEqual(faceCropBox(box, img, { scale: 2 }), { x: 0, y: 11, width: 55, height: 40 });
  assert.deepEqual(faceCropBox(box, img, { margin: 5 }), { x: 5, y: 16, width: 40, height: 30 });
  assert.deepEqual(faceCropBox(box, img, { square: true }), { x: 10, y: 16, width: 30, height: 30 });
  assert.deepEqual(faceCropBox({ x: 90, y: 70, width: 20, height: 20 }, img), { x: 90, y: 70, width: 10, height: 10 });
});
