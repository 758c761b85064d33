/**
 * The contract every telemetry signal follows, so the facade
 * (`createFlagpost`) can wire them alike and merge their reports.
 *
 * A signal (`ExposureWriter`, `EvaluationMetrics`, `FlagEvaluationWriter`,
 * the trace queue) is built from `(config, SignalOptions)`, records
 * synchronously without ever throwing, and sends on `flush()`, which never
 * rejects and resolves with a {@link SignalFlushReport}. Sharing one stats
 * registry, logger, clock and fetch across signals is what lets `stats()`
 * show where every event went. {@link signalDependencies} is the one place
 * that checks those options and fills their defaults, so every signal
 * rejects the same bad input with the same error.
 *
 * @module
 */
import { describeValue, FlagpostError } from "./errors.ts";
import { type Logger, safeLogger } from "./logger.ts";
import { StatsRegistry } from "./stats.ts";

/**
 * Injection points shared by every signal. All optional: the defaults are
 * the global `fetch`, a private registry, a silent logger and `Date.now`.
 *
 * @example
 * ```ts
 * import { StatsRegistry, type SignalOptions } from "flagpost";
 * const options: SignalOptions = { stats: new StatsRegistry(), now: () => 1_700_000_000_000 };
 * console.log(typeof options.now);
 * ```
 */
export interface SignalOptions {
  /** The fetch used for every request (e.g. a mock agent's `app.fetch` in tests). */
  readonly fetch?: typeof fetch;
  /** Where counters go; pass one registry to several signals to see them together. */
  readonly stats?: StatsRegistry;
  /** Diagnostics; silent by default. A logger that throws is contained. */
  readonly logger?: Logger;
  /** Clock in epoch milliseconds. */
  readonly now?: () => number;
}

/**
 * Options of one `flush()`.
 *
 * @example
 * ```ts
 * import type { FlushOptions } from "flagpost";
 * const options: FlushOptions = { deadlineMs: 2_000 };
 * console.log(options.deadlineMs);
 * ```
 */
export interface FlushOptions {
  /**
   * Upper bound of the whole flush in milliseconds; default the config's
   * `flushDeadlineMs` (5,000), also used for a value that is not a positive
   * finite number (see {@link flushDeadlineMs}).
   */
  readonly deadlineMs?: number;
  /** Aborting it ends the flush early; what was not sent is counted as `deadline`. */
  readonly signal?: AbortSignal;
}

/**
 * What one signal's flush did. Counts are of *events* (exposures, metric
 * data points, rows, trace chunks), not requests.
 *
 * @example
 * ```ts
 * import type { SignalFlushReport } from "flagpost";
 * const report: SignalFlushReport = { sent: 3, dropped: { http_400: 1 }, retried: 0, requests: 1, pending: 0, durationMs: 12 };
 * console.log(Object.keys(report.dropped));
 * ```
 */
export interface SignalFlushReport {
  /** Events the receiver accepted (2xx). */
  readonly sent: number;
  /** Events dropped during this flush, by reason (`http_<status>`, `network`, `timeout`, `deadline`, `redirect`, `too_large`, …). */
  readonly dropped: Readonly<Record<string, number>>;
  /** Retries made (attempts beyond the first), summed over requests. */
  readonly retried: number;
  /** HTTP requests made (a size cap may split one flush into several). */
  readonly requests: number;
  /** Events kept for the next flush (e.g. metric counts after a retryable failure). */
  readonly pending: number;
  /** Wall-clock milliseconds the flush took. */
  readonly durationMs: number;
}

/**
 * {@link SignalOptions} checked, with their defaults filled in: what a
 * signal keeps. `fetch` stays `undefined` when not given, so the sender
 * reads the global `fetch` at send time (a test that patches it later is
 * seen).
 *
 * @example
 * ```ts
 * import { resolveConfig } from "flagpost";
 * import { type SignalDependencies, signalDependencies } from "./signal.ts"; // internal: not exported from "flagpost"
 * const deps: SignalDependencies = signalDependencies(resolveConfig({}), {});
 * console.log(deps.fetch === undefined); // true: the sender uses the global fetch
 * ```
 */
export interface SignalDependencies {
  readonly fetch: typeof fetch | undefined;
  readonly stats: StatsRegistry;
  /** Wrapped by `safeLogger`: never throws, URL passwords masked. */
  readonly logger: Logger;
  readonly now: () => number;
}

function invalidOption(field: string, value: unknown, rule: string): FlagpostError {
  return new FlagpostError("invalid_argument", `${field}: ${describeValue(value)} ${rule}`, { field });
}

/**
 * Checks a signal's constructor arguments and fills the option defaults (a
 * private `StatsRegistry`, a silent logger, `Date.now`). `config` must be
 * `resolveConfig()`'s result; it is never described in the message (it
 * holds the API key). Internal: every signal's constructor calls it.
 *
 * @throws FlagpostError `invalid_argument` naming `config` or `options.<name>`.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "flagpost";
 * import { signalDependencies } from "./signal.ts"; // internal: not exported from "flagpost"
 * const { stats, logger, now } = signalDependencies(resolveConfig({}), { now: () => 1_700_000_000_000 });
 * logger.warn("silent by default");
 * console.log(now(), stats.snapshot()); // 1700000000000 {}
 * ```
 */
export function signalDependencies(config: unknown, options: SignalOptions | undefined): SignalDependencies {
  if (typeof config !== "object" || config === null || typeof (config as { limits?: unknown }).limits !== "object") {
    throw new FlagpostError("invalid_argument", "config: must be the result of resolveConfig()", { field: "config" });
  }
  if (options === undefined) return { fetch: undefined, stats: new StatsRegistry(), logger: safeLogger(undefined), now: Date.now };
  if (options === null || typeof options !== "object") throw invalidOption("options", options, "must be an object");
  const { fetch, stats, logger, now } = options;
  if (fetch !== undefined && typeof fetch !== "function") throw invalidOption("options.fetch", fetch, "must be a function");
  if (now !== undefined && typeof now !== "function") throw invalidOption("options.now", now, "must be a function");
  if (stats !== undefined && typeof (stats as Partial<StatsRegistry> | null)?.count !== "function") {
    throw invalidOption("options.stats", stats, "must be a StatsRegistry");
  }
  if (logger !== undefined && (logger === null || typeof logger !== "object")) {
    throw invalidOption("options.logger", logger, "must be an object with debug, warn and error");
  }
  return { fetch, stats: stats ?? new StatsRegistry(), logger: safeLogger(logger), now: now ?? Date.now };
}

/**
 * The deadline of one flush: `options.deadlineMs` when it is a positive
 * finite number, else `fallback` (the config's `flushDeadlineMs`) — the rule
 * `createFlagpost().flush()` applies too, so a flush is always bounded and a
 * 0, negative or `NaN` deadline never means "give up at once". Internal:
 * every signal's `flush()` calls it.
 *
 * @example
 * ```ts
 * import { flushDeadlineMs } from "./signal.ts"; // internal: not exported from "flagpost"
 * console.log(flushDeadlineMs({ deadlineMs: 2_000 }, 5_000), flushDeadlineMs({ deadlineMs: Number.NaN }, 5_000)); // 2000 5000
 * ```
 */
export function flushDeadlineMs(options: FlushOptions | undefined, fallback: number): number {
  const requested = options?.deadlineMs;
  return typeof requested === "number" && Number.isFinite(requested) && requested > 0 ? requested : fallback;
}
