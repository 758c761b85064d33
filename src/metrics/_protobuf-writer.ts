/**
 * The few protobuf wire primitives the OTLP encoder needs, written by hand:
 * workers forbid `eval`/`new Function`, which code-generated protobuf
 * libraries use, and a general-purpose writer would cost more than the
 * handful of fields `feature_flag.evaluations` has.
 *
 * The encoder sizes every message first and then writes into one
 * preallocated buffer, so these helpers come in pairs: a size function and a
 * write function that returns the next offset. Strings are written with the
 * shared `writeUtf8` (src/core/text.ts), the same one the msgpack writer uses.
 * Private to `src/metrics/`.
 *
 * @module
 */
import { writeUtf8 } from "../core/text.ts";

/** Bytes of the unsigned varint encoding of `value` (0 ≤ value < 2^53). */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  let size = 4;
  let v = Math.floor(value / 0x10000000);
  while (v > 0) {
    size++;
    v = Math.floor(v / 128);
  }
  return size;
}

/** Writes `value` (0 ≤ value < 2^53) as an unsigned varint at `pos`; returns the next offset. */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = v < 0x80000000 ? v >>> 7 : Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/** Size of a length-delimited field (one-byte tag) whose payload is `payload` bytes. */
export function fieldSize(payload: number): number {
  return 1 + varintSize(payload) + payload;
}

/** Writes a one-byte tag and a length; returns the next offset (the payload goes there). */
export function writeHeader(buf: Uint8Array, pos: number, tag: number, length: number): number {
  buf[pos++] = tag;
  return writeVarint(buf, pos, length);
}

/** Writes a string field (one-byte tag) whose UTF-8 length is `length`. */
export function writeString(buf: Uint8Array, pos: number, tag: number, s: string, length: number): number {
  pos = writeHeader(buf, pos, tag, length);
  return writeUtf8(buf, pos, s);
}

const TWO_32 = 4294967296;

/** Writes a non-negative safe integer as 8 little-endian bytes (fixed64 / sfixed64). */
export function writeFixed64Number(buf: Uint8Array, pos: number, value: number): number {
  const lo = value % TWO_32;
  const hi = (value - lo) / TWO_32;
  buf[pos] = lo & 0xff;
  buf[pos + 1] = (lo >>> 8) & 0xff;
  buf[pos + 2] = (lo >>> 16) & 0xff;
  buf[pos + 3] = lo >>> 24;
  buf[pos + 4] = hi & 0xff;
  buf[pos + 5] = (hi >>> 8) & 0xff;
  buf[pos + 6] = (hi >>> 16) & 0xff;
  buf[pos + 7] = hi >>> 24;
  return pos + 8;
}

/** Writes a bigint (−2^63 … 2^64 − 1) as 8 little-endian bytes (two's complement). */
export function writeFixed64BigInt(buf: Uint8Array, pos: number, value: bigint): number {
  let v = BigInt.asUintN(64, value);
  for (let i = 0; i < 8; i++) {
    buf[pos + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return pos + 8;
}
