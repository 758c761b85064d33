/**
 * What a flag-evaluation row may say about a subject and an error.
 *
 * Rows leave the process with per-subject counts, so the rules are strict
 * and shared by every Datadog tracer (dd-trace-js 6.21
 * `flag-evaluation-pii.js` is the reference):
 *
 * - an error is sent only as an OpenFeature error *code* from a fixed
 *   allow-list (never a message, which may echo user input); any other code
 *   becomes `GENERAL`;
 * - a targeting key is sent as `sha256_<hex>` unless the configuration
 *   consents (`observeFullEvaluationData: true`); `""` stays `""` (an
 *   empty key is a real, distinct subject); an absent key is omitted;
 * - text with a lone surrogate is never sent (UTF-8 encoding would silently
 *   replace it, merging distinct keys).
 *
 * @module
 */
import { sha256Hex, type Sha256HexCache } from "../core/sha256.ts";
import { isWellFormedText } from "../core/text.ts";

/** The OpenFeature error codes a row may carry; an upstream addition needs a privacy review. */
export const ALLOWED_ERROR_CODES: readonly string[] = Object.freeze([
  "PROVIDER_NOT_READY",
  "PROVIDER_FATAL",
  "FLAG_NOT_FOUND",
  "PARSE_ERROR",
  "TYPE_MISMATCH",
  "TARGETING_KEY_MISSING",
  "INVALID_CONTEXT",
  "GENERAL",
]);

/**
 * The error code a row carries: `undefined` for no error (absent or `""`),
 * the code itself when allow-listed, else `GENERAL`.
 *
 * @example
 * ```ts
 * import { protectedErrorCode } from "./privacy.ts";
 * console.log(protectedErrorCode("FLAG_NOT_FOUND"), protectedErrorCode("my custom error"), protectedErrorCode(undefined));
 * // FLAG_NOT_FOUND GENERAL undefined
 * ```
 */
export function protectedErrorCode(code: unknown): string | undefined {
  if (code === undefined || code === null || code === "") return undefined;
  return typeof code === "string" && ALLOWED_ERROR_CODES.includes(code) ? code : "GENERAL";
}

/**
 * A dimension that is omitted when empty (variant, allocation): the text
 * when it is a non-empty, well-formed string, else `undefined`.
 *
 * @example
 * ```ts
 * import { optionalKey } from "./privacy.ts";
 * console.log(optionalKey("on"), optionalKey(""), optionalKey("\ud800"));
 * // on undefined undefined
 * ```
 */
export function optionalKey(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && isWellFormedText(value) ? value : undefined;
}

/**
 * A targeting key as rows may keep it: any well-formed string (including
 * `""`), else `undefined`.
 *
 * @example
 * ```ts
 * import { wellFormedKey } from "./privacy.ts";
 * console.log(JSON.stringify([wellFormedKey(""), wellFormedKey(42), wellFormedKey("\udc00")]));
 * // ["",null,null]
 * ```
 */
export function wellFormedKey(value: unknown): string | undefined {
  return typeof value === "string" && isWellFormedText(value) ? value : undefined;
}

/**
 * The protected form of a targeting key: `sha256_` + lowercase hex SHA-256
 * of its UTF-8 bytes; `""` stays `""`. With a `cache`, a key hashed
 * recently is not hashed again.
 *
 * @example
 * ```ts
 * import { hashedTargetingKey } from "./privacy.ts";
 * console.log(await hashedTargetingKey("alice"));
 * // sha256_2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90
 * ```
 */
export async function hashedTargetingKey(key: string, cache?: Sha256HexCache): Promise<string> {
  if (key === "") return "";
  return HASHED_KEY_PREFIX + (cache === undefined ? await sha256Hex(key) : await cache.hex(key));
}

/** What a protected targeting key starts with: the digest's name. */
export const HASHED_KEY_PREFIX = "sha256_";
