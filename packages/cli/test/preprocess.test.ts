import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { readNpy } from '@affectbench/core';
import { runCli } from './helpers/run-cli.ts';

const FIX = fileURLToPath(new URL('../../core/fixtures/image/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'affectbench-preprocess-'));

test('preprocess writes the same tensor as the reference pipeline (mobilenet_7, cv2-linear, NHWC)', async () => {
  const out = join(dir, 'm7.npy');
  const r = await runCli(['preprocess', '--model', 'mobilenet_7', '--image', join(FIX, 'src/png_rgb.png'), '--out', out, '--json']);
  assert.equal(r.code, 0, r.err);
  const info = JSON.parse(r.out);
  assert.deepEqual(info.dims, [1, 224, 224, 3]);
  assert.equal(info.resize, 'cv2-linear');
  // The fixture was made by numpy from PIL-decoded pixels; PNG decoding is exact, so the bytes must be identical.
  const want = gunzipSync(readFileSync(join(FIX, 'tensor/png_rgb_mobilenet_7.npy.gz')));
  assert.deepEqual(new Uint8Array(readFileSync(out)), new Uint8Array(want));
});

test('preprocess honours --resize and --box, and prints a human summary', async () => {
  const out = join(dir, 'b0.npy');
  const r = await runCli(['preprocess', '--model', 'enet_b0_8_best_afew', '--image', join(FIX, 'src/jpeg_exif6.jpg'), '--box', '5,5,30,40', '--resize', 'nearest', '--out', out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /float32 \[1, 3, 224, 224\] NCHW RGB for enet_b0_8_best_afew/);
  assert.match(r.out, /box 5,5,30,40 \(pad\), resize nearest/);
  const t = readNpy(new Uint8Array(readFileSync(out)));
  assert.deepEqual(t.dims, [1, 3, 224, 224]);
  // Nearest from a 30x40 crop: every output value is one of the normalised source values, so few distinct values.
  assert.ok(new Set(t.data.subarray(0, 224 * 224)).size <= 30 * 40);
});

test('preprocess rejects bad --box, --resize, unknown models and unreadable images clearly', async () => {
  const img = join(FIX, 'src/png_rgb.png');
  const out = join(dir, 'x.npy');
  const cases: [string[], RegExp][] = [
    [['--model', 'mobilenet_7', '--image', img, '--out', out, '--box', '1,2,3'], /box must be four numbers x,y,width,height \(got "1,2,3"\)/],
    [['--model', 'mobilenet_7', '--image', img, '--out', out, '--box', '1,2,0,5'], /width and height must be positive/],
    [['--model', 'mobilenet_7', '--image', img, '--out', out, '--box', '500,500,10,10', '--resize', 'cv2-linear'], /lies outside the 37x29 image/],
    [['--model', 'mobilenet_7', '--image', img, '--out', out, '--resize', 'bicubic'], /unknown --resize "bicubic"/],
    [['--model', 'nope', '--image', img, '--out', out], /unknown model "nope"/],
    [['--model', 'mobilenet_7', '--image', join(FIX, 'manifest.json'), '--out', out], /manifest\.json: not a JPEG, PNG or TIFF image/],
    [['--model', 'mobilenet_7', '--image', join(dir, 'missing.png'), '--out', out], /missing\.png: no such file/],
    [['--model', 'mobilenet_7', '--image', img], /preprocess needs --out/],
  ];
  for (const [argv, pattern] of cases) {
    const r = await runCli(['preprocess', ...argv]);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, pattern);
    assert.doesNotMatch(r.err, /at .*\.ts:\d+/);
  }
});
