/**
 * The error raised while compiling one flag. It never escapes
 * `parseConfiguration`: the flag is kept as invalid (PARSE_ERROR) with this
 * message, and the other flags are unaffected.
 *
 * @module
 */

/**
 * A flag's configuration is invalid or unsupported at `path`.
 *
 * @example
 * ```ts
 * throw new InvalidFlagError("allocations[0].splits", "expected an array");
 * ```
 */
export class InvalidFlagError extends Error {
  constructor(readonly path: string, reason: string) {
    super(path === "" ? reason : `${path}: ${reason}`);
    this.name = "InvalidFlagError";
  }
}
