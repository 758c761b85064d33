/**
 * Trace and span ids: unsigned 64-bit integers (a trace id may be 128-bit),
 * never 0. JavaScript numbers cannot hold them exactly, so they travel as
 * `bigint` or as hex strings, and inside flagpost as two unsigned 32-bit
 * halves, which the msgpack encoders write without any bigint arithmetic.
 *
 * @module
 */
import { describeValue, FlagpostError } from "../core/errors.ts";

/**
 * A random, non-zero, unsigned 64-bit id from `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * import { generateId } from "flagpost";
 * const id = generateId();
 * console.log(id > 0n && id < 2n ** 64n); // true
 * ```
 */
export function generateId(): bigint {
  const words = new Uint32Array(2);
  do crypto.getRandomValues(words); while (words[0] === 0 && words[1] === 0);
  return (BigInt(words[0]!) << 32n) | BigInt(words[1]!);
}

/** An id split into 32-bit halves; `upperHex` holds the upper 64 bits of a 128-bit trace id (16 lowercase hex digits) or `""`. */
export interface IdParts {
  readonly hi: number;
  readonly lo: number;
  readonly upperHex: string;
}

const U64 = (1n << 64n) - 1n;
const U128 = (1n << 128n) - 1n;

function rejectId(field: string, value: unknown, rule: string): FlagpostError {
  return new FlagpostError("invalid_argument", `${field}=${describeValue(value)}: ${rule}`, { field });
}

/**
 * Parses an id given as a `bigint`, a safe non-negative integer, or a hex
 * string of 16 digits (32 when `bits` is 128). Throws `FlagpostError`
 * (`invalid_argument`, naming `field`) when it is out of range, or 0 and
 * `allowZero` is false.
 *
 * @example
 * ```ts
 * // (fragment) internal helper of the span builder
 * parseId("traceId", "0000000000000001ffffffffffffffff", 128, false); // { hi: 4294967295, lo: 4294967295, upperHex: "0000000000000001" }
 * ```
 */
export function parseId(field: string, value: unknown, bits: 64 | 128, allowZero: boolean): IdParts {
  let big: bigint;
  if (typeof value === "bigint") {
    big = value;
  } else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw rejectId(field, value, "a number id must be a safe integer; use a bigint or hex string");
    big = BigInt(value);
  } else if (typeof value === "string") {
    const ok = bits === 128 ? /^(?:[0-9a-fA-F]{16}|[0-9a-fA-F]{32})$/.test(value) : /^[0-9a-fA-F]{16}$/.test(value);
    if (!ok) throw rejectId(field, value, `must be ${bits === 128 ? "16 or 32" : "16"} hex digits`);
    big = BigInt(`0x${value}`);
  } else {
    throw rejectId(field, value, "must be a bigint or a hex string");
  }
  if (big < 0n || big > (bits === 128 ? U128 : U64)) throw rejectId(field, value, `must be an unsigned ${bits}-bit integer`);
  if (big === 0n && !allowZero) throw rejectId(field, value, "must not be 0");
  const upper = big >> 64n;
  return {
    hi: Number((big >> 32n) & 0xffffffffn),
    lo: Number(big & 0xffffffffn),
    upperHex: upper === 0n ? "" : upper.toString(16).padStart(16, "0"),
  };
}

/**
 * Parses a non-negative integer number of nanoseconds below 2^63 (a
 * `bigint` or a safe integer) into 32-bit halves.
 *
 * @example
 * ```ts
 * // (fragment) internal helper of the span builder
 * parseNanoseconds("start", 1_700_000_000_000_000_000n); // { hi: 395812644, lo: 1209925632 }
 * ```
 */
export function parseNanoseconds(field: string, value: unknown): { hi: number; lo: number } {
  let big: bigint;
  if (typeof value === "bigint") big = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) big = BigInt(value);
  else throw rejectId(field, value, "must be an integer number of nanoseconds (bigint or safe integer)");
  if (big < 0n) throw rejectId(field, value, "must not be negative");
  if (big >= 1n << 63n) throw rejectId(field, value, "must be below 2^63 nanoseconds");
  return { hi: Number(big >> 32n), lo: Number(big & 0xffffffffn) };
}
