/**
 * How attribute values become strings (ONE_OF, MATCHES) and numbers (GT, GTE,
 * LT, LTE), matching the native evaluator: numbers are written in plain
 * decimal (never exponent notation), strings are parsed as numbers strictly
 * (no whitespace, no hex, no empty string).
 *
 * @module
 */

/**
 * Writes a number the way the native evaluator does (Rust's `f64` Display):
 * shortest round-trip digits in plain decimal notation; `-0`, `NaN`, `inf`, `-inf`.
 *
 * @example
 * ```ts
 * import { formatNumber } from "./coerce.ts"; // internal: not exported from "flagpost/ufc"
 * formatNumber(1e21); // "1000000000000000000000"
 * formatNumber(1.5e-7); // "0.00000015"
 * formatNumber(42); // "42"
 * ```
 */
export function formatNumber(n: number): string {
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  if (n !== n) return "NaN";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  const text = String(n);
  const e = text.indexOf("e");
  if (e === -1) return text;
  const negative = text.charCodeAt(0) === 45;
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf(".");
  const digits = dot === -1 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot === -1 ? mantissa.length : dot) + exponent;
  let plain: string;
  if (point <= 0) plain = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) plain = digits + "0".repeat(point - digits.length);
  else plain = digits.slice(0, point) + "." + digits.slice(point);
  return negative ? "-" + plain : plain;
}

/**
 * Parses a decimal number strictly, like Rust's `str::parse::<f64>`: optional
 * sign, digits with an optional fraction, optional exponent; also `inf`,
 * `infinity` and `nan` in any case. Anything else is `undefined`.
 *
 * @example
 * ```ts
 * import { parseNumberStrict } from "./coerce.ts"; // internal: not exported from "flagpost/ufc"
 * parseNumberStrict("1e3"); // 1000
 * parseNumberStrict(" 1"); // undefined
 * parseNumberStrict("0x10"); // undefined
 * ```
 */
export function parseNumberStrict(text: string): number | undefined {
  const n = text.length;
  if (n === 0) return undefined;
  let i = 0;
  let c = text.charCodeAt(0);
  if (c === 43 || c === 45) i++;
  let intDigits = 0;
  while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) i++, intDigits++;
  let fracDigits = 0;
  if (i < n && text.charCodeAt(i) === 46) {
    i++;
    while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) i++, fracDigits++;
  }
  if (intDigits + fracDigits === 0) return parseSpecial(text);
  if (i < n && ((c = text.charCodeAt(i)) === 101 || c === 69)) {
    i++;
    if (i < n && ((c = text.charCodeAt(i)) === 43 || c === 45)) i++;
    let expDigits = 0;
    while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) i++, expDigits++;
    if (expDigits === 0) return undefined;
  }
  return i === n ? Number(text) : undefined;
}

function parseSpecial(text: string): number | undefined {
  const negative = text.charCodeAt(0) === 45;
  const body = (text.charCodeAt(0) === 43 || negative ? text.slice(1) : text).toLowerCase();
  if (body === "inf" || body === "infinity") return negative ? -Infinity : Infinity;
  if (body === "nan") return NaN;
  return undefined;
}

/**
 * The string an attribute is compared as (ONE_OF, NOT_ONE_OF, MATCHES,
 * NOT_MATCHES): strings as they are, numbers via `formatNumber`, booleans as
 * `"true"`/`"false"`; anything else has no string form (`undefined`).
 *
 * @example
 * ```ts
 * import { attributeAsString } from "./coerce.ts"; // internal: not exported from "flagpost/ufc"
 * attributeAsString(true); // "true"
 * attributeAsString(123456789); // "123456789"
 * attributeAsString(null); // undefined
 * ```
 */
export function attributeAsString(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return formatNumber(value);
    case "boolean":
      return value ? "true" : "false";
    default:
      return undefined;
  }
}

/**
 * The number an attribute is compared as (GT, GTE, LT, LTE): numbers as they
 * are, strings parsed strictly; anything else (booleans included) `undefined`.
 *
 * @example
 * ```ts
 * import { attributeAsNumber } from "./coerce.ts"; // internal: not exported from "flagpost/ufc"
 * attributeAsNumber("10"); // 10
 * attributeAsNumber(true); // undefined
 * ```
 */
export function attributeAsNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string") return parseNumberStrict(value);
  return undefined;
}
