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
const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

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
  // libjpeg upsamples whole rows (2*cw wide) and the colour converter then reads only `width` of them.
  const row = new Uint8Array(cw * s.h);
  for (let y = 0; y < height; y++) {
    const cy = Math.floor(y / s.v);
    const cur = plane.subarray(cy * cw, cy * cw + cw);
    if (s.h === 1 && s.v === 1) {
      row.set(cur);
    } else if (s.v === 1) {
      h2v1(cur, cw, row);
    } else {
      // Odd output rows blend with the row below, even rows with the row above; edges repeat (context rows).
      const nb = y % 2 === 0 ? Math.max(cy - 1, 0) : Math.min(cy + 1, ch - 1);
      const other = plane.subarray(nb * cw, nb * cw + cw);
      if (s.h === 2) h2v2(cur, other, cw, row);
      else {
        const bias = y % 2 === 0 ? 1 : 2; // h1v2_fancy_upsample (libjpeg-turbo >= 2.0)
        for (let x = 0; x < cw; x++) row[x] = (cur[x] * 3 + other[x] + bias) >> 2;
      }
    }
    out.set(row.subarray(0, width), y * width);
  }
  return out;
}

function h2v1(inp: Uint8Array, cw: number, out: Uint8Array): void {
  if (cw === 1) {
    out[0] = out[1] = inp[0];
    return;
  }
  let o = 0;
  out[o++] = inp[0];
  out[o++] = (inp[0] * 3 + inp[1] + 2) >> 2;
  for (let i = 1; i < cw - 1; i++) {
    const v = inp[i] * 3;
    out[o++] = (v + inp[i - 1] + 1) >> 2;
    out[o++] = (v + inp[i + 1] + 2) >> 2;
  }
  out[o++] = (inp[cw - 1] * 3 + inp[cw - 2] + 1) >> 2;
  out[o] = inp[cw - 1];
}

function h2v2(in0: Uint8Array, in1: Uint8Array, cw: number, out: Uint8Array): void {
  const col = (i: number) => in0[i] * 3 + in1[i];
  if (cw === 1) {
    out[0] = (col(0) * 4 + 8) >> 4;
    out[1] = (col(0) * 4 + 7) >> 4;
    return;
  }
  let o = 0;
  let last = 0;
  let cur = col(0);
  let next = col(1);
  out[o++] = (cur * 4 + 8) >> 4;
  out[o++] = (cur * 3 + next + 7) >> 4;
  last = cur;
  cur = next;
  for (let i = 1; i < cw - 1; i++) {
    next = col(i + 1);
    out[o++] = (cur * 3 + last + 8) >> 4;
    out[o++] = (cur * 3 + next + 7) >> 4;
    last = cur;
    cur = next;
  }
  out[o++] = (cur * 3 + last + 8) >> 4;
  out[o] = (cur * 4 + 7) >> 4;
}
