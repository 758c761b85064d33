/**
 * The serial-id codec of the `ffe_flags_enc` span tag (and the values of
 * `ffe_subjects_enc`): deduplicate, sort ascending, delta-code (first delta
 * = first id), unsigned LEB128 per delta, padded standard base64.
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "../core/base64.ts";
import { decodeUleb128, encodeUleb128 } from "../core/varint.ts";

/**
 * Encodes serial ids. Each id must be an unsigned safe integer
 * (`FlagpostError` `invalid_argument` otherwise); duplicates and order do not matter.
 *
 * @example
 * ```ts
 * encodeSerialIds([130, 100, 128, 108, 100]); // "ZAgUAg=="
 * ```
 */
export function encodeSerialIds(ids: Iterable<number>): string {
  const sorted = [...new Set(ids)];
  sorted.sort((a, b) => a - b);
  const bytes: number[] = [];
  let previous = 0;
  for (let i = 0; i < sorted.length; i++) {
    const id = sorted[i]!;
    // Validate the id itself (not only the delta) so a negative first id names the right value.
    encodeUleb128(id, [], `serialIds[${i}]`);
    encodeUleb128(id - previous, bytes, `serialIds[${i}]`);
    previous = id;
  }
  return encodeBase64(Uint8Array.from(bytes));
}

/**
 * Decodes an `ffe_flags_enc` value back to its ascending serial ids.
 * Malformed base64 or a truncated varint is a `FlagpostError` (`invalid_encoding`).
 *
 * @example
 * ```ts
 * decodeSerialIds("ZAgUAg=="); // [100, 108, 128, 130]
 * ```
 */
export function decodeSerialIds(encoded: string): number[] {
  const bytes = decodeBase64(encoded, "serialIds");
  const ids: number[] = [];
  let offset = 0;
  let previous = 0;
  while (offset < bytes.length) {
    const { value, next } = decodeUleb128(bytes, offset);
    previous += value;
    ids.push(previous);
    offset = next;
  }
  return ids;
}
