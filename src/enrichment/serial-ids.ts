/**
 * The serial-id codec of the `ffe_flags_enc` span tag (and the values of
 * `ffe_subjects_enc`): deduplicate, sort ascending, delta-code (first delta
 * = first id), unsigned LEB128 per delta, padded standard base64.
 *
 * Why not simply `encodeUleb128` per id: this runs once per root span on up
 * to 200 ids, so it sorts a `Float64Array` (numeric sort without a
 * comparator; duplicates become neighbours, so no Set is built), writes into
 * one preallocated byte buffer, and uses 32-bit shifts only for deltas below 2^32. Deltas at or above 2^32 take the
 * arithmetic path, which is where dd-trace-js's `>>>= 7` encoder corrupts
 * ids (`2^32` becomes `gAA=` instead of `gICAgBA=`).
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "../core/base64.ts";
import { describeValue, FlagpostError } from "../core/errors.ts";
import { decodeUleb128 } from "../core/varint.ts";

/** Largest number of bytes one safe-integer delta takes in LEB128 (53 bits / 7). */
const MAX_VARINT_BYTES = 8;
const TWO_POW_32 = 4294967296;

function invalidId(value: unknown, index: number): FlagpostError {
  const field = `serialIds[${index}]`;
  return new FlagpostError("invalid_argument", `${field}: ${describeValue(value)} is not an unsigned safe integer (0 … 2^53-1)`, {
    field,
  });
}

/**
 * Encodes serial ids. Each id must be an unsigned safe integer
 * (`FlagpostError` `invalid_argument` naming its position in ascending
 * order otherwise); duplicates and order do not matter. No ids → `""`.
 *
 * @example
 * ```ts
 * import { encodeSerialIds } from "flagpost";
 * console.log(encodeSerialIds([130, 100, 128, 108, 100])); // "ZAgUAg=="
 * console.log(encodeSerialIds([2 ** 32])); // "gICAgBA="
 * ```
 */
export function encodeSerialIds(ids: Iterable<number>): string {
  const list: ArrayLike<unknown> = Array.isArray(ids) ? ids : Array.from(ids);
  const n = list.length;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const id = list[i];
    if (typeof id !== "number") throw invalidId(id, i);
    sorted[i] = id;
  }
  sorted.sort(); // numeric, no comparator; duplicates end up adjacent and are skipped below
  const bytes = new Uint8Array(n * MAX_VARINT_BYTES);
  let o = 0;
  let previous = 0;
  for (let i = 0; i < n; i++) {
    const id = sorted[i]!;
    if (!Number.isSafeInteger(id) || id < 0) throw invalidId(id, i);
    if (i > 0 && id === previous) continue;
    let delta = id - previous;
    previous = id;
    if (delta < TWO_POW_32) {
      while (delta > 127) {
        bytes[o++] = (delta & 127) | 128;
        delta >>>= 7;
      }
    } else {
      while (delta > 127) {
        bytes[o++] = (delta % 128) + 128;
        delta = Math.floor(delta / 128);
      }
    }
    bytes[o++] = delta;
  }
  return encodeBase64(bytes.subarray(0, o));
}

/**
 * Decodes an `ffe_flags_enc` value back to its ascending serial ids.
 * Malformed base64, a truncated or over-long (more than 8 bytes) varint, or
 * an id beyond 2^53 − 1 is a `FlagpostError` (`invalid_encoding`, field
 * `serialIds`, naming the byte), never a `NaN` id.
 *
 * @example
 * ```ts
 * import { decodeSerialIds } from "flagpost";
 * console.log(decodeSerialIds("ZAgUAg==")); // [100, 108, 128, 130]
 * ```
 */
export function decodeSerialIds(encoded: string): number[] {
  const bytes = decodeBase64(encoded, "serialIds");
  const ids: number[] = [];
  let offset = 0;
  let previous = 0;
  while (offset < bytes.length) {
    let read;
    try {
      read = decodeUleb128(bytes, offset);
    } catch (e) {
      // Name the tag's codec, not the shared varint reader; the message keeps the byte position.
      const detail = e instanceof FlagpostError ? e.message.replace(/^varint: /, "") : String(e);
      throw new FlagpostError("invalid_encoding", `serialIds: ${detail}`, { field: "serialIds", cause: e });
    }
    const { value, next } = read;
    previous += value;
    if (previous > Number.MAX_SAFE_INTEGER) {
      throw new FlagpostError("invalid_encoding", `serialIds: id at byte ${offset} exceeds 2^53-1`, { field: "serialIds" });
    }
    ids.push(previous);
    offset = next;
  }
  return ids;
}
