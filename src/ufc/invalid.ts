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
 * import { InvalidFlagError } from "./invalid.ts"; // internal: not exported from "flagpost/ufc"
 * const error = new InvalidFlagError("allocations[0].splits", "expected an array");
 * console.log(error.message); // thrown while compiling one flag, which becomes a PARSE_ERROR for that key only
 * ```
 */
export class InvalidFlagError extends Error {
  constructor(readonly path: string, reason: string) {
    super(path === "" ? reason : `${path}: ${reason}`);
    this.name = "InvalidFlagError";
  }
}
