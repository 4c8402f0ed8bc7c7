import type { TensorData } from '../backends/types.ts';
import { BadFileError } from '../errors.ts';

/** NumPy .npy v1.0 (the format np.save writes), browser-safe. */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** float32, little-endian, C order: what onnxruntime and numpy both read without copies. */
export function writeNpy(tensor: TensorData): Uint8Array {
  const size = tensor.dims.reduce((a, b) => a * b, 1);
  if (size !== tensor.data.length) throw new Error(`tensor dims ${tensor.dims.join('x')} do not match ${tensor.data.length} values`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  // Header (with its trailing newline) pads so the data starts on a 64-byte boundary, as numpy does.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, ' ')}\n`;
  const out = new Uint8Array(total + size * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, total);
  for (let i = 0; i < size; i++) view.setFloat32(i * 4, tensor.data[i], true);
  return out;
}

export type NpyDtype = '<f4' | '<f8' | '|u1';

export interface NpyArray {
  dtype: NpyDtype;
  dims: number[];
  data: Float32Array | Float64Array | Uint8Array;
}

/** Reads .npy v1/v2/v3 with dtype <f4, <f8 or |u1 in C order; `name` is used in error messages. */
export function readNpyArray(bytes: Uint8Array, name = '<npy>'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new BadFileError(name, 'not a .npy file (bad magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [hlen, hstart] = major === 1 ? [view.getUint16(8, true), 10] : [view.getUint32(8, true), 12];
  if (major < 1 || major > 3 || hstart + hlen > bytes.length) throw new BadFileError(name, `unsupported or truncated .npy header (version ${major})`);
  const header = new TextDecoder().decode(bytes.subarray(hstart, hstart + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new BadFileError(name, `malformed .npy header: ${header.trim()}`);
  if (fortran === 'True') throw new BadFileError(name, 'Fortran-order .npy arrays are not supported (save with C order)');
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new BadFileError(name, `bad shape (${shapeText})`);
  const size = dims.reduce((a, b) => a * b, 1);
  const start = hstart + hlen;
  const itemSize = descr === '<f4' ? 4 : descr === '<f8' ? 8 : descr === '|u1' ? 1 : 0;
  if (!itemSize) throw new BadFileError(name, `unsupported dtype ${descr} (need <f4, <f8 or |u1)`);
  if (bytes.length - start !== size * itemSize) {
    throw new BadFileError(name, `expected ${size * itemSize} data bytes for shape (${dims.join(',')}), found ${bytes.length - start}`);
  }
  const body = new Uint8Array(bytes.subarray(start)); // a plain, aligned copy (a Buffer slice would stay a Buffer)
  const data =
    descr === '<f4' ? new Float32Array(body.buffer, 0, size) : descr === '<f8' ? new Float64Array(body.buffer, 0, size) : body;
  return { dtype: descr as NpyDtype, dims, data };
}

/** A float32 .npy as a tensor (the format writeNpy produces). */
export function readNpy(bytes: Uint8Array, name = '<npy>'): TensorData {
  const a = readNpyArray(bytes, name);
  if (a.dtype !== '<f4') throw new BadFileError(name, `expected float32 (<f4), found ${a.dtype}`);
  return { data: a.data as Float32Array, dims: a.dims };
}
