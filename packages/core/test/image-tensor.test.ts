import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { BadFileError, type ModelRecord, UserError, getModel, readNpy, readNpyArray, toTensor, writeNpy } from '../src/index.ts';
import { FIXTURES, loadNpy, loadRgb, manifest } from './image-fixtures.ts';

describe('toTensor vs the reference pipelines (torchvision ToTensor+Normalize / mobilenet_7 Caffe means)', () => {
  for (const t of manifest.tensor) {
    it(`${t.input.replace('decoded/', '')} for ${t.model} (${t.resize}): bit-identical`, () => {
      const record = getModel(t.model);
      const got = toTensor([loadRgb(t.input)], record, { resize: t.resize });
      const want = loadNpy(t.expected);
      assert.deepEqual(got.dims, want.dims);
      let max = 0;
      for (let i = 0; i < got.data.length; i++) max = Math.max(max, Math.abs(got.data[i] - want.data[i]));
      assert.equal(max, 0, `max abs difference ${max}`);
    });
  }
});

// A 2x2 image whose pixel values make every output element checkable by hand.
const IMG = { width: 2, height: 2, data: Uint8Array.from([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]) };
const base = getModel('enet_b0_8_best_afew');
const record = (over: { input?: Partial<ModelRecord['input']>; normalisation?: Partial<ModelRecord['normalisation']> }): ModelRecord => ({
  ...base,
  id: 'hand',
  input: { ...base.input, width: 2, height: 2, ...over.input },
  normalisation: { ...base.normalisation, scale: 1, mean: [1, 2, 3], std: [2, 4, 5], ...over.normalisation },
});
const R = [10, 40, 70, 100];
const G = [20, 50, 80, 110];
const B = [30, 60, 90, 120];

describe('toTensor layout, channel order and normalisation (hand-computed 2x2)', () => {
  it('NCHW RGB: planes R,G,B; (p*scale - mean[c]) / std[c]', () => {
    const t = toTensor([IMG], record({}));
    assert.deepEqual(t.dims, [1, 3, 2, 2]);
    const want = [...R.map((v) => (v - 1) / 2), ...G.map((v) => (v - 2) / 4), ...B.map((v) => (v - 3) / 5)];
    assert.deepEqual(Array.from(t.data), want.map(Math.fround));
  });
  it('NHWC BGR: interleaved, blue first, mean/std indexed by output channel', () => {
    const t = toTensor([IMG], record({ input: { layout: 'NHWC', color: 'BGR' } }));
    assert.deepEqual(t.dims, [1, 2, 2, 3]);
    const want = [0, 1, 2, 3].flatMap((i) => [(B[i] - 1) / 2, (G[i] - 2) / 4, (R[i] - 3) / 5]);
    assert.deepEqual(Array.from(t.data), want.map(Math.fround));
  });
  it('GRAY: one channel from the record.normalisation.gray weights, scale applied', () => {
    const t = toTensor([IMG, IMG], record({ input: { color: 'GRAY' }, normalisation: { gray: [0.5, 0.25, 0.25], scale: 0.1, mean: [1], std: [2] } }));
    assert.deepEqual(t.dims, [2, 1, 2, 2]);
    const g = [0, 1, 2, 3].map((i) => Math.fround(((0.5 * R[i] + 0.25 * G[i] + 0.25 * B[i]) * 0.1 - 1) / 2));
    assert.deepEqual(Array.from(t.data), [...g, ...g]);
  });
  it('batches images one after another, resizing and cropping each', () => {
    const big = { width: 4, height: 4, data: new Uint8Array(48).fill(200) };
    const t = toTensor([IMG, big], record({}), { box: [undefined, { x: 1, y: 1, width: 2, height: 2 }] });
    assert.deepEqual(t.dims, [2, 3, 2, 2]);
    assert.deepEqual(Array.from(t.data.subarray(12, 16)), [99.5, 99.5, 99.5, 99.5]);
  });
  it('mobilenet_7 convention: NHWC, RGB minus the Caffe means, no scaling', () => {
    const m = getModel('mobilenet_7');
    const flat = { width: 224, height: 224, data: new Uint8Array(224 * 224 * 3).fill(128) };
    const t = toTensor([flat], m);
    assert.deepEqual(t.dims, [1, 224, 224, 3]);
    assert.deepEqual(Array.from(t.data.subarray(0, 3)), [103.939, 116.779, 123.68].map((m) => Math.fround(128 - Math.fround(m))));
  });
  it('rejects a box count that does not match the images', () => {
    assert.throws(() => toTensor([IMG], record({}), { box: [] }), UserError);
  });
});

describe('.npy', () => {
  it('writeNpy is byte-identical to numpy.save for a float32 C-order array', () => {
    const rel = manifest.tensor[0].expected;
    const numpyBytes = new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, rel))));
    const t = readNpy(numpyBytes, rel);
    assert.deepEqual(writeNpy(t), numpyBytes);
  });
  it('round-trips odd shapes', () => {
    const t = { data: Float32Array.from([1.5, -2, 3e-8]), dims: [3] };
    assert.deepEqual(readNpy(writeNpy(t)), { data: t.data, dims: [3] });
    const u = { data: new Float32Array(0), dims: [0, 4] };
    assert.deepEqual(readNpy(writeNpy(u)).dims, [0, 4]);
  });
  it('reads uint8 arrays', () => {
    const a = readNpyArray(new Uint8Array(readFileSync(join(FIXTURES, 'decoded/png_rgb.npy'))));
    assert.equal(a.dtype, '|u1');
    assert.deepEqual(a.dims, [29, 37, 3]);
  });
  it('bad files are BadFileErrors naming the file', () => {
    assert.throws(() => readNpy(new Uint8Array(20), 'x.npy'), (e: unknown) => e instanceof BadFileError && /x\.npy: not a \.npy file/.test(e.message));
    const good = writeNpy({ data: new Float32Array(4), dims: [2, 2] });
    assert.throws(() => readNpy(good.subarray(0, good.length - 1), 't.npy'), /t\.npy: expected 16 data bytes/);
    assert.throws(() => readNpy(new Uint8Array(readFileSync(join(FIXTURES, 'decoded/png_rgb.npy'))), 'u.npy'), /u\.npy: expected float32/);
  });
});
