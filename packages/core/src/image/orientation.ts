import type { RgbImage } from './types.ts';

/**
 * EXIF orientation (tag 0x0112), browser-safe. Values 2..8 are undone the way Pillow's ImageOps.exif_transpose
 * does: 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE, 6 ROTATE_270, 7 TRANSVERSE, 8 ROTATE_90.
 */

/** Orientation from a TIFF-structured EXIF block (starts with "II*\0" or "MM\0*"); undefined when absent or bad. */
export function exifOrientation(tiff: Uint8Array): number | undefined {
  if (tiff.length < 8) return undefined;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return undefined;
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > tiff.length) return undefined;
    if (view.getUint16(e, little) !== 0x0112) continue;
    const type = view.getUint16(e + 2, little);
    // SHORT is what the standard says; LONG shows up in the wild and Pillow accepts it too.
    const v = type === 3 ? view.getUint16(e + 8, little) : type === 4 ? view.getUint32(e + 8, little) : undefined;
    return v !== undefined && v >= 1 && v <= 8 ? v : undefined;
  }
  return undefined;
}

/** EXIF block of a JPEG: the first APP1 segment that starts with "Exif\0\0" (the one Pillow reads). */
export function jpegExif(bytes: Uint8Array): Uint8Array | undefined {
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return undefined;
    const marker = bytes[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // start of scan / end: no more metadata
    const len = (bytes[p + 2] << 8) | bytes[p + 3];
    if (marker === 0xe1 && len >= 8) {
      const s = p + 4;
      if (bytes[s] === 0x45 && bytes[s + 1] === 0x78 && bytes[s + 2] === 0x69 && bytes[s + 3] === 0x66 && bytes[s + 4] === 0 && bytes[s + 5] === 0) {
        return bytes.subarray(s + 6, Math.min(p + 2 + len, bytes.length));
      }
    }
    p += 2 + len;
  }
  return undefined;
}

/** Applies the transform that makes an image with this EXIF orientation upright. */
export function applyOrientation(img: RgbImage, orientation: number | undefined): RgbImage {
  if (!orientation || orientation === 1 || orientation > 8) return img;
  const { width: W, height: H, data } = img;
  const swap = orientation >= 5;
  const ow = swap ? H : W;
  const oh = swap ? W : H;
  const out = new Uint8Array(data.length);
  // For each output pixel (x,y): which input pixel it comes from.
  const from: (x: number, y: number) => number = {
    2: (x: number, y: number) => y * W + (W - 1 - x),
    3: (x: number, y: number) => (H - 1 - y) * W + (W - 1 - x),
    4: (x: number, y: number) => (H - 1 - y) * W + x,
    5: (x: number, y: number) => x * W + y,
    6: (x: number, y: number) => (H - 1 - x) * W + y,
    7: (x: number, y: number) => (H - 1 - x) * W + (W - 1 - y),
    8: (x: number, y: number) => x * W + (W - 1 - y),
  }[orientation as 2 | 3 | 4 | 5 | 6 | 7 | 8];
  let o = 0;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++, o += 3) {
      const i = from(x, y) * 3;
      out[o] = data[i];
      out[o + 1] = data[i + 1];
      out[o + 2] = data[i + 2];
    }
  }
  return { width: ow, height: oh, data: out };
}
