import { UserError } from '../errors.ts';
import type { Box, RgbImage, ResizeMode } from './types.ts';

/**
 * What happens to the part of a box that lies outside the image.
 * - 'pad': PIL's Image.crop — the output is exactly box.width x box.height, outside pixels are black (0,0,0).
 * - 'clip': numpy slicing as the cv2 pipelines do (`img[y1:y2, x1:x2]`) — the box is intersected with the image,
 *   so the output is smaller. Negative starts are clamped to 0 rather than wrapping around as raw numpy would
 *   (that wrap-around is a bug in the original scripts, and it yields empty crops).
 */
export type CropOutside = 'pad' | 'clip';

/** The policy each resize mode's reference pipeline uses: PIL crops pad, cv2/numpy crops clip. */
export function cropPolicyFor(mode: ResizeMode): CropOutside {
  // OpenCV and TensorFlow slice arrays (clip); Pillow's crop pads with black.
  return mode === 'cv2-linear' || mode === 'tf-bilinear' ? 'clip' : 'pad';
}

/** Python's round() (half to even), which PIL's crop applies to each box coordinate. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Integer box as the crop will use it: x0,y0,x1,y1 rounded half to even (PIL), width/height must be positive. */
function toCorners(box: Box): [number, number, number, number] {
  for (const k of ['x', 'y', 'width', 'height'] as const) {
    if (!Number.isFinite(box[k])) throw new UserError(`crop box ${k} is not a finite number (${box[k]})`);
  }
  const x0 = roundHalfEven(box.x);
  const y0 = roundHalfEven(box.y);
  const x1 = roundHalfEven(box.x + box.width);
  const y1 = roundHalfEven(box.y + box.height);
  if (x1 <= x0 || y1 <= y0) throw new UserError(`crop box has no area: ${JSON.stringify(box)}`);
  return [x0, y0, x1, y1];
}

export function crop(img: RgbImage, box: Box, outside: CropOutside = 'clip'): RgbImage {
  let [x0, y0, x1, y1] = toCorners(box);
  if (outside === 'clip') {
    x0 = Math.max(x0, 0);
    y0 = Math.max(y0, 0);
    x1 = Math.min(x1, img.width);
    y1 = Math.min(y1, img.height);
    if (x1 <= x0 || y1 <= y0) {
      throw new UserError(`crop box ${JSON.stringify(box)} lies outside the ${img.width}x${img.height} image`);
    }
  }
  const w = x1 - x0;
  const h = y1 - y0;
  const out = new Uint8Array(w * h * 3);
  // Copy the intersection row by row; anything else stays 0 (black), which is PIL's padding.
  const ix0 = Math.max(x0, 0);
  const ix1 = Math.min(x1, img.width);
  const iy0 = Math.max(y0, 0);
  const iy1 = Math.min(y1, img.height);
  if (ix1 > ix0) {
    for (let y = iy0; y < iy1; y++) {
      const from = (y * img.width + ix0) * 3;
      out.set(img.data.subarray(from, from + (ix1 - ix0) * 3), ((y - y0) * w + (ix0 - x0)) * 3);
    }
  }
  return { width: w, height: h, data: out };
}

/** "x,y,w,h" (pixels, as the CLI and config files write boxes) -> Box; anything else is a UserError. */
export function parseBox(text: string): Box {
  const parts = text.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length !== 4 || parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n))) {
    throw new UserError(`box must be four numbers x,y,width,height (got "${text}")`, { hint: 'e.g. --box 40,32,120,150' });
  }
  const [x, y, width, height] = nums;
  if (width <= 0 || height <= 0) throw new UserError(`box width and height must be positive (got "${text}")`);
  return { x, y, width, height };
}
