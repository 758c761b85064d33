/**
 * Rust `regex` patterns (what UFC configurations hold, what Datadog's native
 * evaluator runs) matched in JavaScript with the same answers and the same
 * guarantee: time linear in the input, whatever the pattern.
 *
 * A pattern is parsed once (Rust's syntax, flags resolved per node, Rust's
 * nesting and compiled-size limits), then runs on one of two engines:
 *
 * - the native `RegExp` (`v` flag) when a static check proves a backtracking
 *   engine cannot go super-linear on it (no repeated groups, no unbounded
 *   repeats that can trade characters, anchored or bounded when it scans);
 *   most real patterns (`@example\.com$`, `^[\w.+-]+@corp\.com$`,
 *   `.*@test\.com`) take this path and keep its speed;
 * - otherwise a Pike VM (breadth-first NFA simulation) that costs
 *   O(input × pattern size) on every input: `^(a+)+$`, `(.*a){20}`,
 *   `\s+$`, `a(?i)b`.
 *
 * What differs between the dialects and how it is handled is documented in
 * docs/evaluation.md (Regex dialect); anything that cannot be matched
 * faithfully is rejected with `RegexTranslationError`, which makes the flag a
 * PARSE_ERROR: never a wrong match.
 *
 * @module
 */
import { isBacktrackingSafe, toJavaScript, trimUnanchored } from "./_regex_native.ts";
import { parseRegex } from "./_regex_syntax.ts";
import { PikeVm, programSize } from "./_regex_vm.ts";
import { RegexTranslationError } from "./regex_error.ts";

export { RegexTranslationError } from "./regex_error.ts";

/**
 * Compiled-size limit: instructions after counted repetitions are expanded
 * (Rust refuses programs over 10 MiB; `a{1000}{1000}{1000}` is refused by both).
 *
 * @example
 * ```ts
 * // (fragment) internal to flagpost/ufc
 * compileRegex("a{1000}{1000}{1000}"); // throws RegexTranslationError: compiled size exceeds the limit
 * ```
 */
export const REGEX_SIZE_LIMIT = 100_000;

/**
 * A JavaScript pattern and flags equivalent to a Rust pattern.
 *
 * @example
 * ```ts
 * // (fragment) internal to flagpost/ufc: parseConfiguration compiles MATCHES patterns with it
 * const { source, flags } = translateRegex("(?i)^abc$");
 * console.log(new RegExp(source, flags).test("ABC")); // true
 * ```
 */
export interface TranslatedRegex {
  readonly source: string;
  readonly flags: string;
}

/**
 * A compiled pattern: `test(text)` says whether it matches anywhere in
 * `text` (Rust's `is_match`), in time linear in `text.length`.
 *
 * @example
 * ```ts
 * // (fragment) internal to flagpost/ufc
 * const matcher: RegexMatcher = compileRegex("^(a+)+$");
 * console.log(matcher.test("a".repeat(30) + "!")); // false, at once
 * ```
 */
export interface RegexMatcher {
  test(text: string): boolean;
}

/** Patterns larger than this skip the fast path's static check (its cost grows with size × paths) and run on the VM. */
const NATIVE_SIZE_LIMIT = 10_000;

function parse(pattern: string) {
  const node = trimUnanchored(parseRegex(pattern));
  const size = programSize(node, REGEX_SIZE_LIMIT);
  if (size > REGEX_SIZE_LIMIT) {
    throw new RegexTranslationError(pattern, `compiled size exceeds the limit (${REGEX_SIZE_LIMIT} instructions)`);
  }
  return { node, size };
}

/**
 * Translates a Rust `regex` pattern into a JavaScript pattern and flags with
 * the same matches (for "is there a match anywhere": leading and trailing
 * repeats may be shortened). Throws `RegexTranslationError` when the pattern
 * is invalid in Rust or JavaScript cannot express it (case-insensitivity on
 * part of a pattern). The result is not checked for backtracking safety: use
 * `compileRegex` to match untrusted input.
 *
 * @example
 * ```ts
 * // (fragment) internal to flagpost/ufc
 * const { source, flags } = translateRegex("^[[:alnum:]]+$");
 * console.log(new RegExp(source, flags).test("abc123")); // true
 * ```
 */
export function translateRegex(pattern: string): TranslatedRegex {
  const js = toJavaScript(parse(pattern).node);
  if (js === undefined) throw new RegexTranslationError(pattern, "JavaScript cannot express case-insensitivity on part of a pattern");
  return js;
}

/**
 * Compiles a Rust `regex` pattern into a matcher (unanchored search, like
 * Rust's `is_match`) that runs in time linear in its input: the native
 * `RegExp` when that is provably safe, the linear-time engine otherwise.
 * Throws `RegexTranslationError` when the pattern is invalid in Rust, over a
 * limit, or cannot be matched faithfully.
 *
 * @example
 * ```ts
 * // (fragment) internal to flagpost/ufc: parseConfiguration compiles MATCHES patterns with it
 * console.log(compileRegex("(?u)\\bmañana\\b").test("llega mañana temprano")); // true
 * console.log(compileRegex("a(?i)b").test("aB")); // true
 * try {
 *   compileRegex("(?=x)");
 * } catch (e) {
 *   console.log((e as Error).name); // "RegexTranslationError": Rust has no look-around
 * }
 * ```
 */
export function compileRegex(pattern: string): RegexMatcher {
  const { node, size } = parse(pattern);
  const js = size <= NATIVE_SIZE_LIMIT ? toJavaScript(node) : undefined;
  if (js !== undefined && isBacktrackingSafe(node)) {
    try {
      return new RegExp(js.source, js.flags);
    } catch (e) {
      throw new RegexTranslationError(pattern, (e as Error).message);
    }
  }
  return new PikeVm(node);
}
