/**
 * Text facts every wire format needs: whether a string is well-formed
 * UTF-16 (no lone surrogate, which `TextEncoder` would silently turn into
 * U+FFFD and so corrupt a key on the wire), and how many bytes its UTF-8
 * encoding takes (to respect payload caps without encoding twice).
 *
 * One implementation for every signal: exposures, flag-evaluation rows,
 * span tags and trace strings all apply the same rules.
 *
 * @module
 */

/**
 * True when `text` has no lone surrogate, i.e. it encodes to UTF-8 without loss.
 * Uses the runtime's `String.prototype.isWellFormed` (ES2024) where there is
 * one — a native scan several times faster on long strings — else a loop.
 *
 * @example
 * ```ts
 * import { isWellFormedText } from "./text.ts";
 * console.log(isWellFormedText("日本 ☃ 😀")); // true
 * console.log(isWellFormedText("\ud83d")); // false: half an emoji
 * ```
 */
export function isWellFormedText(text: string): boolean {
  const native = (text as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  if (typeof native === "function") return native.call(text);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false; // a low surrogate with no high one before it
    const next = text.charCodeAt(i + 1); // NaN past the end
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/**
 * Bytes of `text` in UTF-8 (a lone surrogate counts as the 3 bytes of U+FFFD,
 * as `TextEncoder` writes it). Linear, allocation-free.
 *
 * @example
 * ```ts
 * import { utf8ByteLength } from "./text.ts";
 * console.log(utf8ByteLength("aé☃😀")); // 1 + 2 + 3 + 4 = 10
 * ```
 */
export function utf8ByteLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // 2 UTF-16 units → 4 bytes
        i++;
      } else {
        bytes += 2;
      }
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/**
 * Writes `text` as UTF-8 into `buf` at `pos` (a lone surrogate becomes
 * U+FFFD, as `TextEncoder` writes it) and returns the next offset. The
 * caller reserves room (at most 3 bytes per UTF-16 unit). For binary
 * encoders (msgpack, protobuf) that write strings in place, where a
 * `TextEncoder.encodeInto` call costs more than a short string.
 *
 * @example
 * ```ts
 * import { writeUtf8 } from "./text.ts";
 * const buf = new Uint8Array(16);
 * const end = writeUtf8(buf, 0, "aé😀");
 * console.log(end, [...buf.subarray(0, end)]); // 7 [97, 195, 169, 240, 159, 152, 128]
 * ```
 */
export function writeUtf8(buf: Uint8Array, pos: number, text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && (next & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        buf[pos++] = 0xf0 | (c >> 18);
        buf[pos++] = 0x80 | ((c >> 12) & 0x3f);
        buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
        buf[pos++] = 0x80 | (c & 0x3f);
      } else {
        buf[pos++] = 0xef; // U+FFFD
        buf[pos++] = 0xbf;
        buf[pos++] = 0xbd;
      }
    } else {
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}
