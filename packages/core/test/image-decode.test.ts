import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BadFileError, applyOrientation, decodeImage, readImage, readImageSync, sniffFormat } from '../src/index.ts';
import { FIXTURES, JAFFE, PHOTOS, diff, jaffeAbsent, loadRgb, manifest, photosAbsent } from './image-fixtures.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const bytesOf = (rel: string) => new Uint8Array(readFileSync(join(FIXTURES, rel)));


describe('decodeImage vs Pillow 9.4 (ImageOps.exif_transpose(Image.open(f)).convert("RGB"))', () => {
  // JPEG included: libjpeg's ISLOW IDCT, fancy upsampling and YCbCr tables make it exact, not just close.
  for (const d of manifest.decode) {
    it(`${d.name}: exact`, () => {
      const img = decodeImage(bytesOf(d.src), d.src);
      const want = loadRgb(d.decoded);
      assert.deepEqual([img.width, img.height], [want.width, want.height], 'size (and EXIF rotation)');
      assert.deepEqual(diff(img.data, want.data), { max: 0, count: 0 });
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
  it('CMYK JPEG is refused rather than decoded with the wrong colours', () => {
    const cmyk = jpg.slice();
    let sof = 2;
    while (!(cmyk[sof] === 0xff && cmyk[sof + 1] === 0xc0)) sof += 2 + ((cmyk[sof + 2] << 8) | cmyk[sof + 3]);
    cmyk[sof + 9] = 4; // component count in the frame header
    expectBad(cmyk, 'print.jpg', /4-channel \(CMYK\/YCCK\) JPEG is not supported/);
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
  it('the fixture covers one L and two P files', () => assert.deepEqual(manifest.jaffe.map((j) => j.pilMode), ['L', 'P', 'P']));
  for (const j of manifest.jaffe) {
    it(`${j.src} (${j.pilMode}) decodes to the same pixels`, async () => {
      const img = await readImage(join(JAFFE, j.src));
      assert.deepEqual([img.height, img.width, 3], j.shape);
      let sum = 0;
      for (const v of img.data) sum += v;
      assert.equal(sum, j.decodedSum, 'pixel sum vs PIL convert("RGB")');
      assert.equal(sha256(img.data), j.decodedSha256, 'pixels vs PIL convert("RGB")');
    });
  }
});

describe('real camera JPEGs decode to exactly the pixels Pillow gives (sha256 of the RGB bytes)', { skip: photosAbsent }, () => {
  it('the fixture holds hashes for all nine photos', () => assert.equal(manifest.photos.length, 9));
  for (const p of manifest.photos) {
    it(p.src, async () => {
      const img = await readImage(join(PHOTOS, p.src));
      assert.deepEqual([img.height, img.width, 3], p.shape);
      assert.equal(sha256(img.data), p.decodedSha256);
    });
  }
});
