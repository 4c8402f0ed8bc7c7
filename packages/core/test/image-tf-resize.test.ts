import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resize, type RgbImage } from '../src/index.ts';

// tf-bilinear is what @vladmandic/human feeds its models: compare with TF.js itself (which keeps floats; we round).
test('tf-bilinear equals tf.image.resizeBilinear (alignCorners=false) to within rounding', async () => {
  await tf.setBackend('cpu');
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 24;
  };
  for (const [iw, ih, ow, oh] of [[97, 61, 64, 64], [30, 17, 64, 64], [256, 200, 256, 256], [5, 9, 3, 2]]) {
    const img: RgbImage = { width: iw, height: ih, data: Uint8Array.from({ length: iw * ih * 3 }, rand) };
    const ours = resize(img, ow, oh, 'tf-bilinear');
    const ref = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(img.data, [ih, iw, 3], 'int32').toFloat(), [oh, ow], false).dataSync());
    let max = 0;
    for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(ours.data[i] - ref[i]));
    assert.ok(max <= 0.5 + 1e-3, `${iw}x${ih}->${ow}x${oh}: max diff ${max}`);
  }
});
