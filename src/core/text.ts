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
 *
 * @example
 * ```ts
 * import { isWellFormedText } from "./text.ts";
 * console.log(isWellFormedText("日本 ☃ 😀")); // true
 * console.log(isWellFormedText("\ud83d")); // false: half an emoji
 * ```
 */
export function isWellFormedText(text: string): boolean {
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
