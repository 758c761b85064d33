/**
 * How a runtime default value becomes the string stored in
 * `ffe_runtime_defaults`: `String(v)`, JSON for objects and arrays (what
 * dd-trace-js does), cut to a length in UTF-16 code units without ever
 * splitting a surrogate pair (dd-trace-js's `slice(0, 64)` leaves a lone
 * high surrogate when an emoji straddles the cut, which then serializes as
 * `\ud83d` in JSON).
 *
 * @module
 */

/**
 * The string form of a default value (not yet cut), or `undefined` when it
 * has none (`JSON.stringify` of a value that is not JSON, e.g. a BigInt
 * inside an object or a cycle). Never throws.
 *
 * @example
 * ```ts
 * import { runtimeDefaultText } from "./_runtime-default.ts";
 * console.log(runtimeDefaultText({ a: "/x" })); // {"a":"/x"}
 * console.log(runtimeDefaultText(3)); // 3
 * ```
 */
export function runtimeDefaultText(value: unknown): string | undefined {
  try {
    const text: unknown = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
    return typeof text === "string" ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `text` cut to at most `maxLength` code units, one shorter when the cut would split a surrogate pair.
 *
 * @example
 * ```ts
 * import { truncateUtf16 } from "./_runtime-default.ts";
 * console.log(truncateUtf16("abc😀", 4)); // "abc" (not "abc\ud83d")
 * ```
 */
export function truncateUtf16(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let end = maxLength;
  const last = text.charCodeAt(end - 1);
  const next = text.charCodeAt(end);
  if (last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) end--;
  return text.slice(0, end);
}
