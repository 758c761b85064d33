/**
 * The one error type flagpost throws at a caller.
 *
 * Every rejection of user input (configuration, builder arguments, codec
 * input) is a `FlagpostError` with a stable machine-readable `code` and a
 * message that names the offending field, the value and the rule it broke.
 * Telemetry paths (`record*`, hooks, exporters) never throw: they count
 * failures in `stats()` instead.
 *
 * @module
 */
import { redactUrlCredentials } from "./redact.ts";

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export type FlagpostErrorCode =
  | "invalid_config"
  | "invalid_argument"
  | "invalid_encoding"
  | "consumed"
  | "closed"
  // Transport failures, as the native library names them (trace exporter results).
  | "http_client"
  | "http_server"
  | "network"
  | "timeout"
  | "queue_full";

/**
 * An error caused by the caller's input or by misuse of an API.
 *
 * @example
 * ```ts
 * import { FlagpostError, resolveConfig } from "flagpost";
 * try {
 *   resolveConfig({ DD_TRACE_AGENT_PORT: "99999" });
 * } catch (e) {
 *   if (e instanceof FlagpostError) console.log(e.code, e.field); // "invalid_config" "DD_TRACE_AGENT_PORT"
 * }
 * ```
 */
export class FlagpostError extends Error {
  /** Machine-readable category of the failure. */
  readonly code: FlagpostErrorCode;
  /** The input field (environment variable, option or argument name) that was rejected, when there is one. */
  readonly field: string | undefined;

  constructor(code: FlagpostErrorCode, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "FlagpostError";
    this.code = code;
    this.field = options?.field;
  }
}

/**
 * Short, safe rendering of a rejected value for error messages: strings are
 * JSON-quoted, URL passwords are masked (`user:***@`, before cutting, so a
 * cut can never expose part of one), and the text is cut at 80 characters so
 * a huge input never floods a log.
 *
 * @example
 * ```ts
 * import { describeValue } from "./errors.ts";
 * describeValue("http://user:hunter2@agent:99999"); // "\"http://user:***@agent:99999\""
 * ```
 */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "bigint") text = `${value}n`;
  else if (value === undefined) text = "undefined";
  else if (typeof value === "function") text = "a function";
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  text = redactUrlCredentials(text);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
