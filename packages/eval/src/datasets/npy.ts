import { readFileSync } from 'node:fs';
import { BadFileError } from '@affectbench/core';

/**
 * Reads the scalar or first element of a NumPy .npy file (format 1.0–3.0). AffectNet's March-2021 annotations are
 * 0-d arrays: expression as a unicode string ('<U1'/'<U2'), valence/arousal as strings or floats depending on the copy.
 */
export function readNpyScalar(path: string): number {
  const buf = readFileSync(path);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new BadFileError(path, 'not a .npy file (bad magic)');
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (!descr) throw new BadFileError(path, `cannot read the .npy header (${header.trim()})`);
  const data = buf.subarray(start + headerLen);
  const order = descr[0];
  const type = descr[1];
  const size = Number(descr.slice(2));
  const le = order !== '>';
  let value: number;
  if (type === 'U') {
    const chars: string[] = [];
    for (let i = 0; i < size; i++) {
      const cp = le ? data.readUInt32LE(i * 4) : data.readUInt32BE(i * 4);
      if (cp === 0) break;
      chars.push(String.fromCodePoint(cp));
    }
    value = Number(chars.join(''));
  } else if (type === 'S') {
    value = Number(data.toString('latin1', 0, size).replace(/\0+$/, ''));
  } else if (type === 'f') {
    value = size === 8 ? (le ? data.readDoubleLE(0) : data.readDoubleBE(0)) : le ? data.readFloatLE(0) : data.readFloatBE(0);
  } else if (type === 'i' || type === 'u') {
    if (size === 8) value = Number(le ? data.readBigInt64LE(0) : data.readBigInt64BE(0));
    else if (size === 4) value = type === 'i' ? (le ? data.readInt32LE(0) : data.readInt32BE(0)) : le ? data.readUInt32LE(0) : data.readUInt32BE(0);
    else if (size === 2) value = le ? data.readInt16LE(0) : data.readInt16BE(0);
    else value = type === 'i' ? data.readInt8(0) : data.readUInt8(0);
  } else {
    throw new BadFileError(path, `unsupported .npy dtype ${descr}`);
  }
  if (!Number.isFinite(value)) throw new BadFileError(path, 'holds no number');
  return value;
}

/** Writes a 0-d .npy (format 1.0): used by tests to build the March-2021 layout. */
export function npyScalarBytes(value: string | number, dtype: 'U' | 'f8' | 'i8' = 'U'): Buffer {
  let descr: string;
  let body: Buffer;
  if (dtype === 'U') {
    const s = String(value);
    descr = `<U${s.length}`;
    body = Buffer.alloc(s.length * 4);
    for (const [i, ch] of [...s].entries()) body.writeUInt32LE(ch.codePointAt(0) ?? 0, i * 4);
  } else if (dtype === 'f8') {
    descr = '<f8';
    body = Buffer.alloc(8);
    body.writeDoubleLE(Number(value));
  } else {
    descr = '<i8';
    body = Buffer.alloc(8);
    body.writeBigInt64LE(BigInt(value));
  }
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (), }`;
  const total = 10 + header.length + 1;
  header += `${' '.repeat((64 - (total % 64)) % 64)}\n`;
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}
