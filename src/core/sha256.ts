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

/**
 * A bounded memo of {@link sha256Hex}: the same subjects come back request
 * after request, and `crypto.subtle` costs microseconds per call on some
 * runtimes (an async round trip each), so a subject is hashed once while it
 * stays among the last `capacity` distinct texts (oldest forgotten first).
 * Memory is bounded by `capacity` entries of 64 hex characters plus the key.
 *
 * @example
 * ```ts
 * import { Sha256HexCache } from "./sha256.ts"; // internal: not exported from "flagpost"
 * const cache = new Sha256HexCache(2);
 * console.log(await cache.hex("alice")); // "2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90"
 * console.log(cache.size); // 1
 * ```
 */
export class Sha256HexCache {
  readonly #capacity: number;
  readonly #memo = new Map<string, string>();

  /** `capacity`: distinct texts remembered (default 10,000; 0 remembers nothing). */
  constructor(capacity = 10_000) {
    this.#capacity = Number.isSafeInteger(capacity) && capacity > 0 ? capacity : 0;
  }

  /** Texts remembered now. */
  get size(): number {
    return this.#memo.size;
  }

  /** The remembered digest of `text`, if any; synchronous. */
  peek(text: string): string | undefined {
    return this.#memo.get(text);
  }

  /** Lowercase hex SHA-256 of `text`, from memory or computed and remembered. */
  async hex(text: string): Promise<string> {
    const known = this.#memo.get(text);
    if (known !== undefined) return known;
    const digest = await sha256Hex(text);
    if (this.#capacity > 0) {
      if (this.#memo.size >= this.#capacity) this.#memo.delete(this.#memo.keys().next().value!);
      this.#memo.set(text, digest);
    }
    return digest;
  }
}
