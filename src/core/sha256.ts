/**
 * SHA-256 through Web Crypto (`crypto.subtle`), available on every supported runtime.
 *
 * @module
 */

const HEX = "0123456789abcdef";

/**
 * Lowercase hexadecimal rendering of bytes.
 *
 * @example
 * ```ts
 * import { toHex } from "./sha256.ts"; // internal: not exported from "flagpost"
 * console.log(toHex(new Uint8Array([0, 15, 255]))); // "000fff"
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

/**
 * Lowercase hex SHA-256 of the UTF-8 encoding of `text`.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./sha256.ts"; // internal: not exported from "flagpost"
 * console.log(await sha256Hex("alice")); // "2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90"
 * ```
 */
export async function sha256Hex(text: string | Uint8Array): Promise<string> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(digest));
}
