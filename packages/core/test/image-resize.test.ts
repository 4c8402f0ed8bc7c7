import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UserError, crop, cropPolicyFor, pilBilinear, readImage, resize } from '../src/index.ts';
import { JAFFE, diff, jaffeAbsent, loadRgb, manifest } from './image-fixtures.ts';

describe('resize is bit-exact with Pillow 9.4 and OpenCV 4.6 on identical input pixels', () => {
  for (const c of manifest.resize) {
    const box = c.box ? ` after crop ${c.box.x},${c.box.y},${c.box.width},${c.box.height} (${cropPolicyFor(c.mode)})` : '';
    it(`${c.mode} ${c.input.replace('decoded/', '')} -> ${c.width}x${c.height}${box}: exact`, () => {
      let img = loadRgb(c.input);
      if (c.box) img = crop(img, c.box, cropPolicyFor(c.mode));
      const out = resize(img, c.width, c.height, c.mode);
      const want = loadRgb(c.expected);
      assert.deepEqual([out.width, out.height], [want.width, want.height]);
      assert.deepEqual(diff(out.data, want.data), { max: 0, count: 0 });
    });
  }
});

describe('resize of JAFFE TIFFs (256x256 -> 224x224) matches the libraries exactly', { skip: jaffeAbsent }, () => {
  for (const j of manifest.jaffe) {
    for (const o of j.outputs) {
      it(`${j.src} ${o.mode}`, async () => {
        const out = resize(await readImage(join(JAFFE, j.src)), o.width, o.height, o.mode);
        assert.deepEqual(diff(out.data, loadRgb(o.expected).data), { max: 0, count: 0 });
      });
    }
  }
});

describe('resize details', () => {
  const grad = { width: 4, height: 1, data: Uint8Array.from([0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255]) };
  it('same size is a copy, never the same buffer', () => {
    for (const m of ['pil-bilinear', 'cv2-linear', 'nearest'] as const) {
      const out = resize(grad, 4, 1, m);
      assert.deepEqual(out.data, grad.data);
      assert.notEqual(out.data, grad.data);
    }
  });
  it('2x upscale of a 1-D ramp by hand (cv2: half-pixel centres, weights 1/4 and 3/4, edges replicated)', () => {
    const out = resize(grad, 8, 1, 'cv2-linear');
    // x=0: edge -> 0; x=1: 0.75*0+0.25*100=25; x=2: 75; x=3: 125; x=4: 175; x=5: 213.75->214; x=6: 241.25->241; x=7: 255
    assert.deepEqual(Array.from(out.data.filter((_, i) => i % 3 === 0)), [0, 25, 75, 125, 175, 214, 241, 255]);
  });
  it('PIL antialiases when shrinking: 4->2 uses a triangle twice as wide (3 taps per output)', () => {
    const out = resize(grad, 2, 1, 'pil-bilinear');
    // centre 1.0, support 2: taps 0,1,2 weigh .75,.75,.25 -> (0*.75+100*.75+200*.25)/1.75 = 71.4; centre 3: 209.3
    assert.deepEqual(Array.from(out.data.filter((_, i) => i % 3 === 0)), [71, 209]);
  });
  it("pilBilinear's box reads outside the box like Pillow (values from Image.resize((6,5), BILINEAR, box=...))", () => {
    const img = loadRgb('decoded/png_rgb.npy');
    const red = (r: { data: Uint8Array }) => Array.from(r.data.filter((_, i) => i % 3 === 0));
    assert.deepEqual(red(pilBilinear(img, 6, 5, [5, 3, 30, 25])), [
      147, 154, 183, 175, 157, 133, 153, 143, 166, 168, 171, 175, 73, 49, 52, 64, 90, 125, 66, 42, 45, 57, 84, 119, 101, 91, 105, 108, 115, 126,
    ]);
    assert.deepEqual(red(pilBilinear(img, 6, 5, [5.5, 3.25, 30, 25.75])), [
      144, 157, 180, 173, 156, 135, 144, 141, 160, 162, 167, 174, 63, 43, 46, 59, 86, 122, 65, 47, 50, 62, 87, 120, 105, 104, 118, 119, 122, 127,
    ]);
  });
  it('rejects bad targets and modes with UserError', () => {
    assert.throws(() => resize(grad, 0, 3, 'nearest'), UserError);
    assert.throws(() => resize(grad, 2.5, 3, 'nearest'), UserError);
    assert.throws(() => resize(grad, 2, 3, 'lanczos' as never), /unknown resize mode "lanczos"/);
  });
});

describe('crop', () => {
  const img = { width: 3, height: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6].flatMap((v) => [v, v, v])) };
  const red = (r: { width: number; height: number; data: Uint8Array }) => [r.width, r.height, ...Array.from(r.data.filter((_, i) => i % 3 === 0))];
  it('inside the image: both policies agree', () => {
    assert.deepEqual(red(crop(img, { x: 1, y: 0, width: 2, height: 2 }, 'pad')), [2, 2, 2, 3, 5, 6]);
    assert.deepEqual(red(crop(img, { x: 1, y: 0, width: 2, height: 2 }, 'clip')), [2, 2, 2, 3, 5, 6]);
  });
  it("partly outside: 'pad' keeps the box size with black (PIL), 'clip' intersects (numpy slicing)", () => {
    assert.deepEqual(red(crop(img, { x: -1, y: 1, width: 3, height: 2 }, 'pad')), [3, 2, 0, 4, 5, 0, 0, 0]);
    assert.deepEqual(red(crop(img, { x: -1, y: 1, width: 3, height: 2 }, 'clip')), [2, 1, 4, 5]);
  });
  it('fractional coordinates round half to even like PIL', () => {
    // x0 = round(0.5) = 0, x1 = round(2.5) = 2
    assert.deepEqual(red(crop(img, { x: 0.5, y: 0, width: 2, height: 1 }, 'pad')), [2, 1, 1, 2]);
    // x0 = round(1.5) = 2, x1 = round(3.5) = 4 (padded)
    assert.deepEqual(red(crop(img, { x: 1.5, y: 0, width: 2, height: 1 }, 'pad')), [2, 1, 3, 0]);
  });
  it('empty boxes and boxes entirely outside are UserErrors', () => {
    assert.throws(() => crop(img, { x: 0, y: 0, width: 0, height: 1 }), /no area/);
    assert.throws(() => crop(img, { x: 5, y: 5, width: 2, height: 2 }, 'clip'), /lies outside the 3x2 image/);
    assert.deepEqual(red(crop(img, { x: 5, y: 5, width: 1, height: 1 }, 'pad')), [1, 1, 0]);
  });
});
