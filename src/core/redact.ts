/**
 * Masking of secrets before they reach a message, a log line, an event, a
 * stats reason or an error detail (DESIGN principle 8). Every path that turns
 * a URL, a configuration value or a server's answer into text goes through
 * these two functions, so "never show a password" is one rule in one place.
 *
 * - {@link redactUrlCredentials}: `http://user:hunter2@agent` →
 *   `http://user:***@agent` anywhere in a text (with or without a scheme).
 * - {@link redactValues}: replaces known secret values (an API key, an
 *   `Authorization` header) wherever they appear, e.g. echoed by a server.
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
