import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BadFileError, applyOrientation, decodeImage, readImage, readImageSync, sniffFormat } from '../src/index.ts';
import { FIXTURES, JAFFE, diff, jaffeAbsent, loadRgb, manifest } from './image-fixtures.ts';

const bytesOf = (rel: string) => new Uint8Array(readFileSync(join(FIXTURES, rel)));

// jpeg-js's integer IDCT is not libjpeg-turbo's ISLOW; after our libjpeg-style upsampling and colour conversion the
// measured gap on these fixtures is at most 3 levels (mean ~0.13).
const JPEG_MAX_LEVELS = 3;
const JPEG_MAX_MEAN = 0.25;

describe('decodeImage vs Pillow 9.4 (ImageOps.exif_transpose(Image.open(f)).convert("RGB"))', () => {
  for (const d of manifest.decode) {
    const jpeg = d.src.endsWith('.jpg');
    it(`${d.name}: ${jpeg ? `within ${JPEG_MAX_LEVELS} levels` : 'exact'}`, () => {
      const img = decodeImage(bytesOf(d.src), d.src);
      const want = loadRgb(d.decoded);
      assert.deepEqual([img.width, img.height], [want.width, want.height], 'size (and EXIF rotation)');
      const { max } = diff(img.data, want.data);
      if (jpeg) {
        let sum = 0;
        for (let i = 0; i < img.data.length; i++) sum += Math.abs(img.data[i] - want.data[i]);
        assert.ok(max <= JPEG_MAX_LEVELS, `max abs difference ${max}`);
        assert.ok(sum / img.data.length <= JPEG_MAX_MEAN, `mean abs difference ${sum / img.data.length}`);
      } else {
        assert.equal(max, 0);
      }
    });
  }

  it('detects the format by magic bytes, not by extension', () => {
    const png = bytesOf('src/png_rgb.png');
    assert.equal(sniffFormat(png), 'png');
    const img = decodeImage(png, 'mislabelled.jpg');
    assert.equal(img.width, 37);
  });

  it('readImage and readImageSync read from disk', async () => {
    const path = join(FIXTURES, 'src/png_palette.png');
    const a = await readImage(path);
    const b = readImageSync(path);
    assert.deepEqual(a, b);
    assert.deepEqual(a.data, loadRgb('decoded/png_palette.npy').data);
  });
});

describe('applyOrientation', () => {
  // A 3x2 image whose pixel values are their indices makes each transform readable by eye.
  const img = { width: 3, height: 2, data: Uint8Array.from([0, 1, 2, 3, 4, 5].flatMap((v) => [v, v, v])) };
  const red = (o: number) => {
    const r = applyOrientation(img, o);
    return [r.width, r.height, ...Array.from(r.data.filter((_, i) => i % 3 === 0))];
  };
  it('undoes all eight EXIF orientations', () => {
    assert.deepEqual(red(1), [3, 2, 0, 1, 2, 3, 4, 5]);
    assert.deepEqual(red(2), [3, 2, 2, 1, 0, 5, 4, 3]);
    assert.deepEqual(red(3), [3, 2, 5, 4, 3, 2, 1, 0]);
    assert.deepEqual(red(4), [3, 2, 3, 4, 5, 0, 1, 2]);
    assert.deepEqual(red(5), [2, 3, 0, 3, 1, 4, 2, 5]);
    assert.deepEqual(red(6), [2, 3, 3, 0, 4, 1, 5, 2]);
    assert.deepEqual(red(7), [2, 3, 5, 2, 4, 1, 3, 0]);
    assert.deepEqual(red(8), [2, 3, 2, 5, 1, 4, 0, 3]);
  });
});

describe('decodeImage errors name the file and the problem', () => {
  const expectBad = (bytes: Uint8Array, name: string, pattern: RegExp) => {
    assert.throws(
      () => decodeImage(bytes, name),
      (err: unknown) => err instanceof BadFileError && err.file === name && err.message.startsWith(`${name}: `) && pattern.test(err.message),
    );
  };
  const jpg = bytesOf('src/jpeg_baseline.jpg');
  const png = bytesOf('src/png_rgb.png');

  it('truncated JPEG', () => expectBad(jpg.subarray(0, Math.floor(jpg.length * 0.6)), 'cut.jpg', /truncated JPEG/));
  it('JPEG cut inside its headers', () => expectBad(jpg.subarray(0, 40), 'head.jpg', /JPEG/));
  it('corrupt JPEG scan data', () => {
    const bad = jpg.slice();
    // Overwrite the middle of the entropy-coded data with marker bytes the decoder cannot accept.
    for (let i = Math.floor(bad.length / 2); i < Math.floor(bad.length / 2) + 64; i += 2) {
      bad[i] = 0xff;
      bad[i + 1] = 0xc4;
    }
    expectBad(bad, 'corrupt.jpg', /corrupt or truncated JPEG/);
  });
  it('truncated PNG', () => expectBad(png.subarray(0, png.length - 30), 'cut.png', /truncated PNG/));
  it('PNG with a bad checksum', () => {
    const bad = png.slice();
    bad[60] ^= 0xff; // inside the first IDAT
    expectBad(bad, 'crc.png', /corrupt or truncated PNG/);
  });
  it('unknown format', () => expectBad(new TextEncoder().encode('GIF89a......'), 'anim.gif', /not a JPEG, PNG or TIFF image: GIF/));
  it('empty file', () => expectBad(new Uint8Array(0), 'empty.png', /empty file/));
  it('truncated TIFF', () => {
    const tif = bytesOf('src/tiff_rgb.tiff');
    expectBad(tif.subarray(0, 200), 'cut.tiff', /TIFF/);
  });
  it('missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'affectbench-img-'));
    await assert.rejects(readImage(join(dir, 'nope.jpg')), /nope\.jpg: no such file/);
    await writeFile(join(dir, 'x.bin'), 'hello');
    await assert.rejects(readImage(join(dir, 'x.bin')), (err: unknown) => err instanceof BadFileError && /x\.bin: not a JPEG/.test(err.message));
  });
});

describe('JAFFE TIFFs (8-bit grey "L" and palette "P") vs Pillow', { skip: jaffeAbsent }, () => {
  for (const j of manifest.jaffe) {
    it(`${j.src} (${j.pilMode}) decodes to the same pixels`, async () => {
      const img = await readImage(join(JAFFE, j.src));
      assert.deepEqual([img.height, img.width, 3], j.shape);
      let sum = 0;
      for (const v of img.data) sum += v;
      assert.equal(sum, j.decodedSum, 'pixel sum vs PIL convert("RGB")');
    });
  }
});
