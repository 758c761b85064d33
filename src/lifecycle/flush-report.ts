/**
 * What one `flagpost.flush()` did, signal by signal and in total. The
 * report is the answer to "did my telemetry leave?": every event the flush
 * took is either in `sent` or in `dropped` under a reason, or still
 * `pending` for the next flush.
 *
 * @module
 */
import type { EvaluationRecord } from "../core/evaluation.ts";
import type { FlushOptions, SignalFlushReport } from "../core/signal.ts";

/**
 * A telemetry signal as the facade drives it: it may consume evaluation
 * records, and it sends what it holds on `flush()`, which never rejects.
 * `ExposureWriter`, `EvaluationMetrics`, the trace queue (and the
 * flag-evaluation writer) are wired like this; extra signals can be passed
 * to `createFlagpost({ signals })`.
 *
 * @example
 * ```ts
 * import { createFlagpost, type FlagpostSignal } from "flagpost";
 * let seen = 0;
 * const counter: FlagpostSignal = {
 *   name: "counter",
 *   record: () => void seen++,
 *   flush: () => Promise.resolve({ sent: seen, dropped: {}, retried: 0, requests: 0, pending: 0, durationMs: 0 }),
 * };
 * const flagpost = createFlagpost({ signals: [counter] });
 * const report = await flagpost.flush();
 * console.log(report.signals.counter?.sent); // 0
 * ```
 */
export interface FlagpostSignal {
  /** Key of this signal in `FlushReport.signals` (`exposures`, `metrics`, `traces`, `flagevaluations`, …). */
  readonly name: string;
  /** Consumes one evaluation; synchronous, must not throw (a throw is contained and counted). */
  record?(record: EvaluationRecord): void;
  /** Sends what the signal holds, within `options.deadlineMs`; never rejects. */
  flush(options: FlushOptions): Promise<SignalFlushReport>;
  /**
   * What the signal holds that is neither delivered nor dropped yet
   * (optional; the report of a caller whose deadline came before the flush
   * it joined ended shows it). Events, except metrics: evaluations, since
   * their data points are built only at flush.
   */
  pending?(): number;
}

/**
 * The result of `flagpost.flush()` / `shutdown()`.
 *
 * - `signals`: one {@link SignalFlushReport} per enabled signal (events
 *   sent, dropped by reason, retries, requests, pending, duration);
 * - `sent`, `dropped`, `retried`, `requests`, `pending`: the sums over signals
 *   (`dropped` merged by reason);
 * - `timedOut`: the deadline ended the flush before every signal answered
 *   (their unsent events are counted as `deadline`);
 * - `ok`: nothing was dropped, nothing is left pending (e.g. metric counts
 *   retained after a failed attempt) and nothing timed out.
 *
 * @example
 * ```ts
 * import { createFlagpost } from "flagpost";
 * const flagpost = createFlagpost({ env: { DD_SERVICE: "shop" } });
 * const report = await flagpost.flush({ deadlineMs: 1_000 });
 * if (!report.ok) console.warn("telemetry dropped", report.dropped);
 * console.log(report.sent, Object.keys(report.signals));
 * ```
 */
export interface FlushReport extends SignalFlushReport {
  /** True when nothing was dropped, nothing is pending and no signal was cut by the deadline. */
  readonly ok: boolean;
  /** True when the deadline (or the caller's abort signal) ended the flush before every signal finished. */
  readonly timedOut: boolean;
  /** The deadline this flush ran under, in milliseconds. */
  readonly deadlineMs: number;
  /** Per signal, by name. */
  readonly signals: Readonly<Record<string, SignalFlushReport>>;
}

/**
 * Sums per-signal reports into a {@link FlushReport}.
 *
 * @example
 * ```ts
 * // (fragment) internal: the facade builds its report with it
 * const report = mergeFlushReports({ exposures: a, metrics: b }, { deadlineMs: 5_000, durationMs: 12, timedOut: false });
 * ```
 */
export function mergeFlushReports(
  signals: Record<string, SignalFlushReport>,
  run: { deadlineMs: number; durationMs: number; timedOut: boolean },
): FlushReport {
  let sent = 0;
  let retried = 0;
  let requests = 0;
  let pending = 0;
  const dropped: Record<string, number> = {};
  for (const report of Object.values(signals)) {
    sent += report.sent;
    retried += report.retried;
    requests += report.requests;
    pending += report.pending;
    for (const [reason, n] of Object.entries(report.dropped)) dropped[reason] = (dropped[reason] ?? 0) + n;
  }
  const anyDropped = Object.values(dropped).some((n) => n > 0);
  return {
    ok: !anyDropped && pending === 0 && !run.timedOut,
    timedOut: run.timedOut,
    deadlineMs: run.deadlineMs,
    durationMs: run.durationMs,
    sent,
    dropped,
    retried,
    requests,
    pending,
    signals,
  };
}

/**
 * One report for two flushes made one after the other (per signal: counts
 * summed, `pending` and the outcome taken from the second).
 *
 * @example
 * ```ts
 * // (fragment) internal: shutdown() reports its final flush and the one that follows it
 * const report = combineFlushReports(first, second);
 * ```
 */
export function combineFlushReports(first: FlushReport, second: FlushReport): FlushReport {
  const signals: Record<string, SignalFlushReport> = {};
  for (const name of new Set([...Object.keys(first.signals), ...Object.keys(second.signals)])) {
    const a = first.signals[name] ?? emptySignalReport();
    const b = second.signals[name] ?? emptySignalReport();
    const dropped: Record<string, number> = { ...a.dropped };
    for (const [reason, n] of Object.entries(b.dropped)) dropped[reason] = (dropped[reason] ?? 0) + n;
    signals[name] = {
      sent: a.sent + b.sent,
      dropped,
      retried: a.retried + b.retried,
      requests: a.requests + b.requests,
      pending: b.pending,
      durationMs: a.durationMs + b.durationMs,
    };
  }
  return mergeFlushReports(signals, {
    deadlineMs: first.deadlineMs,
    durationMs: first.durationMs + second.durationMs,
    timedOut: first.timedOut || second.timedOut,
  });
}

/** An empty per-signal report (a signal that had nothing to do, or that the deadline cut). */
export function emptySignalReport(durationMs = 0, dropped: Record<string, number> = {}): SignalFlushReport {
  return { sent: 0, dropped, retried: 0, requests: 0, pending: 0, durationMs };
}
