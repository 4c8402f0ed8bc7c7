/**
 * libjpeg-turbo's default decompression after the IDCT, as Pillow runs it: "fancy" (triangle-filter) chroma
 * upsampling (jdsample.c h2v1/h2v2_fancy_upsample) and the fixed-point YCbCr->RGB of jdcolor.c.
 * jpeg-js instead replicates chroma samples (nearest) and converts in floating point, which costs 3-5 levels on
 * average and tens of levels at colour edges; we take its raw planes and finish the job the libjpeg way.
 * Browser-safe.
 */

/** Sampling of the chroma planes relative to luma: 1 = full resolution, 2 = half. */
export interface ChromaSampling {
  h: 1 | 2;
  v: 1 | 2;
}

const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const fix = (x: number) => Math.trunc(x * (1 << SCALEBITS) + 0.5);
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + ONE_HALF) >> SCALEBITS;
  CB_B[i] = (fix(1.772) * x + ONE_HALF) >> SCALEBITS;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF;
}
const clamp = (v: number) => (v < 0 ? 0 : Math.min(v, 255));

/**
 * `ycc` is interleaved Y,Cb,Cr at full resolution with chroma replicated (nearest) — jpeg-js with colorTransform
 * false. The downsampled chroma planes are recovered from it exactly (sample (cx,cy) sits at pixel (h*cx, v*cy)),
 * then upsampled and converted in place into RGB.
 */
export function yccToRgbLibjpeg(ycc: Uint8Array, width: number, height: number, s: ChromaSampling): Uint8Array {
  const cw = Math.ceil(width / s.h);
  const ch = Math.ceil(height / s.v);
  const cb = new Uint8Array(cw * ch);
  const cr = new Uint8Array(cw * ch);
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      const p = ((cy * s.v) * width + cx * s.h) * 3;
      cb[cy * cw + cx] = ycc[p + 1];
      cr[cy * cw + cx] = ycc[p + 2];
    }
  }
  const cbUp = upsample(cb, cw, ch, width, height, s);
  const crUp = upsample(cr, cw, ch, width, height, s);
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, p = 0; i < width * height; i++, p += 3) {
    const y = ycc[p];
    const b = cbUp[i];
    const r = crUp[i];
    out[p] = clamp(y + CR_R[r]);
    out[p + 1] = clamp(y + ((CB_G[b] + CR_G[r]) >> SCALEBITS));
    out[p + 2] = clamp(y + CB_B[b]);
  }
  return out;
}

function upsample(plane: Uint8Array, cw: number, ch: number, width: number, height: number, s: ChromaSampling): Uint8Array {
  const out = new Uint8Array(width * height);
  // libjpeg upsamples whole rows (h*cw wide) and the colour converter then reads only `width` of them.
  const row = new Uint8Array(cw * s.h);
  for (let y = 0; y < height; y++) {
    const cy = (y / s.v) | 0;
    const cur = cy * cw;
    // Even output rows blend with the chroma row above, odd rows with the row below; edges repeat (context rows).
    const nb = s.v === 1 ? cy : y % 2 === 0 ? Math.max(cy - 1, 0) : Math.min(cy + 1, ch - 1);
    const other = nb * cw;
    if (s.h === 1 && s.v === 1) {
      row.set(plane.subarray(cur, cur + cw));
    } else if (s.v === 1) {
      h2v1(plane, cur, cw, row);
    } else if (s.h === 2) {
      h2v2(plane, cur, other, cw, row);
    } else {
      const bias = y % 2 === 0 ? 1 : 2; // h1v2_fancy_upsample (libjpeg-turbo >= 2.0)
      for (let x = 0; x < cw; x++) row[x] = (plane[cur + x] * 3 + plane[other + x] + bias) >> 2;
    }
    out.set(row.subarray(0, width), y * width);
  }
  return out;
}

function h2v1(p: Uint8Array, at: number, cw: number, out: Uint8Array): void {
  if (cw === 1) {
    out[0] = out[1] = p[at];
    return;
  }
  out[0] = p[at];
  out[1] = (p[at] * 3 + p[at + 1] + 2) >> 2;
  let o = 2;
  for (let i = at + 1; i < at + cw - 1; i++) {
    const v = p[i] * 3;
    out[o++] = (v + p[i - 1] + 1) >> 2;
    out[o++] = (v + p[i + 1] + 2) >> 2;
  }
  const last = at + cw - 1;
  out[o++] = (p[last] * 3 + p[last - 1] + 1) >> 2;
  out[o] = p[last];
}

/** `at` is this chroma row, `nb` the neighbouring one; column sums are 3*this + neighbour. */
function h2v2(p: Uint8Array, at: number, nb: number, cw: number, out: Uint8Array): void {
  let cur = p[at] * 3 + p[nb];
  if (cw === 1) {
    out[0] = (cur * 4 + 8) >> 4;
    out[1] = (cur * 4 + 7) >> 4;
    return;
  }
  let next = p[at + 1] * 3 + p[nb + 1];
  out[0] = (cur * 4 + 8) >> 4;
  out[1] = (cur * 3 + next + 7) >> 4;
  let last = cur;
  cur = next;
  let o = 2;
  for (let i = 1; i < cw - 1; i++) {
    next = p[at + i + 1] * 3 + p[nb + i + 1];
    out[o++] = (cur * 3 + last + 8) >> 4;
    out[o++] = (cur * 3 + next + 7) >> 4;
    last = cur;
    cur = next;
  }
  out[o++] = (cur * 3 + last + 8) >> 4;
  out[o] = (cur * 4 + 7) >> 4;
}
