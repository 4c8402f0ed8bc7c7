import type { TensorData } from '@affectbench/core';

/**
 * Binary framing for tensors between Node and the browser page (both directions), so that
 * megabytes of float32 never pass through JSON: u32 header length (LE), UTF-8 JSON header
 * [{ name, dims, offset, length }], then the raw float32 data, each tensor 4-byte aligned.
 */
interface Entry {
  name: string;
  dims: number[];
  /** Offset of the data from the start of the message, bytes. */
  offset: number;
  /** Number of float32 values. */
  length: number;
}

export function encodeTensors(tensors: Record<string, TensorData>): Uint8Array {
  const names = Object.keys(tensors);
  // Offsets depend on the header size, which depends on the offsets: compute with a fixed-width placeholder first.
  const provisional = names.map((name) => ({ name, dims: [...tensors[name].dims], offset: 0xffffffff, length: tensors[name].data.length }));
  const headerBytes = new TextEncoder().encode(JSON.stringify(provisional)).length;
  let offset = align4(4 + headerBytes);
  const entries: Entry[] = provisional.map((e) => {
    const entry = { ...e, offset };
    offset += e.length * 4;
    return entry;
  });
  const header = new TextEncoder().encode(JSON.stringify(entries).padEnd(headerBytes, ' '));
  const out = new Uint8Array(offset);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  for (const e of entries) {
    const src = tensors[e.name].data;
    out.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), e.offset);
  }
  return out;
}

export function decodeTensors(bytes: Uint8Array): Record<string, TensorData> {
  if (bytes.byteLength < 4) throw new Error(`tensor message too short (${bytes.byteLength} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  const entries = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as Entry[];
  const out: Record<string, TensorData> = {};
  for (const e of entries) {
    // Copy so the result owns aligned memory independent of the message buffer.
    const data = new Float32Array(e.length);
    new Uint8Array(data.buffer).set(bytes.subarray(e.offset, e.offset + e.length * 4));
    out[e.name] = { data, dims: e.dims };
  }
  return out;
}

const align4 = (n: number) => (n + 3) & ~3;
