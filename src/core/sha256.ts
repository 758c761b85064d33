/**
 * SHA-256 of short texts (targeting keys), synchronously in plain
 * JavaScript, and through Web Crypto (`crypto.subtle`) for long inputs.
 *
 * Why a hand-written digest: `crypto.subtle.digest` is asynchronous, and
 * one promise round trip per subject costs more than the digest itself
 * (about 3–9 µs per ~20-byte key measured on Bun and 25 µs on Deno, against
 * a fraction of a microsecond here), while subjects are hashed by the
 * thousand at every flush. The compression loop below is FIPS 180-4 on
 * 32-bit integers, with reused scratch buffers and no allocation per block;
 * tests cross-check it against `crypto.subtle` on random inputs of every
 * length around the block boundaries.
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
  if (text.length <= SYNC_MAX_LENGTH) return sha256HexSync(text);
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(digest));
}

/** Inputs up to this many characters (or bytes) are hashed synchronously by {@link sha256Hex}. */
const SYNC_MAX_LENGTH = 4096;

/** FIPS 180-4 round constants. */
const K = Object.freeze([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

/** Scratch reused by every synchronous digest (created on first use, never at import). */
interface Sha256Scratch {
  readonly k: Int32Array;
  readonly w: Int32Array;
  bytes: Uint8Array;
  readonly encoder: TextEncoder;
  /** Char codes of the hex digest being written. */
  readonly out: number[];
}

let scratch: Sha256Scratch | undefined;

function sha256Scratch(): Sha256Scratch {
  if (scratch === undefined) {
    const out = new Array<number>(64).fill(48);
    scratch = { k: Int32Array.from(K), w: new Int32Array(64), bytes: new Uint8Array(256), encoder: new TextEncoder(), out };
  }
  return scratch;
}

/** Scratch kept between calls is at most this many bytes; longer inputs use a buffer of their own. */
const SCRATCH_MAX_BYTES = 16_384;

/**
 * Lowercase hex SHA-256 of the UTF-8 encoding of `text` (or of the bytes),
 * computed synchronously. Same digests as {@link sha256Hex}; meant for the
 * short texts hashed by the thousand (targeting keys).
 *
 * @example
 * ```ts
 * import { sha256HexSync } from "./sha256.ts"; // internal: not exported from "flagpost"
 * console.log(sha256HexSync("alice")); // "2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90"
 * ```
 */
export function sha256HexSync(text: string | Uint8Array): string {
  return sha256WordsHex(sha256WordsSync(text));
}

/**
 * SHA-256 of the UTF-8 encoding of `text` (or of the bytes) as its eight
 * big-endian 32-bit words, computed synchronously: what a writer keeps and
 * writes out as hex without making a string (see {@link sha256WordsHex}).
 *
 * @example
 * ```ts
 * import { sha256WordsHex, sha256WordsSync } from "./sha256.ts"; // internal: not exported from "flagpost"
 * const words = sha256WordsSync("alice");
 * console.log(words.length, sha256WordsHex(words)); // 8 "2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90"
 * ```
 */
export function sha256WordsSync(text: string | Uint8Array): Int32Array {
  const s = sha256Scratch();
  // Worst case of UTF-8 is 3 bytes per UTF-16 unit; 72 = padding byte + length + a block of slack.
  const capacity = (typeof text === "string" ? text.length * 3 : text.length) + 72;
  let bytes = s.bytes;
  if (capacity > bytes.length) {
    bytes = new Uint8Array(Math.max(capacity, bytes.length * 2));
    if (bytes.length <= SCRATCH_MAX_BYTES) s.bytes = bytes;
  }
  let n: number;
  if (typeof text === "string") {
    n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        n = s.encoder.encodeInto(text, bytes).written;
        break;
      }
      bytes[i] = c;
    }
  } else {
    bytes.set(text);
    n = text.length;
  }
  const total = ((n + 8) >>> 6) * 64 + 64;
  bytes[n] = 0x80;
  bytes.fill(0, n + 1, total - 8);
  const bitsHigh = Math.floor(n / 0x20000000);
  const bitsLow = (n << 3) >>> 0;
  bytes[total - 8] = bitsHigh >>> 24;
  bytes[total - 7] = bitsHigh >>> 16;
  bytes[total - 6] = bitsHigh >>> 8;
  bytes[total - 5] = bitsHigh;
  bytes[total - 4] = bitsLow >>> 24;
  bytes[total - 3] = bitsLow >>> 16;
  bytes[total - 2] = bitsLow >>> 8;
  bytes[total - 1] = bitsLow;

  const k = s.k, w = s.w;
  let h0 = 0x6a09e667 | 0, h1 = 0xbb67ae85 | 0, h2 = 0x3c6ef372 | 0, h3 = 0xa54ff53a | 0;
  let h4 = 0x510e527f | 0, h5 = 0x9b05688c | 0, h6 = 0x1f83d9ab | 0, h7 = 0x5be0cd19 | 0;
  for (let offset = 0; offset < total; offset += 64) {
    for (let i = 0, j = offset; i < 16; i++, j += 4) {
      w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!, y = w[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + k[i]! + w[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  const words = new Int32Array(8);
  words[0] = h0;
  words[1] = h1;
  words[2] = h2;
  words[3] = h3;
  words[4] = h4;
  words[5] = h5;
  words[6] = h6;
  words[7] = h7;
  return words;
}

/**
 * Lowercase hex of a digest given as 32-bit words ({@link sha256WordsSync}).
 *
 * @example
 * ```ts
 * import { sha256WordsHex } from "./sha256.ts"; // internal: not exported from "flagpost"
 * console.log(sha256WordsHex(new Int32Array([1, -1]))); // "00000001ffffffff"
 * ```
 */
export function sha256WordsHex(words: Int32Array): string {
  // One flat string from char codes: cheaper than concatenating 2-digit strings (a rope to flatten later).
  const out = words.length === 8 ? sha256Scratch().out : new Array<number>(words.length * 8);
  for (let i = 0; i < words.length; i++) hexWord(out, i * 8, words[i]!);
  return String.fromCharCode.apply(null, out);
}

/** Writes the 8 lowercase hex digit codes of the 32-bit `word` into `out` from `at`. */
function hexWord(out: number[], at: number, word: number): void {
  for (let shift = 28; shift >= 0; shift -= 4) {
    const nibble = (word >>> shift) & 15;
    out[at++] = nibble < 10 ? 48 + nibble : 87 + nibble;
  }
}

/**
 * A bounded memo of {@link sha256Hex}: the same subjects come back request
 * after request, and even the synchronous digest costs about half a
 * microsecond, so a subject is hashed once while it stays among the last
 * `capacity` distinct texts (oldest forgotten first). Memory is bounded by
 * `capacity` entries of a 32-byte digest (kept as words) plus the key.
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
  /** Digests as words (32 bytes each, not a 64-character string). */
  readonly #memo = new Map<string, Int32Array>();

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
    const known = this.#memo.get(text);
    return known === undefined ? undefined : sha256WordsHex(known);
  }

  /** Lowercase hex SHA-256 of `text`, from memory or computed and remembered. */
  async hex(text: string): Promise<string> {
    if (text.length <= SYNC_MAX_LENGTH) return this.hexSync(text);
    const known = this.#memo.get(text);
    if (known !== undefined) return sha256WordsHex(known);
    const hex = await sha256Hex(text);
    const words = new Int32Array(8);
    for (let i = 0; i < 8; i++) words[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16) | 0;
    this.#remember(text, words);
    return hex;
  }

  /** {@link Sha256HexCache.hex}, synchronously ({@link sha256HexSync}): for short texts hashed in bulk. */
  hexSync(text: string): string {
    return sha256WordsHex(this.wordsSync(text));
  }

  /** The digest of `text` as words ({@link sha256WordsSync}), from memory or computed and remembered. */
  wordsSync(text: string): Int32Array {
    const known = this.#memo.get(text);
    if (known !== undefined) return known;
    const words = sha256WordsSync(text);
    this.#remember(text, words);
    return words;
  }

  #remember(text: string, words: Int32Array): void {
    if (this.#capacity > 0) {
      if (this.#memo.size >= this.#capacity) this.#memo.delete(this.#memo.keys().next().value!);
      this.#memo.set(text, words);
    }
  }
}
