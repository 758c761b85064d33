/**
 * Masking of secrets before they reach a message, a log line, an event, a
 * stats reason or an error detail (DESIGN principle 8). Every path that turns
 * a URL, a configuration value or a server's answer into text goes through
 * these functions, so "never show a password" is one rule in one place.
 *
 * - {@link redactUrlCredentials}: `http://user:hunter2@agent` →
 *   `http://user:***@agent` anywhere in a text (with or without a scheme).
 * - {@link redactValues}: replaces known secret values (an API key, an
 *   `Authorization` header) wherever they appear, e.g. echoed by a server.
 * - {@link printedMasked}: makes an object that holds secrets (the resolved
 *   `Config`, its header records) print masked in `JSON.stringify` and
 *   `console.log` on every runtime, while code still reads the real values.
 *
 * @module
 */

/**
 * `user:password@` in a URL or host string. The password part is greedy up to
 * the last `@` before a path, query, fragment or whitespace, as a URL parser
 * reads it, so `u:p@ss@host` masks `p@ss`, not `p`.
 */
const CREDENTIALS = /(^|[\s"'`(<=,;[]|\/\/)([^\s"'`/?#@:[\]]*):([^\s"'`/?#]*)@/g;

/**
 * Replaces the password of every `user:password@` in `text` with `***`
 * (the user name stays, to say which account was used). Text without
 * credentials is returned unchanged.
 *
 * @example
 * ```ts
 * import { redactUrlCredentials } from "./redact.ts";
 * redactUrlCredentials('DD_TRACE_AGENT_URL="http://user:hunter2@agent:99999"');
 * // 'DD_TRACE_AGENT_URL="http://user:***@agent:99999"'
 * ```
 */
export function redactUrlCredentials(text: string): string {
  if (!text.includes("@")) return text;
  return text.replace(CREDENTIALS, (_match, lead: string, user: string) => `${lead}${user}:***@`);
}

/**
 * Replaces every occurrence of each secret (at least 4 characters long;
 * shorter ones would mask ordinary words) in `text` with `***`, then masks
 * URL credentials too.
 *
 * @example
 * ```ts
 * import { redactValues } from "./redact.ts";
 * redactValues("intake said: bad key abcd1234", ["abcd1234"]); // "intake said: bad key ***"
 * ```
 */
export function redactValues(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (typeof secret === "string" && secret.length >= 4 && out.includes(secret)) out = out.split(secret).join("***");
  }
  return redactUrlCredentials(out);
}

/**
 * Makes `target` print as `masked()` everywhere a developer dumps it:
 * `JSON.stringify` (through `toJSON`), `console.log` and `util.inspect` on
 * Node and Bun, `console.log` and `Deno.inspect` on Deno. Reading the object
 * is unchanged: the three hooks are non-enumerable, so spreads,
 * `Object.entries`, `for…in`, `new Headers(target)` and `structuredClone`
 * see exactly the original properties. Call it before freezing `target`;
 * `masked` must return a plain object or value (not `target`).
 *
 * @example
 * ```ts
 * import { printedMasked } from "./redact.ts"; // internal: not exported from "flagpost"
 * const headers = printedMasked({ "api-key": "abcd1234" }, () => ({ "api-key": "***" }));
 * console.log(JSON.stringify(headers)); // {"api-key":"***"}
 * console.log(headers["api-key"]); // abcd1234
 * ```
 */
export function printedMasked<T extends object>(target: T, masked: () => unknown): T {
  const hook = { value: masked, enumerable: false, writable: false, configurable: false };
  Object.defineProperty(target, "toJSON", hook);
  // Registry symbols, so no runtime import (and nothing at module scope).
  // Node's util.inspect (so console.log) and Bun.inspect pass (depth, options, inspect) and format what is returned.
  Object.defineProperty(target, Symbol.for("nodejs.util.inspect.custom"), hook);
  // Deno.inspect (so Deno's console.log) looks this one up first, passes (inspect, options) and prints the string returned.
  Object.defineProperty(target, Symbol.for("Deno.customInspect"), {
    ...hook,
    value: (inspect: (value: unknown, options?: unknown) => string, options?: unknown) => inspect(masked(), options),
  });
  return target;
}
