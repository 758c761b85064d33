/**
 * `FlagEvaluationWriter`: the EVP `flagevaluation` track — per-window
 * counts of evaluations per (flag, variant, allocation, runtime default
 * used, error code, subject), POSTed to the agent's EVP proxy.
 *
 * Unlike exposures, it counts *every* evaluation (errors, runtime defaults,
 * `doLog: false`), which is what powers per-subject evaluation counts.
 * `record()` is on the host's hot path: synchronous, no hashing, never
 * throws. `flush()` hashes the subjects (synchronous SHA-256, remembering the
 * last 10,000 distinct ones across windows), encodes, sends,
 * and never rejects.
 *
 * Accounting invariant, at every moment:
 * `recorded = sent + dropped (all reasons) + pending`, where `pending` is
 * what the current window and an in-flight flush hold. A retryable failure
 * (429, 5xx, a failed connection, or a deadline reached before sending)
 * puts its rows back into the window, merged within the caps; any other
 * failure (400, redirect, a timeout the agent may have counted) drops them
 * with its reason.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { delay } from "../core/delay.ts";
import type { EvaluationRecord } from "../core/evaluation.ts";
import type { Logger } from "../core/logger.ts";
import { flushDeadlineMs, type FlushOptions, signalDependencies, type SignalFlushReport, type SignalOptions } from "../core/signal.ts";
import { Sha256HexCache } from "../core/sha256.ts";
import type { StatsRegistry, StatsSnapshot } from "../core/stats.ts";
import { isWellFormedText } from "../core/text.ts";
import { EVP_MAX_EVENT_BYTES, EVP_MAX_PAYLOAD_BYTES, evpRetryPolicy, type EvpTarget, evpTarget } from "../transport/evp.ts";
import { outcomeReason, type SendOutcome, sendWithRetry } from "../transport/sender.ts";
import { FlagEvaluationAggregator, type FlagEvaluationEntry } from "./aggregator.ts";
import { snapshotContext } from "./context-snapshot.ts";
import type { RowSubject } from "./_row-bytes.ts";
import { encodeFlagEvaluationPayloads, type FlagEvaluationContext } from "./payload.ts";
import { optionalKey, protectedErrorCode, wellFormedKey } from "./privacy.ts";

/** Distinct subjects whose digest a writer remembers across windows (each: the key and a 32-byte digest). */
const SUBJECT_MEMO = 10_000;

/** Prefix of every counter this writer keeps in the stats registry. */
const NAME = "flagevaluations";

/**
 * Options of a {@link FlagEvaluationWriter}: the shared signal options plus
 * an explicit on/off switch and an agentless base URL.
 *
 * @example
 * ```ts
 * import { type FlagEvaluationWriterOptions, StatsRegistry } from "flagpost";
 * const options: FlagEvaluationWriterOptions = { enabled: true, stats: new StatsRegistry() };
 * console.log(options.enabled);
 * ```
 */
export interface FlagEvaluationWriterOptions extends SignalOptions {
  /** Overrides `DD_FLAGGING_EVALUATION_COUNTS_ENABLED` (`config.flagEvaluationsEnabled`). */
  readonly enabled?: boolean;
  /** Agentless intake base URL instead of Datadog's (a proxy, or the mock agent in tests). */
  readonly agentlessBaseUrl?: string;
}

/**
 * What `record()` did with an evaluation.
 *
 * @example
 * ```ts
 * import type { FlagEvaluationRecordResult } from "flagpost";
 * const result: FlagEvaluationRecordResult = { status: "degraded", reason: "cardinality_cap" };
 * console.log(result.status);
 * ```
 */
export interface FlagEvaluationRecordResult {
  /**
   * `counted`: in its subject row; `degraded`: in a row without subject (a
   * cardinality cap was reached); `dropped`: counted as dropped (`reason`);
   * `disabled`: the signal is off, nothing was done.
   */
  readonly status: "counted" | "degraded" | "dropped" | "disabled";
  readonly reason?: string;
}

/**
 * What one `flush()` did; counts are evaluations, except `rows` and `requests`.
 *
 * @example
 * ```ts
 * import type { FlagEvaluationFlushReport } from "flagpost";
 * const report: FlagEvaluationFlushReport = { sent: 12, rows: 3, dropped: {}, retried: 0, requests: 1, pending: 0, durationMs: 4 };
 * console.log(report.sent / report.rows); // 4 evaluations per row
 * ```
 */
export interface FlagEvaluationFlushReport extends SignalFlushReport {
  /** Rows delivered. */
  readonly rows: number;
}

/**
 * A failure whose rows are kept for the next flush: the receiver said "later"
 * (429, 5xx), the connection failed, or the deadline came before the body
 * was sent. A timed-out attempt is *not* kept: the agent may have counted it,
 * and counts must never be delivered twice.
 */
function retainable(outcome: SendOutcome): boolean {
  if (outcome.errorKind === "http") return evpRetryPolicy().retryStatuses.includes(outcome.status ?? 0);
  return outcome.errorKind === "network" || (outcome.errorKind === "deadline" && outcome.attempts === 0);
}

/** What a non-degraded row says about its subject: the raw key with consent, else its protected form. */
function protectedSubject(entry: FlagEvaluationEntry, subjects: Sha256HexCache): RowSubject {
  const key = entry.targetingKey;
  if (key === undefined || entry.consent || key === "") return key;
  return subjects.wordsSync(key); // written `sha256_<hex>`
}

/**
 * Aggregates evaluations per subject and delivers them as EVP `flagevaluation` rows.
 *
 * @example
 * ```ts
 * import { FlagEvaluationWriter, resolveConfig } from "flagpost";
 * import { createMockAgent } from "flagpost/mock-agent";
 * const agent = createMockAgent();
 * const writer = new FlagEvaluationWriter(resolveConfig({ DD_SERVICE: "shop" }), { fetch: agent.fetch });
 * writer.record({
 *   flagKey: "checkout", variant: "on", value: true, reason: "TARGETING_MATCH", errorCode: undefined,
 *   allocationKey: "beta", serialId: 7, doLog: true, targetingKey: "alice", attributes: {}, timestamp: Date.now(),
 * });
 * const report = await writer.flush();
 * console.log(report.sent, report.rows); // 1 1
 * ```
 */
export class FlagEvaluationWriter {
  readonly #enabled: boolean;
  readonly #config: Config;
  readonly #target: EvpTarget;
  readonly #fetch: typeof fetch | undefined;
  readonly #stats: StatsRegistry;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #window: FlagEvaluationAggregator;
  /** Digests of recent subjects: a subject seen in the last 10,000 distinct ones is not hashed again. */
  readonly #subjects = new Sha256HexCache(SUBJECT_MEMO);
  readonly #context: FlagEvaluationContext;
  #inFlight = 0;
  #flushing: Promise<unknown> = Promise.resolve();

  /**
   * Throws `FlagpostError`: `invalid_argument` for a config not from `resolveConfig()` or a bad option,
   * `invalid_config` for an unusable destination (an API key over plain HTTP).
   */
  constructor(config: Config, options: FlagEvaluationWriterOptions = {}) {
    ({ fetch: this.#fetch, stats: this.#stats, logger: this.#logger, now: this.#now } = signalDependencies(config, options));
    this.#config = config;
    this.#enabled = options.enabled ?? config.flagEvaluationsEnabled;
    this.#target = evpTarget(config, "flagevaluation", { agentlessBaseUrl: options.agentlessBaseUrl });
    this.#window = new FlagEvaluationAggregator({
      maxRows: config.limits.maxFlagEvaluationRows,
      maxRowsPerFlag: config.limits.maxFlagEvaluationRowsPerFlag,
      maxDegradedRows: config.limits.maxDegradedFlagEvaluationRows,
    });
    const context: { service: string; env?: string; version?: string } = { service: config.service ?? "" };
    if (config.env !== undefined) context.env = config.env;
    if (config.version !== undefined) context.version = config.version;
    this.#context = context;
  }

  /** Whether evaluations are recorded at all. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Evaluations not yet delivered nor dropped: the current window plus an in-flight flush. */
  get pending(): number {
    return this.#window.evaluations + this.#inFlight;
  }

  /** Counts one evaluation into the current window. Synchronous; never throws. */
  record(record: EvaluationRecord): FlagEvaluationRecordResult {
    if (!this.#enabled) return { status: "disabled" };
    try {
      this.#stats.count(`${NAME}.recorded`);
      const flagKey = record.flagKey;
      if (typeof flagKey !== "string" || flagKey === "" || !isWellFormedText(flagKey)) {
        return this.#drop("invalid", "flagKey must be a non-empty, well-formed string");
      }
      if (!Number.isSafeInteger(record.timestamp)) return this.#drop("invalid", "timestamp must be an integer of epoch milliseconds");
      const targetingKey = wellFormedKey(record.targetingKey);
      if (targetingKey === undefined && record.targetingKey !== undefined) {
        this.#stats.count(`${NAME}.targeting_key_omitted`, "invalid_encoding");
      }
      const consent = record.observeFullEvaluationData === true;
      let context;
      if (consent) {
        const snapshot = snapshotContext(record.attributes);
        if (snapshot.entries.length > 0) context = snapshot.entries;
        for (const reason of snapshot.omitted) this.#stats.count(`${NAME}.context_omitted`, reason);
      }
      const outcome = this.#window.add({
        flagKey,
        variant: optionalKey(record.variant),
        allocation: optionalKey(record.allocationKey),
        runtimeDefault: record.variant === undefined,
        error: protectedErrorCode(record.errorCode),
        targetingKey,
        context,
        consent,
        timestamp: record.timestamp,
      });
      if (outcome === "row") return { status: "counted" };
      if (outcome === "degraded") {
        this.#stats.count(`${NAME}.degraded`, "cardinality_cap");
        return { status: "degraded", reason: "cardinality_cap" };
      }
      return this.#drop("degraded_cap", "every row cap of the window is reached");
    } catch {
      // An evaluation record that breaks aggregation must not break the host.
      return this.#drop("internal", "the record could not be aggregated");
    }
  }

  /**
   * Hashes, encodes and sends the current window. Concurrent calls run one
   * after the other. Never rejects.
   */
  flush(options: FlushOptions = {}): Promise<FlagEvaluationFlushReport> {
    // The deadline runs from this call, not from when an earlier flush lets this one start.
    const calledAt = this.#now();
    const deadlineAt = calledAt + flushDeadlineMs(options, this.#config.flushDeadlineMs);
    const run = this.#flushing.then(() => this.#flushWindow(options, deadlineAt));
    this.#flushing = run.catch(() => {});
    // While an earlier flush still holds the window, answer by the deadline anyway: this flush then runs when that one
    // ends (with no time left it keeps the rows for the next flush) and its outcome is in stats().
    const cancel = new AbortController();
    const timeUp = delay(Math.max(0, deadlineAt - calledAt), cancel.signal).then((elapsed) =>
      elapsed
        ? { sent: 0, dropped: {}, retried: 0, requests: 0, rows: 0, pending: this.pending, durationMs: this.#now() - calledAt }
        : undefined
    );
    return Promise.race([run, timeUp]).then((report) => {
      cancel.abort();
      return report ?? run;
    });
  }

  /** This writer's counters (`flagevaluations.*`). */
  stats(): StatsSnapshot {
    const all = this.#stats.snapshot();
    const own: StatsSnapshot = {};
    for (const [name, byReason] of Object.entries(all)) if (name.startsWith(`${NAME}.`)) own[name] = byReason;
    return own;
  }

  #drop(reason: string, why: string): FlagEvaluationRecordResult {
    this.#stats.count(`${NAME}.dropped`, reason);
    return { status: "dropped", reason: reason === "invalid" ? `invalid: ${why}` : reason };
  }

  async #flushWindow(options: FlushOptions, deadlineAt: number): Promise<FlagEvaluationFlushReport> {
    const started = this.#now();
    const signal = options?.signal;
    const dropped: Record<string, number> = {};
    const drop = (reason: string, n: number) => {
      if (n <= 0) return;
      dropped[reason] = (dropped[reason] ?? 0) + n;
      this.#stats.count(`${NAME}.dropped`, reason, n);
    };
    let sent = 0, rows = 0, requests = 0, retried = 0, retained = 0;
    const entries = this.#window.take();
    let total = 0;
    for (const e of entries) total += e.count;
    this.#inFlight += total;
    try {
      if (entries.length === 0) return this.#report(started, sent, dropped, retried, requests, rows);
      const timestamp = this.#now();
      // Protected subjects are hashed synchronously while encoding (degraded and consented rows need none);
      // subjects seen in recent windows come from the writer's bounded memo, without a digest.
      const encoded = encodeFlagEvaluationPayloads(
        this.#context,
        entries,
        timestamp,
        (e) => protectedSubject(e, this.#subjects),
        { maxEventBytes: EVP_MAX_EVENT_BYTES, maxPayloadBytes: EVP_MAX_PAYLOAD_BYTES },
      );
      if (encoded.degradedEvaluations > 0) this.#stats.count(`${NAME}.degraded`, "too_large", encoded.degradedEvaluations);
      for (const e of encoded.tooLarge) drop("too_large", e.count);

      for (const payload of encoded.payloads) {
        const remaining = deadlineAt - this.#now();
        let outcome: SendOutcome;
        if (remaining <= 0 || signal?.aborted === true) {
          outcome = { ok: false, errorKind: "deadline", attempts: 0, elapsedMs: 0 };
        } else {
          outcome = await sendWithRetry(
            { url: this.#target.url, headers: this.#target.headers, body: payload.body },
            evpRetryPolicy(),
            { deadlineMs: remaining, signal, fetch: this.#fetch },
          );
          requests++;
          retried += Math.max(0, outcome.attempts - 1);
        }
        // `accepted`: the agent answered 2xx and only its answer broke off; sending the rows again would count them twice.
        if (outcome.ok || outcome.accepted === true) {
          sent += payload.evaluations;
          rows += payload.entries.length;
          this.#stats.count(`${NAME}.sent`, undefined, payload.evaluations);
          continue;
        }
        const reason = outcomeReason(outcome);
        if (retainable(outcome)) {
          // Kept for the next flush, merged with what arrives meanwhile, within the caps.
          for (const e of payload.entries) {
            if (this.#window.merge(e) === "dropped") drop("degraded_cap", e.count);
            else retained += e.count;
          }
          this.#stats.count(`${NAME}.retained`, reason, payload.evaluations);
        } else {
          drop(reason, payload.evaluations);
        }
        // Never the response body: with consent it could echo subjects back into logs.
        this.#logger.warn("flag evaluation rows not delivered", {
          status: outcome.status,
          reason,
          evaluations: payload.evaluations,
          kept: retainable(outcome),
        });
      }
      return this.#report(started, sent, dropped, retried, requests, rows);
    } catch (error) {
      // Unreachable by design (the sender never throws); still, never reject and never lose count.
      this.#logger.error("flag evaluation flush failed", { error: String(error) });
      const accounted = sent + retained + Object.values(dropped).reduce((a, b) => a + b, 0);
      drop("internal", total - accounted);
      return this.#report(started, sent, dropped, retried, requests, rows);
    } finally {
      this.#inFlight -= total;
    }
  }

  #report(
    started: number,
    sent: number,
    dropped: Record<string, number>,
    retried: number,
    requests: number,
    rows: number,
  ): FlagEvaluationFlushReport {
    return { sent, dropped, retried, requests, rows, pending: this.#window.evaluations, durationMs: this.#now() - started };
  }
}
