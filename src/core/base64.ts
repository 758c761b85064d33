/**
 * Padded standard base64 (RFC 4648 §4), without `btoa`/`atob` string
 * round-trips or `Buffer`, so it behaves the same on every runtime.
 *
 * @module
 */
import { FlagpostError } from "./errors.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Encodes bytes as padded standard base64.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from "./base64.ts"; // internal: not exported from "flagpost"
 * console.log(encodeBase64(new Uint8Array([100, 8, 20, 2]))); // "ZAgUAg=="
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  // Written into one ASCII buffer and decoded once: linear time and memory on every engine
  // (string concatenation builds ropes that some engines flatten at a quadratic cost).
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = ALPHABET.charCodeAt(v >> 18);
    out[o++] = ALPHABET.charCodeAt((v >> 12) & 63);
    out[o++] = ALPHABET.charCodeAt((v >> 6) & 63);
    out[o++] = ALPHABET.charCodeAt(v & 63);
  }
  const rest = n - i;
  if (rest > 0) {
    const v = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = ALPHABET.charCodeAt(v >> 18);
    out[o++] = ALPHABET.charCodeAt((v >> 12) & 63);
    out[o++] = rest === 2 ? ALPHABET.charCodeAt((v >> 6) & 63) : 61; // "="
    out[o++] = 61;
  }
  return new TextDecoder().decode(out);
}

function sextet(code: number): number {
  if (code >= 65 && code <= 90) return code - 65; // A-Z
  if (code >= 97 && code <= 122) return code - 71; // a-z
  if (code >= 48 && code <= 57) return code + 4; // 0-9
  if (code === 43) return 62; // +
  if (code === 47) return 63; // /
  return -1;
}

/**
 * Decodes padded standard base64. Rejects (with `FlagpostError`,
 * code `invalid_encoding`) a length that is not a multiple of 4, characters
 * outside the standard alphabet, misplaced padding and non-zero trailing bits,
 * so every accepted string has exactly one byte sequence.
 *
 * @example
 * ```ts
 * import { decodeBase64 } from "./base64.ts"; // internal: not exported from "flagpost"
 * console.log(decodeBase64("ZAgUAg==")); // Uint8Array [100, 8, 20, 2]
 * ```
 */
export function decodeBase64(text: string, field = "base64"): Uint8Array {
  if (text.length % 4 !== 0) {
    throw new FlagpostError("invalid_encoding", `${field}: base64 length ${text.length} is not a multiple of 4`, { field });
  }
  let pad = 0;
  if (text.endsWith("==")) pad = 2;
  else if (text.endsWith("=")) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const a = sextet(text.charCodeAt(i));
    const b = sextet(text.charCodeAt(i + 1));
    const c = last && pad === 2 ? 0 : sextet(text.charCodeAt(i + 2));
    const d = last && pad >= 1 ? 0 : sextet(text.charCodeAt(i + 3));
    if ((a | b | c | d) < 0) {
      throw new FlagpostError("invalid_encoding", `${field}: invalid base64 character near offset ${i}`, { field });
    }
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
    if (last && ((pad === 2 && (b & 15) !== 0) || (pad === 1 && (c & 3) !== 0))) {
      throw new FlagpostError("invalid_encoding", `${field}: non-canonical base64 (non-zero bits before padding)`, { field });
    }
  }
  return out;
}
