/**
 * The contract every telemetry signal follows, so the facade
 * (`createFlagpost`) can wire them alike and merge their reports.
 *
 * A signal (`ExposureWriter`, `EvaluationMetrics`, `FlagEvaluationWriter`,
 * the trace queue) is built from `(config, SignalOptions)`, records
 * synchronously without ever throwing, and sends on `flush()`, which never
 * rejects and resolves with a {@link SignalFlushReport}. Sharing one stats
 * registry, logger, clock and fetch across signals is what lets `stats()`
 * show where every event went.
 *
 * @module
 */
import type { Logger } from "./logger.ts";
import type { StatsRegistry } from "./stats.ts";

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
  /** Upper bound of the whole flush in milliseconds; default the config's `flushDeadlineMs` (5,000). */
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
