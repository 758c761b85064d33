/**
 * Checks on user-configured HTTP request headers, run where the headers are
 * configured (environment variables, options) so that a send never fails
 * later with a runtime-specific error (undici, Bun and Deno each reject bad
 * headers differently, some at send time only).
 *
 * Refused: names that are not HTTP tokens; values with CR, LF, NUL or any
 * other control character except tab (header injection); and the headers
 * that fetch or the HTTP protocol own (`content-length`, `transfer-encoding`,
 * `host`, `connection` and their kin).
 *
 * @module
 */
import { describeValue, FlagpostError, type FlagpostErrorCode } from "./errors.ts";
import { redactUrlCredentials } from "./redact.ts";

/**
 * Header names fetch or the protocol set themselves; configuring one is refused.
 *
 * @example
 * ```ts
 * import { FORBIDDEN_REQUEST_HEADERS } from "./http-headers.ts";
 * FORBIDDEN_REQUEST_HEADERS.includes("host"); // true
 * ```
 */
export const FORBIDDEN_REQUEST_HEADERS: readonly string[] = Object.freeze([
  "connection",
  "content-length",
  "expect",
  "host",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Throws `FlagpostError` (with `code`, default `invalid_config`, naming
 * `field` and the header) unless `name: value` can be sent by every fetch.
 * Secret-looking values (`authorization`, `*key*`, `*token*`, …) are never
 * quoted in the message.
 *
 * @example
 * ```ts
 * import { checkRequestHeader } from "./http-headers.ts";
 * checkRequestHeader("OTEL_EXPORTER_OTLP_HEADERS", "x-team", "flags"); // ok
 * try {
 *   checkRequestHeader("OTEL_EXPORTER_OTLP_HEADERS", "x-team", "a\r\nHost: evil");
 * } catch (e) {
 *   console.log((e as Error).message); // OTEL_EXPORTER_OTLP_HEADERS: header x-team has a control character (CR, LF, NUL, ...) in its value
 * }
 * ```
 */
export function checkRequestHeader(field: string, name: string, value: string, code: FlagpostErrorCode = "invalid_config"): void {
  if (typeof name !== "string" || !TOKEN.test(name)) {
    throw new FlagpostError(code, `${field}: header name ${describeValue(name)} is not a valid HTTP token`, { field });
  }
  if (FORBIDDEN_REQUEST_HEADERS.includes(name.toLowerCase())) {
    throw new FlagpostError(code, `${field}: header ${name} is set by fetch and the HTTP protocol; it cannot be configured`, { field });
  }
  if (typeof value !== "string") {
    throw new FlagpostError(code, `${field}: header ${name} must have a string value, got ${describeValue(value)}`, { field });
  }
  if (CONTROL.test(value)) {
    const shown = isSecretHeaderName(name) ? "" : ` (${redactUrlCredentials(describeValue(value))})`;
    throw new FlagpostError(code, `${field}: header ${name} has a control character (CR, LF, NUL, ...) in its value${shown}`, { field });
  }
}

/**
 * Checks every entry of a header record with {@link checkRequestHeader} and
 * returns a copy (own enumerable string entries only).
 *
 * @example
 * ```ts
 * import { checkRequestHeaders } from "./http-headers.ts";
 * checkRequestHeaders("headers", { "x-client-token": "abc" }, "invalid_argument"); // { "x-client-token": "abc" }
 * ```
 */
export function checkRequestHeaders(
  field: string,
  headers: Readonly<Record<string, string>> | undefined,
  code: FlagpostErrorCode = "invalid_config",
): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    throw new FlagpostError(code, `${field} must be an object of header name → value, got ${describeValue(headers)}`, { field });
  }
  for (const [name, value] of Object.entries(headers)) {
    checkRequestHeader(field, name, value, code);
    out[name] = value;
  }
  return out;
}

/**
 * True for header names whose values are secrets (`authorization`, `cookie`,
 * names containing `key`, `token` or `secret`): the sender masks their
 * values in anything it reports.
 *
 * @example
 * ```ts
 * import { isSecretHeaderName } from "./http-headers.ts";
 * isSecretHeaderName("DD-API-KEY"); // true
 * ```
 */
export function isSecretHeaderName(name: string): boolean {
  const n = name.toLowerCase();
  return n === "authorization" || n === "proxy-authorization" || n === "cookie" || n.includes("key") || n.includes("token") ||
    n.includes("secret");
}
