/**
 * `EvaluationMetrics`: counts every flag evaluation as the OTLP counter
 * `feature_flag.evaluations` and sends the window to the OTLP metrics
 * endpoint on `flush()`, as Datadog's tracers do (there a sidecar or the
 * OpenTelemetry SDK exports it; on the edge flagpost is that exporter).
 *
 * - `record()` is synchronous, O(1), never throws; memory is bounded by the
 *   aggregator's series caps.
 * - `flush()` sends at most one request (protobuf, or OTLP/JSON when the
 *   config says `http/json`) through the shared sender: 429/502/503/504 and
 *   network errors are retried honouring `Retry-After` within the deadline;
 *   a window whose send failed that way (or met the deadline before it was
 *   sent) is merged back into the next one; a timed-out attempt is neither
 *   retried nor kept, since the collector may have counted it (delta counts
 *   must never arrive twice): it is dropped as `timeout`;
 *   any other failure (400, …) drops it with a count; a 200 with
 *   `partial_success.rejected_data_points` counts those points as rejected.
 *
 * Accounting (the invariant the tests check): every evaluation passed to
 * `record()` while enabled ends in exactly one of
 * `metrics.evaluations.sent`, `metrics.evaluations.dropped{reason}` or the
 * pending window.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { describeValue, FlagpostError } from "../core/errors.ts";
import type { EvaluationRecord } from "../core/evaluation.ts";
import { isSecretHeaderName } from "../core/http-headers.ts";
import type { Logger } from "../core/logger.ts";
import { redactValues } from "../core/redact.ts";
import { flushDeadlineMs, type FlushOptions, signalDependencies, type SignalFlushReport, type SignalOptions } from "../core/signal.ts";
import type { StatsRegistry, StatsSnapshot } from "../core/stats.ts";
import { OTLP_RETRY_POLICY, type RetryPolicy } from "../transport/retry.ts";
import { outcomeReason, type SendOutcome, sendWithRetry } from "../transport/sender.ts";
import { readPartialSuccess, RESPONSE_LIMIT } from "./_partial-success.ts";
import { type DrainedWindow, EvaluationAggregator } from "./aggregator.ts";
import { encodeOtlpMetricsJson } from "./otlp-json.ts";
import { encodeOtlpMetrics } from "./otlp-protobuf.ts";

/**
 * Options of {@link EvaluationMetrics}: the shared signal options plus an
 * explicit on/off switch and the overflow caps.
 *
 * @example
 * ```ts
 * import type { EvaluationMetricsOptions } from "flagpost";
 * const options: EvaluationMetricsOptions = { enabled: true, maxOverflowFlags: 50 };
 * console.log(options.enabled);
 * ```
 */
export interface EvaluationMetricsOptions extends SignalOptions {
  /** Overrides `config.metricsEnabled` (`DD_METRICS_OTEL_ENABLED`). */
  readonly enabled?: boolean;
  /** Per-flag overflow series per window (default 100); past it, the global overflow series. */
  readonly maxOverflowFlags?: number;
  /** Longest attribute value (UTF-16 units) kept as its own series (default 256). */
  readonly maxAttributeLength?: number;
}

/**
 * What one metrics flush did. `sent`, `dropped` and `pending` count data
 * points (the facade merges them with the other signals' events);
 * `evaluations` counts the evaluations those points carry.
 *
 * @example
 * ```ts
 * import type { MetricsFlushReport } from "flagpost";
 * const report: MetricsFlushReport = {
 *   sent: 2, dropped: {}, retried: 0, requests: 1, pending: 0, durationMs: 3, rejected: 0,
 *   evaluations: { sent: 7, dropped: {}, pending: 0 },
 * };
 * console.log(report.evaluations.sent);
 * ```
 */
export interface MetricsFlushReport extends SignalFlushReport {
  /** Points the collector rejected in a 200 with `partial_success` (also in `dropped.rejected`). */
  readonly rejected: number;
  readonly evaluations: {
    /** Evaluations in an accepted request. */
    readonly sent: number;
    /** Evaluations dropped by this flush, by reason. */
    readonly dropped: Readonly<Record<string, number>>;
    /** Evaluations waiting in the window after this flush (new ones, and a retryable failure's). */
    readonly pending: number;
  };
}

function invalid(field: string, value: unknown, rule: string): FlagpostError {
  return new FlagpostError("invalid_argument", `${field}: ${describeValue(value)} ${rule}`, { field });
}

function positiveIntegerOption(field: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 1) throw invalid(field, value, "must be a positive integer");
  return value;
}

/**
 * The `feature_flag.evaluations` signal: a bounded aggregator plus an
 * OTLP/HTTP exporter.
 *
 * @example
 * ```ts
 * import { EvaluationMetrics, resolveConfig } from "flagpost";
 * const config = resolveConfig({ DD_SERVICE: "shop", DD_METRICS_OTEL_ENABLED: "true" });
 * const metrics = new EvaluationMetrics(config);
 * metrics.record({
 *   flagKey: "checkout", variant: "on", value: true, reason: "TARGETING_MATCH", errorCode: undefined,
 *   allocationKey: "beta", serialId: 7, doLog: true, targetingKey: "user-1", attributes: {}, timestamp: Date.now(),
 * });
 * const report = await metrics.flush({ deadlineMs: 2_000 });
 * console.log(report.sent, report.dropped, metrics.stats()["metrics.evaluations.sent"]);
 * ```
 */
export class EvaluationMetrics {
  readonly #config: Config;
  readonly #enabled: boolean;
  readonly #fetch: typeof fetch | undefined;
  readonly #stats: StatsRegistry;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #aggregator: EvaluationAggregator;
  readonly #policy: RetryPolicy;
  /** Values of the secret OTLP headers (API keys, tokens): masked wherever a collector's answer echoes them. */
  readonly #secrets: readonly string[];

  constructor(config: Config, options: EvaluationMetricsOptions = {}) {
    ({ fetch: this.#fetch, stats: this.#stats, logger: this.#logger, now: this.#now } = signalDependencies(config, options));
    if (typeof config.otlpMetrics !== "object") {
      throw new FlagpostError("invalid_argument", "config: must be the result of resolveConfig()", { field: "config" });
    }
    if (options.enabled !== undefined && typeof options.enabled !== "boolean") {
      throw invalid("options.enabled", options.enabled, "must be a boolean");
    }
    this.#config = config;
    this.#enabled = options.enabled ?? config.metricsEnabled;
    const maxOverflowFlags = positiveIntegerOption("options.maxOverflowFlags", options.maxOverflowFlags);
    const maxAttributeLength = positiveIntegerOption("options.maxAttributeLength", options.maxAttributeLength);
    this.#aggregator = new EvaluationAggregator(
      {
        maxSeries: config.limits.maxMetricPoints,
        ...(maxOverflowFlags !== undefined ? { maxOverflowFlags } : {}),
        ...(maxAttributeLength !== undefined ? { maxAttributeLength } : {}),
      },
      this.#now(),
    );
    // A timed-out attempt is not sent again: the collector may have counted it, and delta counts must never arrive twice.
    this.#policy = { ...OTLP_RETRY_POLICY, retryTimeouts: false, timeoutMs: config.otlpMetrics.timeoutMs };
    this.#secrets = Object.entries(config.otlpMetrics.headers).filter(([name]) => isSecretHeaderName(name)).map(([, value]) => value);
  }

  /** Whether evaluations are counted and sent (the option, else `DD_METRICS_OTEL_ENABLED`). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Evaluations in the current (unsent) window. */
  get pending(): number {
    return this.#aggregator.evaluations;
  }

  /**
   * Counts one evaluation. Synchronous and never throws; a record without a
   * flag key is counted as `metrics.evaluations.dropped{invalid}`. Does
   * nothing while disabled.
   */
  record(record: EvaluationRecord): void {
    if (!this.#enabled) return;
    try {
      this.#stats.count("metrics.evaluations.received");
      const outcome = this.#aggregator.add(record);
      if (outcome === "invalid") this.#stats.count("metrics.evaluations.dropped", "invalid");
      else if (outcome === "overflow_flag") this.#stats.count("metrics.overflow", "flag");
      else if (outcome === "overflow_global") this.#stats.count("metrics.overflow", "global");
    } catch (e) {
      // Defensive: nothing above throws, but recording must never break an evaluation.
      this.#stats.count("metrics.evaluations.dropped", "invalid");
      this.#logger.debug("metrics: record failed", { error: String(e) });
    }
  }

  /** The counters of the registry this signal reports into. */
  stats(): StatsSnapshot {
    return this.#stats.snapshot();
  }

  /**
   * Sends the window (one request at most). Never rejects; resolves with
   * what happened. Bounded by `deadlineMs` (default `config.flushDeadlineMs`).
   */
  async flush(options: FlushOptions = {}): Promise<MetricsFlushReport> {
    const started = this.#now();
    const empty = (): MetricsFlushReport => ({
      sent: 0,
      dropped: {},
      retried: 0,
      requests: 0,
      pending: this.#aggregator.size,
      durationMs: this.#now() - started,
      rejected: 0,
      evaluations: { sent: 0, dropped: {}, pending: this.#aggregator.evaluations },
    });
    if (!this.#enabled) return empty();
    let drained: DrainedWindow | undefined;
    try {
      drained = this.#aggregator.drain(started);
      if (drained === undefined) return empty();
      return await this.#send(drained, options, started);
    } catch (e) {
      // Defensive: keep the counts rather than lose them silently.
      if (drained !== undefined) this.#aggregator.merge(drained);
      this.#logger.warn("metrics: flush failed unexpectedly", { error: String(e) });
      return empty();
    }
  }

  async #send(drained: DrainedWindow, options: FlushOptions, started: number): Promise<MetricsFlushReport> {
    const otlp = this.#config.otlpMetrics;
    const json = otlp.protocol === "http/json";
    const resource = { service: this.#config.service, env: this.#config.env, version: this.#config.version };
    const points = drained.points;
    const body = json ? encodeOtlpMetricsJson(resource, points, drained.window) : encodeOtlpMetrics(resource, points, drained.window);
    const deadlineMs = flushDeadlineMs(options, this.#config.flushDeadlineMs);
    const outcome: SendOutcome = await sendWithRetry(
      {
        url: otlp.endpoint,
        method: "POST",
        headers: { ...otlp.headers, "Content-Type": json ? "application/json" : "application/x-protobuf" },
        body,
      },
      this.#policy,
      {
        deadlineMs,
        ...(options?.signal !== undefined ? { signal: options.signal } : {}),
        ...(this.#fetch !== undefined ? { fetch: this.#fetch } : {}),
        readResponse: "bytes",
        maxResponseBytes: RESPONSE_LIMIT,
        now: this.#now,
      },
    );
    const retried = Math.max(0, outcome.attempts - 1);
    const requests = outcome.attempts > 0 ? 1 : 0;
    const s = this.#stats;
    // A 2xx whose answer broke off while being read: the collector accepted the request, so its counts are sent (sending
    // them again would count them twice); only a partial_success it may have carried is unknown.
    const answered = !outcome.ok && outcome.accepted === true;
    if (answered) {
      this.#logger.warn("metrics: the collector's 2xx answer was cut off; counts taken as delivered", { status: outcome.status });
    }
    if (outcome.ok || answered) {
      const partial = outcome.ok ? readPartialSuccess(outcome.responseBytes ?? new Uint8Array(0), json) : undefined;
      const rejected = Math.min(points.length, partial?.rejected ?? 0);
      s.count("metrics.points.sent", "", points.length - rejected);
      s.count("metrics.evaluations.sent", "", drained.evaluations);
      if (rejected > 0) {
        s.count("metrics.points.rejected", "partial_success", rejected);
        this.#logger.warn("metrics: collector rejected data points", {
          rejected,
          message: redactValues(partial?.message ?? "", this.#secrets).slice(0, 256),
        });
      }
      return this.#report(started, {
        sent: points.length - rejected,
        dropped: rejected > 0 ? { rejected } : {},
        retried,
        requests,
        rejected,
        evaluations: { sent: drained.evaluations, dropped: {} },
      });
    }
    const reason = outcomeReason(outcome);
    // Kept for the next flush only when the collector cannot have counted it: it said "later" (429/502/503/504, also when the
    // deadline then cut the wait for a retry), the connection failed, or the deadline came before anything was sent. An attempt
    // that timed out, or that the deadline cut while the collector held it, may have been counted: dropped with its reason.
    const saidLater = outcome.status !== undefined && this.#policy.retryStatuses.includes(outcome.status);
    const retryable = outcome.errorKind === "network" || (outcome.errorKind === "http" && saidLater) ||
      (outcome.errorKind === "deadline" && (outcome.attempts === 0 || saidLater));
    if (retryable) {
      this.#aggregator.merge(drained);
      s.count("metrics.evaluations.retained", reason, drained.evaluations);
      this.#logger.debug("metrics: send failed, counts kept for the next flush", { reason });
      return this.#report(started, { sent: 0, dropped: {}, retried, requests, rejected: 0, evaluations: { sent: 0, dropped: {} } });
    }
    s.count("metrics.points.dropped", reason, points.length);
    s.count("metrics.evaluations.dropped", reason, drained.evaluations);
    this.#logger.warn("metrics: send failed, window dropped", { reason, status: outcome.status, detail: outcome.errorDetail });
    return this.#report(started, {
      sent: 0,
      dropped: { [reason]: points.length },
      retried,
      requests,
      rejected: 0,
      evaluations: { sent: 0, dropped: { [reason]: drained.evaluations } },
    });
  }

  #report(
    started: number,
    r: Omit<MetricsFlushReport, "pending" | "durationMs" | "evaluations"> & {
      evaluations: Omit<MetricsFlushReport["evaluations"], "pending">;
    },
  ): MetricsFlushReport {
    return {
      ...r,
      pending: this.#aggregator.size,
      durationMs: this.#now() - started,
      evaluations: { ...r.evaluations, pending: this.#aggregator.evaluations },
    };
  }
}
