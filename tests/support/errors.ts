/**
 * The one way the tests catch a `FlagpostError`: bad input must be rejected
 * with a typed error naming the field, so a test that gets no error, or
 * another kind of error, must fail rather than assert nothing.
 */
import { FlagpostError } from "../../src/core/errors.ts";

/** The `FlagpostError` that `fn` throws; throws (failing the test) when `fn` returns or throws anything else. */
export function flagpostErrorOf(fn: () => unknown): FlagpostError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FlagpostError) return error;
    throw new Error(`expected a FlagpostError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected a FlagpostError, nothing was thrown");
}
