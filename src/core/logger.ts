/**
 * Diagnostics: a tiny logger interface. flagpost is silent unless the caller
 * opts in, so telemetry never writes to a host's logs uninvited.
 *
 * @module
 */
import { redactUrlCredentials } from "./redact.ts";

/** Log levels in increasing severity. */
export type LogLevel = "debug" | "warn" | "error";

/** What flagpost logs through. Any object with these three methods works (console, pino, …). */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

const noop = (): void => {};

/**
 * A logger that drops everything: the default.
 *
 * @example
 * ```ts
 * import { silentLogger } from "flagpost";
 * const logger = silentLogger();
 * logger.warn("never printed");
 * ```
 */
export function silentLogger(): Logger {
  return { debug: noop, warn: noop, error: noop };
}

const RANK: Record<LogLevel, number> = { debug: 0, warn: 1, error: 2 };

/**
 * A logger writing to `console` at or above `level` (default `"warn"`),
 * each line prefixed with `[flagpost]`.
 *
 * @example
 * ```ts
 * import { consoleLogger } from "flagpost";
 * const logger = consoleLogger("debug");
 * logger.debug("flush", { exposures: 3 }); // console.debug("[flagpost] flush", { exposures: 3 })
 * ```
 */
export function consoleLogger(level: LogLevel = "warn", sink: Pick<Console, LogLevel> = console): Logger {
  const min = RANK[level];
  const at = (l: LogLevel) =>
    RANK[l] >= min
      ? (message: string, details?: Record<string, unknown>) =>
        details === undefined ? sink[l](`[flagpost] ${message}`) : sink[l](`[flagpost] ${message}`, details)
      : noop;
  return { debug: at("debug"), warn: at("warn"), error: at("error") };
}

/**
 * Wraps a user-supplied logger so that a logger which throws can never break
 * the host: telemetry diagnostics are best-effort. Every line passes through
 * `redactUrlCredentials` (the message and the string values of `details`), so
 * no URL password reaches a log, whoever built the line.
 */
export function safeLogger(logger: Logger | undefined): Logger {
  if (logger === undefined) return silentLogger();
  const guard = (l: LogLevel) => (message: string, details?: Record<string, unknown>) => {
    try {
      logger[l](redactUrlCredentials(message), details === undefined ? undefined : redactDetails(details));
    } catch {
      // A failing logger must not become a failing flag evaluation.
    }
  };
  return { debug: guard("debug"), warn: guard("warn"), error: guard("error") };
}

/** A copy of `details` with URL passwords masked in its string values (one level deep). */
function redactDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) out[key] = typeof value === "string" ? redactUrlCredentials(value) : value;
  return out;
}
