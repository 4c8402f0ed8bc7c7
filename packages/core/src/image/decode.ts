/// <reference path="./utif.d.ts" />
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readFailure } from '../files.ts';
import jpegDecoder from './vendor/jpeg-decoder.cjs';
import { PNG } from 'pngjs';
import UTIF from 'utif';
import { BadFileError } from '../errors.ts';
import { type ChromaSampling, yccToRgbLibjpeg } from './jpeg-color.ts';
import { applyOrientation, exifOrientation, jpegExif } from './orientation.ts';
import type { RgbImage } from './types.ts';

interface JpegJsOptions {
  useTArray: boolean;
  formatAsRGBA: boolean;
  tolerantDecoding: boolean;
  maxMemoryUsageInMB: number;
  colorTransform?: boolean;
}
// jpeg-js with libjpeg's ISLOW IDCT swapped in (vendor/jpeg-decoder.cjs): jpeg-js's own 12-bit IDCT is up to 3 levels off.
// A static import (not createRequire) so bundlers carry the file along.
const jpegDecode = jpegDecoder as (bytes: Uint8Array, opts: JpegJsOptions) => { width: number; height: number; data: Uint8Array };

/**
 * Node-side decoding to 8-bit RGB with the result Pillow gives for
 * `ImageOps.exif_transpose(Image.open(f)).convert('RGB')` — the loader behind every published number.
 * PNG and TIFF are bit-exact with Pillow 9.4. JPEG goes through jpeg-js's parser and entropy decoder with libjpeg's ISLOW
 * IDCT, fancy upsampling and YCbCr conversion put in its place (see test/image-decode.test.ts for the measured parity). Alpha is dropped, never composited (as convert('RGB')).
 */

export type ImageFormat = 'jpeg' | 'png' | 'tiff';

const startsWith = (b: Uint8Array, sig: readonly number[]) => sig.every((v, i) => b[i] === v);

/** Format from magic bytes; file extensions are not trusted. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  return undefined;
}

/** Names formats we recognise but do not decode, so the error says what the file is. */
function describeUnknown(bytes: Uint8Array): string {
  const ascii = String.fromCharCode(...bytes.subarray(0, 12));
  if (ascii.startsWith('GIF8')) return 'GIF';
  if (ascii.startsWith('BM')) return 'BMP';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'WebP';
  if (ascii.slice(4, 8) === 'ftyp') return 'HEIF/AVIF or MP4';
  if (bytes.length === 0) return 'an empty file';
  return `unrecognised data (first bytes ${Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')})`;
}

/** Decodes JPEG, PNG or TIFF bytes; `name` (usually the path) appears in every error. */
export function decodeImage(bytes: Uint8Array, name: string): RgbImage {
  const format = sniffFormat(bytes);
  if (!format) throw new BadFileError(name, `not a JPEG, PNG or TIFF image: ${describeUnknown(bytes)}`);
  try {
    if (format === 'jpeg') return decodeJpeg(bytes, name);
    if (format === 'png') return decodePng(bytes, name);
    return decodeTiff(bytes, name);
  } catch (err) {
    if (err instanceof BadFileError) throw err;
    throw new BadFileError(name, `corrupt or truncated ${format.toUpperCase()} (${(err as Error).message ?? String(err)})`, { cause: err });
  }
}

export async function readImage(path: string): Promise<RgbImage> {
  return decodeImage(await readBytes(path), path);
}

export function readImageSync(path: string): RgbImage {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw readFailure(path, err);
  }
  return decodeImage(bytes, path);
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw readFailure(path, err);
  }
}


// --- JPEG -------------------------------------------------------------------------------------------------------

interface JpegHeader {
  /** Per component: id, horizontal and vertical sampling factor. */
  components: { id: number; h: number; v: number }[];
  /** Adobe APP14 colour transform flag, when the marker is present. */
  adobeTransform?: number;
}

/** Frame header and Adobe marker, read before the first scan. */
function jpegHeader(bytes: Uint8Array): JpegHeader | undefined {
  let p = 2;
  let adobeTransform: number | undefined;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return undefined;
    const m = bytes[p + 1];
    if (m === 0xff) {
      p++;
      continue;
    }
    const len = (bytes[p + 2] << 8) | bytes[p + 3];
    if (m === 0xee && len >= 12 && String.fromCharCode(...bytes.subarray(p + 4, p + 9)) === 'Adobe') adobeTransform = bytes[p + 15];
    const isSof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (isSof) {
      const n = bytes[p + 9];
      if (p + 10 + n * 3 > bytes.length) return undefined;
      const components = Array.from({ length: n }, (_, i) => {
        const q = p + 10 + i * 3;
        return { id: bytes[q], h: bytes[q + 1] >> 4, v: bytes[q + 1] & 15 };
      });
      return { components, adobeTransform };
    }
    if (m === 0xda) return undefined;
    p += 2 + len;
  }
  return undefined;
}

/**
 * Chroma sampling when the pixels are YCbCr that we can finish the libjpeg way; undefined when jpeg-js's own
 * conversion must stand (RGB-coded JPEGs, or samplings libjpeg has no fancy upsampler for).
 */
function yccSampling(h: JpegHeader): ChromaSampling | undefined {
  const [y, cb, cr] = h.components;
  if (h.components.length !== 3) return undefined;
  if (h.adobeTransform === 0) return undefined; // Adobe says RGB
  if (h.adobeTransform === undefined && y.id === 0x52 && cb.id === 0x47 && cr.id === 0x42) return undefined; // 'R','G','B' ids
  if (cb.h !== cr.h || cb.v !== cr.v) return undefined;
  const sh = y.h / cb.h;
  const sv = y.v / cb.v;
  if ((sh !== 1 && sh !== 2) || (sv !== 1 && sv !== 2)) return undefined;
  return { h: sh, v: sv };
}

function decodeJpeg(bytes: Uint8Array, name: string): RgbImage {
  const header = jpegHeader(bytes);
  if (!header) throw new BadFileError(name, 'corrupt or truncated JPEG (no frame header before the image data)');
  const comps = header.components.length;
  if (comps !== 1 && comps !== 3) {
    throw new BadFileError(name, `${comps}-channel (CMYK/YCCK) JPEG is not supported; convert it to RGB first`);
  }
  // jpeg-js silently fills missing data with grey; an image without its end marker is a truncated download.
  if (!hasEoiNearEnd(bytes)) throw new BadFileError(name, 'truncated JPEG (no end-of-image marker)');
  const sampling = comps === 3 ? yccSampling(header) : undefined;
  // An Adobe marker with transform 1 makes jpeg-js convert regardless, so we only ask for raw planes when we finish them.
  const raw = sampling !== undefined && !header.adobeTransform;
  const decoded = jpegDecode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxMemoryUsageInMB: 1024, ...(raw ? { colorTransform: false } : {}) });
  const { width, height } = decoded;
  let data = decoded.data as Uint8Array;
  if (data.length !== width * height * 3) throw new BadFileError(name, `JPEG decoded to ${data.length} bytes for ${width}x${height}`);
  data = raw && sampling ? yccToRgbLibjpeg(data, width, height, sampling) : new Uint8Array(data.buffer, data.byteOffset, data.length);
  const exif = jpegExif(bytes);
  return applyOrientation({ width, height, data }, exif ? exifOrientation(exif) : undefined);
}

/** Some writers append padding after EOI; accept an EOI within the last few bytes. */
function hasEoiNearEnd(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 2; i >= Math.max(2, bytes.length - 64); i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

// --- PNG --------------------------------------------------------------------------------------------------------

interface PngChunks {
  /** The file without tRNS chunks (pngjs would zero the colour of "transparent" pixels; Pillow keeps it). */
  withoutTrns: Uint8Array;
  exif?: Uint8Array;
}

function scanPng(bytes: Uint8Array, name: string): PngChunks {
  const keep: Uint8Array[] = [bytes.subarray(0, 8)];
  let exif: Uint8Array | undefined;
  let p = 8;
  let sawEnd = false;
  while (p < bytes.length) {
    if (p + 12 > bytes.length) throw new BadFileError(name, 'truncated PNG (chunk header cut off)');
    const len = ((bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3]) >>> 0;
    const type = String.fromCharCode(bytes[p + 4], bytes[p + 5], bytes[p + 6], bytes[p + 7]);
    const end = p + 12 + len;
    if (end > bytes.length) throw new BadFileError(name, `truncated PNG (${type} chunk needs ${len} bytes, file ends first)`);
    if (type === 'eXIf') exif = bytes.subarray(p + 8, p + 8 + len);
    if (type !== 'tRNS') keep.push(bytes.subarray(p, end));
    p = end;
    if (type === 'IEND') {
      sawEnd = true;
      break;
    }
  }
  if (!sawEnd) throw new BadFileError(name, 'truncated PNG (no IEND chunk)');
  const total = keep.reduce((a, c) => a + c.length, 0);
  const withoutTrns = new Uint8Array(total);
  let o = 0;
  for (const c of keep) {
    withoutTrns.set(c, o);
    o += c.length;
  }
  return { withoutTrns, exif };
}

function decodePng(bytes: Uint8Array, name: string): RgbImage {
  const { withoutTrns, exif } = scanPng(bytes, name);
  const png = PNG.sync.read(Buffer.from(withoutTrns.buffer, withoutTrns.byteOffset, withoutTrns.length), { skipRescale: true });
  const { width, height, depth, colorType } = png;
  const src = png.data as unknown as ArrayLike<number>; // RGBA; 16-bit samples stay 16-bit with skipRescale
  const n = width * height;
  if (src.length < n * 4) throw new BadFileError(name, 'PNG decoded to fewer pixels than its header declares');
  const data = new Uint8Array(n * 3);
  const palette = (colorType as number) === 3;
  const grey = (colorType as number) === 0;
  // Pillow's modes: 16-bit grey is 'I' and convert('RGB') clips it to 0..255; other 16-bit modes keep the high byte;
  // 1/2/4-bit grey is scaled to 0..255 (×255, ×85, ×17).
  const map: (v: number) => number =
    palette || depth === 8
      ? (v) => v
      : depth === 16
        ? grey
          ? (v) => Math.min(v, 255)
          : (v) => v >> 8
        : (v) => (v * 255) / ((1 << depth) - 1);
  for (let i = 0; i < n; i++) {
    data[i * 3] = map(src[i * 4]);
    data[i * 3 + 1] = map(src[i * 4 + 1]);
    data[i * 3 + 2] = map(src[i * 4 + 2]);
  }
  return applyOrientation({ width, height, data }, exif ? exifOrientation(exif) : undefined);
}

// --- TIFF -------------------------------------------------------------------------------------------------------

type Ifd = Record<string, number[] | undefined> & { width?: number; height?: number; data?: Uint8Array };

function decodeTiff(bytes: Uint8Array, name: string): RgbImage {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const ifds = UTIF.decode(buf) as unknown as Ifd[];
  const ifd = ifds[0];
  if (!ifd?.t256 || !ifd.t257) throw new BadFileError(name, 'TIFF has no image in its first directory');
  const intp = ifd.t262?.[0] ?? 2;
  const bps = ifd.t258?.[0] ?? 1;
  const spp = ifd.t277?.[0] ?? 1;
  const supported =
    ((intp === 0 || intp === 1) && (bps === 1 || bps === 8) && spp === 1) ||
    (intp === 2 && bps === 8 && (spp === 3 || spp === 4)) ||
    (intp === 3 && bps === 8 && spp === 1);
  if (!supported) {
    throw new BadFileError(name, `unsupported TIFF (photometric ${intp}, ${spp}x${bps}-bit samples); supported: 1/8-bit grey, 8-bit palette, 8-bit RGB(A)`);
  }
  if (ifd.t284?.[0] === 2) throw new BadFileError(name, 'unsupported TIFF (planar configuration 2)');
  const offsets = ifd.t273 ?? ifd.t324;
  const counts = ifd.t279 ?? ifd.t325;
  if (!offsets || !counts) throw new BadFileError(name, 'TIFF has no strip or tile offsets');
  for (let i = 0; i < offsets.length; i++) {
    if (offsets[i] + (counts[i] ?? 0) > bytes.length) throw new BadFileError(name, 'truncated TIFF (image data runs past the end of the file)');
  }
  UTIF.decodeImage(buf, ifd as never);
  const rgba = UTIF.toRGBA8(ifd as never);
  const width = ifd.t256[0];
  const height = ifd.t257[0];
  const n = width * height;
  if (rgba.length !== n * 4) throw new BadFileError(name, `TIFF decoded to ${rgba.length} bytes for ${width}x${height}`);
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[i * 3] = rgba[i * 4];
    data[i * 3 + 1] = rgba[i * 4 + 1];
    data[i * 3 + 2] = rgba[i * 4 + 2];
  }
  return applyOrientation({ width, height, data }, ifd.t274?.[0]);
}
