import type { RgbImage } from '../image/types.ts';

/**
 * tf.image.resizeBilinear(image, [h, w]) with align_corners=false and half_pixel_centers=false, as human calls it
 * before blazeface: source coordinate = destination · (in/out), no half-pixel shift, no antialias. Same arithmetic
 * order as TF.js' CPU kernel so the result matches it to float rounding. Returns float32 NHWC RGB in 0..255.
 */
export function resizeBilinearTf(img: RgbImage, outH: number, outW: number): Float32Array {
  const { width: inW, height: inH, data } = img;
  const out = new Float32Array(outH * outW * 3);
  const sy = inH / outH;
  const sx = inW / outW;
  const x0s = new Int32Array(outW);
  const x1s = new Int32Array(outW);
  const fxs = new Float64Array(outW);
  for (let x = 0; x < outW; x++) {
    const src = sx * x;
    x0s[x] = Math.floor(src);
    x1s[x] = Math.min(inW - 1, Math.ceil(src));
    fxs[x] = src - x0s[x];
  }
  let o = 0;
  for (let y = 0; y < outH; y++) {
    const srcY = sy * y;
    const y0 = Math.floor(srcY);
    const y1 = Math.min(inH - 1, Math.ceil(srcY));
    const fy = srcY - y0;
    const r0 = y0 * inW * 3;
    const r1 = y1 * inW * 3;
    for (let x = 0; x < outW; x++) {
      const c0 = x0s[x] * 3;
      const c1 = x1s[x] * 3;
      const fx = fxs[x];
      for (let c = 0; c < 3; c++) {
        const tl = data[r0 + c0 + c];
        const tr = data[r0 + c1 + c];
        const bl = data[r1 + c0 + c];
        const br = data[r1 + c1 + c];
        const top = tl + (tr - tl) * fx;
        const bottom = bl + (br - bl) * fx;
        out[o++] = top + (bottom - top) * fy;
      }
    }
  }
  return out;
}

/** The same resize rounded to uint8, so it fits the RgbImage pipeline like the other modes (≤ half a level from TF). */
export function tfBilinear(img: RgbImage, width: number, height: number): RgbImage {
  const f = resizeBilinearTf(img, height, width);
  const out = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) out[i] = Math.round(f[i]);
  return { width, height, data: out };
}
