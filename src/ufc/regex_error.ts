/**
 * The error every rejected regex pattern raises. It is a `FlagpostError`
 * (code `invalid_argument`, field `pattern`) so that callers who compile
 * patterns themselves handle it like any other bad input; inside
 * `parseConfiguration` it never escapes: it makes that one flag a PARSE_ERROR.
 *
 * @module
 */
import { describeValue, FlagpostError } from "../core/errors.ts";

/**
 * A Rust `regex` pattern is invalid (as Rust's parser would say), exceeds a
 * resource limit (nesting, compiled size), or uses something flagpost cannot
 * match with the same meaning.
 *
 * @example
 * ```ts
 * // (fragment) internal to flagpost/ufc; in a configuration the message becomes the flag's PARSE_ERROR
 * try {
 *   compileRegex("(a)\\1");
 * } catch (e) {
 *   console.log(e instanceof RegexTranslationError, (e as RegexTranslationError).code); // true "invalid_argument"
 * }
 * ```
 */
export class RegexTranslationError extends FlagpostError {
  /** The pattern that was rejected. */
  readonly pattern: string;

  constructor(pattern: string, reason: string, position?: number) {
    super(
      "invalid_argument",
      `pattern ${describeValue(pattern)}: ${reason}${position === undefined ? "" : ` (at code point ${position})`}`,
      { field: "pattern" },
    );
    this.name = "RegexTranslationError";
    this.pattern = pattern;
  }
}
