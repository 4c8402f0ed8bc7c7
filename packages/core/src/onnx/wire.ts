/**
 * Just enough of the protobuf wire format to read a ModelProto's top-level fields and to append to its graph
 * without decoding or re-encoding tens of megabytes of weights.
 */

export interface WireField {
  field: number;
  wireType: number;
  /** Offset of the tag: the field occupies [tagStart, end). */
  tagStart: number;
  /** For length-delimited fields, the payload is [start, end); for varints, `value` holds the number. */
  start: number;
  end: number;
  value: number;
}

export class WireError extends Error {}

export function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new WireError('truncated varint');
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [result, pos];
    mul *= 128;
  }
  throw new WireError('varint longer than 10 bytes');
}

export function encodeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** The fields of one message, in order; throws WireError on malformed input. */
export function readFields(buf: Uint8Array, start = 0, end = buf.length): WireField[] {
  const fields: WireField[] = [];
  let pos = start;
  while (pos < end) {
    const tagStart = pos;
    const [tag, afterTag] = readVarint(buf, pos);
    pos = afterTag;
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 0) throw new WireError('field number 0');
    if (wireType === 0) {
      const [value, next] = readVarint(buf, pos);
      fields.push({ field, wireType, tagStart, start: pos, end: next, value });
      pos = next;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      fields.push({ field, wireType, tagStart, start: pos, end: pos + size, value: 0 });
      pos += size;
    } else if (wireType === 2) {
      const [len, payload] = readVarint(buf, pos);
      fields.push({ field, wireType, tagStart, start: payload, end: payload + len, value: len });
      pos = payload + len;
    } else {
      throw new WireError(`unsupported wire type ${wireType}`);
    }
    if (pos > end) throw new WireError('field runs past the end of the message');
  }
  return fields;
}

/** Tag + length prefix of a length-delimited field. */
export function lengthDelimitedHeader(field: number, length: number): Uint8Array {
  const tag = encodeVarint(field * 8 + 2);
  const len = encodeVarint(length);
  const out = new Uint8Array(tag.length + len.length);
  out.set(tag, 0);
  out.set(len, tag.length);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
