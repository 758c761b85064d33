/**
 * Flag-evaluation rows written straight into UTF-8 bytes.
 *
 * Why: a flush of 10,000 rows built as strings spent about a third of its
 * time concatenating row texts, flattening them when joined, and encoding
 * the joined body. Writing the same characters into one growing byte
 * buffer does each step once. {@link flagEvaluationRowJson} stays the
 * specification of a row; tests check that these bytes are exactly its
 * UTF-8 encoding, escapes and non-ASCII text included.
 *
 * @module
 */
import { sha256WordsHex } from "../core/sha256.ts";
import type { FlagEvaluationEntry } from "./aggregator.ts";
import { flagEvaluationRowJson } from "./payload.ts";
import { HASHED_KEY_PREFIX } from "./privacy.ts";

/**
 * What a row says about its subject: the text (raw key with consent, `""`),
 * a SHA-256 digest as words to be written `sha256_<hex>`, or nothing.
 */
export type RowSubject = string | Int32Array | undefined;

/** The text of a subject: a digest becomes `sha256_<hex>`. */
export function subjectText(subject: RowSubject): string | undefined {
  return subject instanceof Int32Array ? HASHED_KEY_PREFIX + sha256WordsHex(subject) : subject;
}

/**
 * A growing UTF-8 byte buffer with JSON writers for what rows contain.
 *
 * @example
 * ```ts
 * // (fragment) internal to flagpost/flagevaluations: not exported from "flagpost"
 * import { JsonByteWriter } from "./_row-bytes.ts";
 * const out = new JsonByteWriter(16);
 * out.ascii("[");
 * out.jsonString("Zoë");
 * out.ascii(",");
 * out.integer(42);
 * out.ascii("]");
 * console.log(new TextDecoder().decode(out.bytes.subarray(0, out.length))); // ["Zoë",42]
 * ```
 */
export class JsonByteWriter {
  /** The buffer; bytes past `length` are unused. */
  bytes: Uint8Array;
  /** Bytes written. */
  length = 0;
  readonly #encoder = new TextEncoder();

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(64, capacity));
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** Writes text known to be ASCII, as is (literals of the format). */
  ascii(text: string): void {
    const n = text.length;
    this.reserve(n);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < n; i++) bytes[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /** Writes any text as UTF-8, as is. */
  text(text: string): void {
    this.reserve(text.length * 3);
    this.length += this.#encoder.encodeInto(text, this.bytes.subarray(this.length)).written;
  }

  /** Writes `JSON.stringify(text)`: quoted ASCII directly, anything needing escapes or UTF-8 through the generic path. */
  jsonString(text: string): void {
    const n = text.length;
    this.reserve(n + 2);
    const bytes = this.bytes;
    const start = this.length;
    let at = start;
    bytes[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) {
        this.length = start;
        this.text(JSON.stringify(text));
        return;
      }
      bytes[at++] = c;
    }
    bytes[at++] = 0x22;
    this.length = at;
  }

  /** Writes `"sha256_<hex>"` of a digest given as words, without making its string. */
  hashedKey(words: Int32Array): void {
    this.reserve(HASHED_KEY_PREFIX.length + 2 + words.length * 8);
    this.ascii(`"${HASHED_KEY_PREFIX}`);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      for (let shift = 28; shift >= 0; shift -= 4) {
        const nibble = (word >>> shift) & 15;
        bytes[at++] = nibble < 10 ? 48 + nibble : 87 + nibble;
      }
    }
    bytes[at++] = 0x22;
    this.length = at;
  }

  /** Writes a number as `String(n)` would. */
  integer(n: number): void {
    if (!(n >= 0 && Number.isSafeInteger(n))) {
      this.ascii(String(n));
      return;
    }
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    this.reserve(digits);
    const bytes = this.bytes;
    let at = this.length + digits;
    this.length = at;
    do {
      const q = Math.floor(n / 10);
      bytes[--at] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
  }
}

/**
 * Writes the row of `entry` — the UTF-8 bytes of
 * `flagEvaluationRowJson(entry, timestamp, subjectText(targetingKey))` — given
 * `head`, the row's constant start `{"timestamp":<timestamp>,"flag":{"key":`.
 *
 * @example
 * ```ts
 * // (fragment) internal to flagpost/flagevaluations: not exported from "flagpost"
 * import { JsonByteWriter, writeFlagEvaluationRow } from "./_row-bytes.ts";
 * const entry = {
 *   flagKey: "checkout", variant: "on", allocation: undefined, runtimeDefault: false, error: undefined,
 *   targetingKey: "alice", context: undefined, degraded: false, consent: false, count: 3, first: 1, last: 9,
 * };
 * const out = new JsonByteWriter(256);
 * writeFlagEvaluationRow(out, entry, 10, `{"timestamp":10,"flag":{"key":`, "sha256_…");
 * console.log(new TextDecoder().decode(out.bytes.subarray(0, out.length)));
 * ```
 */
export function writeFlagEvaluationRow(
  out: JsonByteWriter,
  entry: FlagEvaluationEntry,
  timestamp: number,
  head: string,
  targetingKey: RowSubject,
): void {
  if (!entry.degraded && entry.consent && entry.context !== undefined && entry.context.length > 0) {
    // Rows with a context snapshot are rare (consent only): the string form, encoded.
    out.text(flagEvaluationRowJson(entry, timestamp, subjectText(targetingKey)));
    return;
  }
  out.ascii(head);
  out.jsonString(entry.flagKey);
  out.ascii(`},"first_evaluation":`);
  out.integer(entry.first);
  out.ascii(`,"last_evaluation":`);
  out.integer(entry.last);
  out.ascii(`,"evaluation_count":`);
  out.integer(entry.count);
  if (entry.runtimeDefault) out.ascii(`,"runtime_default_used":true`);
  if (entry.variant !== undefined) {
    out.ascii(`,"variant":{"key":`);
    out.jsonString(entry.variant);
    out.ascii("}");
  }
  if (entry.allocation !== undefined) {
    out.ascii(`,"allocation":{"key":`);
    out.jsonString(entry.allocation);
    out.ascii("}");
  }
  if (entry.error !== undefined) {
    out.ascii(`,"error":{"message":`);
    out.jsonString(entry.error);
    out.ascii("}");
  }
  if (!entry.degraded && targetingKey !== undefined) {
    out.ascii(`,"targeting_key":`);
    if (typeof targetingKey === "string") out.jsonString(targetingKey);
    else out.hashedKey(targetingKey);
  }
  out.ascii("}");
}
