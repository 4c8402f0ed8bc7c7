import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BadFileError } from '../errors.ts';

/** One entry of a TF.js `weightsManifest[].weights` list. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; min?: number; scale?: number; original_dtype?: string };
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface ConstTensor {
  shape: number[];
  data: Float32Array | Int32Array;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/**
 * Reads every weight of a TF.js weights manifest. The shards of a group are one byte stream split into files; the
 * weights lie back to back in it in manifest order. Quantised weights (tfjs-converter --quantize_*) are expanded
 * back to their original dtype: uint8/uint16 as q·scale + min, float16 bit-exactly.
 */
export function readTfjsWeights(modelJsonPath: string, manifest: readonly WeightGroup[]): { weights: Map<string, ConstTensor>; quantised: string[] } {
  const weights = new Map<string, ConstTensor>();
  const quantised: string[] = [];
  const dir = dirname(modelJsonPath);
  for (const group of manifest) {
    const shards = group.paths.map((p) => {
      const file = join(dir, p);
      try {
        return readFileSync(file);
      } catch (err) {
        throw new BadFileError(file, `weight shard listed in ${modelJsonPath} cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`);
      }
    });
    const buf = shards.length === 1 ? shards[0] : Buffer.concat(shards);
    let offset = 0;
    for (const spec of group.weights) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const stored = spec.quantization?.dtype ?? spec.dtype;
      const width = BYTES[stored];
      if (width === undefined) throw new BadFileError(modelJsonPath, `weight ${spec.name} has unsupported dtype ${stored}`);
      const bytes = count * width;
      if (offset + bytes > buf.length) {
        throw new BadFileError(join(dir, group.paths.join(',')), `weights end after ${buf.length} bytes, but ${spec.name} needs bytes ${offset}..${offset + bytes}`);
      }
      const view = buf.subarray(offset, offset + bytes);
      offset += bytes;
      weights.set(spec.name, { shape: [...spec.shape], data: decode(spec, view, count, modelJsonPath) });
      if (spec.quantization) quantised.push(spec.name);
    }
    if (offset !== buf.length) {
      throw new BadFileError(join(dir, group.paths.join(',')), `has ${buf.length} bytes but the manifest describes ${offset}`);
    }
  }
  return { weights, quantised };
}

function decode(spec: WeightSpec, view: Buffer, count: number, file: string): Float32Array | Int32Array {
  const dv = new DataView(view.buffer, view.byteOffset, view.byteLength);
  const target = spec.quantization?.original_dtype ?? spec.dtype;
  const q = spec.quantization;
  if (q) {
    const out = target === 'int32' ? new Int32Array(count) : new Float32Array(count);
    if (q.dtype === 'float16') {
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      return out;
    }
    if (q.scale === undefined || q.min === undefined) throw new BadFileError(file, `weight ${spec.name}: ${q.dtype} quantisation without scale/min`);
    for (let i = 0; i < count; i++) {
      const v = q.dtype === 'uint8' ? dv.getUint8(i) : dv.getUint16(i * 2, true);
      out[i] = v * q.scale + q.min;
    }
    return out;
  }
  if (spec.dtype === 'float32') {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
    return out;
  }
  if (spec.dtype === 'int32') {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = dv.getInt32(i * 4, true);
    return out;
  }
  if (spec.dtype === 'bool') {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = dv.getUint8(i);
    return out;
  }
  throw new BadFileError(file, `weight ${spec.name} has unsupported dtype ${spec.dtype}`);
}

/** IEEE 754 binary16 → number, subnormals and infinities included. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
