import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { type NpyArray, type RgbImage, readNpyArray } from '../src/index.ts';

/** Loading helpers for fixtures/image (written by scripts/make_image_fixtures.py). */

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'image');
export const JAFFE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'data', 'jaffe');
export const jaffeAbsent = existsSync(JAFFE) ? false : `JAFFE not found at ${JAFFE} (../shared/data is only on the dev machine)`;
export const PHOTOS = join(JAFFE, '..', 'photos');
export const photosAbsent = existsSync(PHOTOS) ? false : `photos not found at ${PHOTOS} (../shared/data is only on the dev machine)`;

export interface Manifest {
  decode: { name: string; src: string; decoded: string }[];
  resize: { input: string; width: number; height: number; mode: 'pil-bilinear' | 'cv2-linear' | 'nearest'; box: null | { x: number; y: number; width: number; height: number }; expected: string }[];
  tensor: { input: string; model: string; resize: 'pil-bilinear' | 'cv2-linear'; expected: string }[];
  photos: { src: string; shape: number[]; decodedSha256: string }[];
  jaffe: { src: string; pilMode: string; shape: number[]; decodedSum: number; decodedSha256: string; outputs: { mode: 'pil-bilinear' | 'cv2-linear'; width: number; height: number; expected: string }[] }[];
}

export const manifest: Manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8'));

export function loadNpy(rel: string): NpyArray {
  const raw = readFileSync(join(FIXTURES, rel));
  return readNpyArray(rel.endsWith('.gz') ? gunzipSync(raw) : raw, rel);
}

/** A uint8 HxWx3 fixture as an RgbImage. */
export function loadRgb(rel: string): RgbImage {
  const a = loadNpy(rel);
  if (a.dtype !== '|u1' || a.dims.length !== 3 || a.dims[2] !== 3) throw new Error(`${rel}: not uint8 HxWx3`);
  return { width: a.dims[1], height: a.dims[0], data: a.data as Uint8Array };
}

/** Largest absolute difference and how many elements differ. */
export function diff(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; count: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > 0) count++;
    if (d > max) max = d;
  }
  return { max, count };
}
