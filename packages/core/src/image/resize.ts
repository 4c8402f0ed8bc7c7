import { tfBilinear } from './resize-tf.ts';
import { UserError } from '../errors.ts';
import type { RgbImage, ResizeMode } from './types.ts';

/**
 * Bit-exact re-implementations of the resizers the published numbers depend on (browser-safe, no node: imports).
 * Each one follows the library's integer arithmetic step by step, because a one-level difference per pixel is
 * enough to flip argmax on borderline faces and we want "same pixels as the paper" to be a testable claim.
 */
export function resize(img: RgbImage, width: number, height: number, mode: ResizeMode): RgbImage {
  checkImage(img);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new UserError(`resize target must be positive integers (got ${width}x${height})`);
  }
  switch (mode) {
    case 'pil-bilinear':
      return pilBilinear(img, width, height);
    case 'cv2-linear':
      return cv2Linear(img, width, height);
    case 'nearest':
      return pilNearest(img, width, height);
    case 'tf-bilinear':
      return tfBilinear(img, width, height);
    default:
      throw new UserError(`unknown resize mode "${String(mode)}"`, { hint: 'use pil-bilinear, cv2-linear, nearest or tf-bilinear' });
  }
}

function checkImage(img: RgbImage): void {
  if (img.width < 1 || img.height < 1 || img.data.length !== img.width * img.height * 3) {
    throw new UserError(`not an RGB image: ${img.width}x${img.height} with ${img.data.length} bytes`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pillow 9.4 ImagingResample (libImaging/Resample.c), BILINEAR filter, 8 bits per channel.

const PRECISION_BITS = 32 - 8 - 2;
const PIL_HALF = 1 << (PRECISION_BITS - 1);
const PIL_ONE = 1 << PRECISION_BITS;

interface PilCoeffs {
  ksize: number;
  /** Per output pixel: first input index and count (already clipped to the input). */
  bounds: Int32Array;
  /** Fixed-point weights, `ksize` per output pixel. */
  kk: Int32Array;
}

/** precompute_coeffs + normalize_coeffs_8bpc. in0/in1 are C floats in Pillow, hence Math.fround. */
function pilCoeffs(inSize: number, in0: number, in1: number, outSize: number): PilCoeffs {
  const support0 = 1.0; // bilinear
  const scale = Math.fround(Math.fround(in1) - Math.fround(in0)) / outSize;
  const filterscale = Math.max(scale, 1.0);
  const support = support0 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const ss = 1.0 / filterscale;
  const start = Math.fround(in0);
  for (let xx = 0; xx < outSize; xx++) {
    const center = start + (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0.0;
    for (let x = 0; x < xmax; x++) {
      let t = (x + xmin - center + 0.5) * ss;
      if (t < 0) t = -t;
      const v = t < 1.0 ? 1.0 - t : 0.0;
      w[x] = v;
      ww += v;
    }
    for (let x = 0; x < ksize; x++) {
      const k = x < xmax && ww !== 0.0 ? w[x] / ww : x < xmax ? w[x] : 0;
      // C's (int) cast truncates toward zero after adding ±0.5.
      kk[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * PIL_ONE) : Math.trunc(0.5 + k * PIL_ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

// Bilinear weights are non-negative and sum to ~2^22, so sums stay below 2^31 and `>>` is safe.
const clip8 = (v: number) => (v >= PIL_ONE << 8 ? 255 : v <= 0 ? 0 : v >> PRECISION_BITS);

/** Image.resize((w,h), BILINEAR, box=(x0,y0,x1,y1)); box defaults to the whole image. */
export function pilBilinear(img: RgbImage, width: number, height: number, box?: readonly [number, number, number, number]): RgbImage {
  const [bx0, by0, bx1, by1] = box ?? [0, 0, img.width, img.height];
  if (!box && width === img.width && height === img.height) return { width, height, data: img.data.slice() };
  const needH = width !== img.width || bx0 !== 0 || bx1 !== width;
  const needV = height !== img.height || by0 !== 0 || by1 !== height;
  const h = pilCoeffs(img.width, bx0, bx1, width);
  const v = pilCoeffs(img.height, by0, by1, height);
  const yFirst = v.bounds[0];
  const yLast = v.bounds[height * 2 - 2] + v.bounds[height * 2 - 1];

  let src = img.data;
  let srcW = img.width;
  if (needH) {
    // Only the rows the vertical pass will read are resampled horizontally (Pillow's box optimisation).
    for (let i = 0; i < height; i++) v.bounds[i * 2] -= yFirst;
    const rows = yLast - yFirst;
    const tmp = new Uint8Array(width * rows * 3);
    const { ksize, bounds, kk } = h;
    for (let yy = 0; yy < rows; yy++) {
      const rowIn = (yy + yFirst) * img.width * 3;
      const rowOut = yy * width * 3;
      for (let xx = 0; xx < width; xx++) {
        const xmin = bounds[xx * 2];
        const xmax = bounds[xx * 2 + 1];
        const kOff = xx * ksize;
        let s0 = PIL_HALF;
        let s1 = PIL_HALF;
        let s2 = PIL_HALF;
        let p = rowIn + xmin * 3;
        for (let x = 0; x < xmax; x++, p += 3) {
          const k = kk[kOff + x];
          s0 += src[p] * k;
          s1 += src[p + 1] * k;
          s2 += src[p + 2] * k;
        }
        const o = rowOut + xx * 3;
        tmp[o] = clip8(s0);
        tmp[o + 1] = clip8(s1);
        tmp[o + 2] = clip8(s2);
      }
    }
    src = tmp;
    srcW = width;
  }
  if (!needV) return { width: srcW, height, data: src === img.data ? src.slice() : src };

  const out = new Uint8Array(srcW * height * 3);
  const { ksize, bounds, kk } = v;
  const stride = srcW * 3;
  // Row-at-a-time accumulation keeps memory access sequential; the sums are the same integers as Pillow's.
  const acc = new Int32Array(stride);
  for (let yy = 0; yy < height; yy++) {
    const ymin = bounds[yy * 2];
    const ymax = bounds[yy * 2 + 1];
    const kOff = yy * ksize;
    acc.fill(PIL_HALF);
    for (let y = 0; y < ymax; y++) {
      const k = kk[kOff + y];
      const p = (ymin + y) * stride;
      for (let xx = 0; xx < stride; xx++) acc[xx] += src[p + xx] * k;
    }
    const rowOut = yy * stride;
    for (let xx = 0; xx < stride; xx++) out[rowOut + xx] = clip8(acc[xx]);
  }
  return { width: srcW, height, data: out };
}

// ---------------------------------------------------------------------------------------------------------------
// Pillow 9.4 NEAREST resize = ImagingTransform AFFINE -> ImagingScaleAffine (libImaging/Geometry.c).

export function pilNearest(img: RgbImage, width: number, height: number): RgbImage {
  if (width === img.width && height === img.height) return { width, height, data: img.data.slice() };
  const xin = nearestTable(img.width, width);
  const yin = nearestTable(img.height, height);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const rowIn = yin[y] * img.width * 3;
    const rowOut = y * width * 3;
    for (let x = 0; x < width; x++) {
      const p = rowIn + xin[x] * 3;
      const o = rowOut + x * 3;
      out[o] = img.data[p];
      out[o + 1] = img.data[p + 1];
      out[o + 2] = img.data[p + 2];
    }
  }
  return { width, height, data: out };
}

/** Pillow accumulates the source coordinate by repeated addition; we do the same so rounding matches. */
function nearestTable(inSize: number, outSize: number): Int32Array {
  const a = Math.fround(inSize) / outSize;
  const t = new Int32Array(outSize);
  let xo = a * 0.5;
  for (let x = 0; x < outSize; x++) {
    t[x] = Math.min(Math.max(xo < 0 ? -1 : Math.trunc(xo), 0), inSize - 1);
    xo += a;
  }
  return t;
}

// ---------------------------------------------------------------------------------------------------------------
// OpenCV 4.6 cv::resize INTER_LINEAR, CV_8UC3 (imgproc/src/resize.cpp), as built for x86-64 with 128-bit SIMD.

const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;

/** saturate_cast<short>(float): round half to even, like lrint in the default rounding mode. */
function rintF(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function cv2Linear(img: RgbImage, width: number, height: number): RgbImage {
  const sw = img.width;
  const sh = img.height;
  if (width === sw && height === sh) return { width, height, data: img.data.slice() };
  const invX = width / sw;
  const invY = height / sh;
  const scaleX = 1 / invX;
  const scaleY = 1 / invY;
  // hal::resize swaps INTER_LINEAR for its fast INTER_AREA path when shrinking by exactly 2 in both axes.
  if (Math.abs(scaleX - 2) < Number.EPSILON && Math.abs(scaleY - 2) < Number.EPSILON) return cv2AreaHalf(img, width, height);

  const cn = 3;
  const dwidth = width * cn;
  const xofs = new Int32Array(dwidth);
  const alpha = new Int32Array(dwidth * 2);
  let xmax = width;
  for (let dx = 0; dx < width; dx++) {
    let fx = Math.fround((dx + 0.5) * scaleX - 0.5);
    let sx = Math.floor(fx);
    fx = Math.fround(fx - sx);
    if (sx < 0) {
      fx = 0;
      sx = 0;
    }
    if (sx + 1 >= sw) {
      xmax = Math.min(xmax, dx);
      if (sx >= sw - 1) {
        fx = 0;
        sx = sw - 1;
      }
    }
    const a0 = rintF(Math.fround(Math.fround(1 - fx) * COEF_SCALE));
    const a1 = rintF(Math.fround(fx * COEF_SCALE));
    for (let k = 0; k < cn; k++) {
      xofs[dx * cn + k] = sx * cn + k;
      alpha[(dx * cn + k) * 2] = a0;
      alpha[(dx * cn + k) * 2 + 1] = a1;
    }
  }
  const xmaxC = xmax * cn;

  const yofs = new Int32Array(height);
  const beta = new Int32Array(height * 2);
  for (let dy = 0; dy < height; dy++) {
    let fy = Math.fround((dy + 0.5) * scaleY - 0.5);
    const sy = Math.floor(fy);
    fy = Math.fround(fy - sy);
    yofs[dy] = sy;
    beta[dy * 2] = rintF(Math.fround(Math.fround(1 - fy) * COEF_SCALE));
    beta[dy * 2 + 1] = rintF(Math.fround(fy * COEF_SCALE));
  }

  // Horizontal pass for every source row once (cv2 caches rows; the values are the same).
  const src = img.data;
  const rowCache = new Map<number, Int32Array>();
  const hrow = (sy: number): Int32Array => {
    const row = Math.min(Math.max(sy, 0), sh - 1);
    let r = rowCache.get(row);
    if (r) return r;
    r = new Int32Array(dwidth);
    const base = row * sw * cn;
    for (let dx = 0; dx < xmaxC; dx++) {
      const sx = base + xofs[dx];
      r[dx] = src[sx] * alpha[dx * 2] + src[sx + cn] * alpha[dx * 2 + 1];
    }
    for (let dx = xmaxC; dx < dwidth; dx++) r[dx] = src[base + xofs[dx]] * COEF_SCALE;
    rowCache.set(row, r);
    return r;
  };

  // OpenCV's uchar specialisation of VResizeLinear (SIMD body and scalar tail alike) rounds in two steps,
  // ((S>>4)*b >> 16) per row, summed, then (+2)>>2, not the exact (S0*b0 + S1*b1 + 2^21) >> 22.
  const out = new Uint8Array(dwidth * height);
  for (let dy = 0; dy < height; dy++) {
    const s0 = hrow(yofs[dy]);
    const s1 = hrow(yofs[dy] + 1);
    const b0 = beta[dy * 2];
    const b1 = beta[dy * 2 + 1];
    const o = dy * dwidth;
    for (let x = 0; x < dwidth; x++) {
      const r = ((((s0[x] >> 4) * b0) >> 16) + (((s1[x] >> 4) * b1) >> 16) + 2) >> 2;
      out[o + x] = r < 0 ? 0 : Math.min(r, 255);
    }
    if (rowCache.size > 4) rowCache.clear();
  }
  return { width, height, data: out };
}

/** resizeAreaFast for a factor of exactly 2: the rounded mean of each 2x2 block. */
function cv2AreaHalf(img: RgbImage, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const stride = img.width * 3;
  const d = img.data;
  for (let y = 0; y < height; y++) {
    const r0 = 2 * y * stride;
    const r1 = r0 + stride;
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const i = x * 6 + c;
        out[(y * width + x) * 3 + c] = (d[r0 + i] + d[r0 + i + 3] + d[r1 + i] + d[r1 + i + 3] + 2) >> 2;
      }
    }
  }
  return { width, height, data: out };
}
