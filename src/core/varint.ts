/**
 * Unsigned LEB128 varints, correct for every safe integer (0 … 2^53 − 1).
 *
 * JavaScript's bitwise operators truncate to 32 bits, which is the bug behind
 * peers that corrupt serial ids ≥ 2^31; this codec uses arithmetic only.
 *
 * @module
 */
import { describeValue, FlagpostError } from "./errors.ts";

/**
 * Appends the unsigned LEB128 encoding of `value` to `out`.
 *
 * @example
 * ```ts
 * import { encodeUleb128 } from "./varint.ts"; // internal: not exported from "flagpost"
 * const out: number[] = [];
 * encodeUleb128(300, out);
 * console.log(out); // [0xac, 0x02]
 * ```
 */
export function encodeUleb128(value: number, out: number[], field = "value"): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new FlagpostError(
      "invalid_argument",
      `${field}: ${describeValue(value)} is not an unsigned safe integer (0 … 2^53-1)`,
      { field },
    );
  }
  let v = value;
  while (v >= 128) {
    out.push((v % 128) + 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** Result of {@link decodeUleb128}: the value and the offset just past it. */
export interface Uleb128Read {
  value: number;
  next: number;
}

/** Most bytes an unsigned safe integer takes in LEB128: ceil(53 / 7). */
const MAX_SAFE_VARINT_BYTES = 8;

/**
 * Reads one unsigned LEB128 value starting at `offset`. Rejects, as a
 * `FlagpostError` (`invalid_encoding`) naming the byte where the varint
 * starts: a truncated varint, one longer than 8 bytes (no safe integer needs
 * more; without this bound a long run of `0x80` bytes drives the scale to
 * Infinity and the value to NaN), and one whose value exceeds 2^53 − 1.
 * Non-minimal encodings within 8 bytes are accepted, as protobuf readers do.
 *
 * @example
 * ```ts
 * import { decodeUleb128 } from "./varint.ts"; // internal: not exported from "flagpost"
 * console.log(decodeUleb128(new Uint8Array([0xac, 0x02]), 0)); // { value: 300, next: 2 }
 * ```
 */
export function decodeUleb128(bytes: Uint8Array, offset: number): Uleb128Read {
  let value = 0;
  let scale = 1;
  let i = offset;
  for (;;) {
    if (i >= bytes.length) {
      throw new FlagpostError("invalid_encoding", `varint: truncated at byte ${i}`, { field: "varint" });
    }
    if (i - offset === MAX_SAFE_VARINT_BYTES) {
      throw new FlagpostError(
        "invalid_encoding",
        `varint: over-long varint at byte ${offset}: more than ${MAX_SAFE_VARINT_BYTES} bytes (no unsigned safe integer needs more)`,
        { field: "varint" },
      );
    }
    const byte = bytes[i++]!;
    value += (byte % 128) * scale;
    if (value > Number.MAX_SAFE_INTEGER) {
      throw new FlagpostError("invalid_encoding", `varint: value at byte ${offset} exceeds 2^53-1`, { field: "varint" });
    }
    if (byte < 128) return { value, next: i };
    scale *= 128;
  }
}
