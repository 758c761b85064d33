/**
 * `ExposureWriter`: validates, deduplicates and queues exposures as they are
 * recorded, and delivers them to the agent's EVP proxy (or the agentless
 * intake) when `flush()` is called — the isolate's own sidecar.
 *
 * Why it is built this way:
 * - `add()` is on the flag-evaluation path, so it is synchronous, cheap and
 *   never throws; it returns what happened instead. It validates, dedupes and
 *   queues the event; it does not encode. `flush()` encodes the batch with
 *   one `JSON.stringify` and measures single events only when a size cap
 *   could matter.
 * - No gate: nothing waits for a registration or for service metadata;
 *   what is added is queued and sent (the sidecar bug the seeds fixed).
 * - Nothing is lost silently: every event added is, at every moment, exactly
 *   one of duplicate, not logged, invalid, delivered, dropped (by reason) or
 *   still queued (waiting or in flight) — see {@link ExposureStats}.
 * - A delivery that finally fails takes its entries back out of the dedupe
 *   cache (unless a newer value replaced them), so the same exposure is
 *   sent again next time rather than masked forever as the peers do.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import type { EvaluationRecord } from "../core/evaluation.ts";
import type { Logger } from "../core/logger.ts";
import { flushDeadlineMs, type FlushOptions, signalDependencies, type SignalFlushReport, type SignalOptions } from "../core/signal.ts";
import type { StatsRegistry } from "../core/stats.ts";
import { utf8ByteLength } from "../core/text.ts";
import { EVP_MAX_EVENT_BYTES, evpRetryPolicy, type EvpTarget, evpTarget } from "../transport/evp.ts";
import { outcomeReason, sendWithRetry } from "../transport/sender.ts";
import { ExposureCache, type ExposureCacheEntry, exposureKeyPrefix, type ExposureScope } from "./cache.ts";
import { encodeExposureContext, exposuresPrefix, wireContext } from "./encode.ts";
import { checkExposureAttributes, checkExposureFields, type ExposureContext, type ExposureEvent, wireEvent } from "./event.ts";

/**
 * What {@link ExposureWriter.add} did with a record.
 *
 * @example
 * ```ts
 * import type { ExposureAddStatus } from "flagpost";
 * const kept: ExposureAddStatus[] = ["queued", "duplicate"];
 * console.log(kept.includes("not_logged")); // false
 * ```
 */
export type ExposureAddStatus = "queued" | "duplicate" | "not_logged" | "invalid" | "dropped";

/**
 * The result of {@link ExposureWriter.add}.
 *
 * @example
 * ```ts
 * import type { ExposureAddResult } from "flagpost";
 * const result: ExposureAddResult = { status: "invalid", reason: "timestamp", detail: "timestamp: must be an integer of epoch milliseconds" };
 * console.log(result.status);
 * ```
 */
export interface ExposureAddResult {
  readonly status: ExposureAddStatus;
  /**
   * Why, when not `queued` or `duplicate`: for `not_logged` `do_log_false`,
   * `no_variant`, `no_allocation`; for `invalid` the rule broken
   * (`flag_key`, `timestamp`, `attribute_cycle`, …); for `dropped`
   * `queue_full` or `too_large`.
   */
  readonly reason?: string;
  /** For `invalid`: the field and the rule in words. */
  readonly detail?: string;
}

/**
 * Where every exposure added to one writer went. At every moment:
 * `added = duplicate + notLogged + invalid + sent + Σ dropped + queued + inFlight`.
 *
 * @example
 * ```ts
 * import { ExposureWriter, resolveConfig } from "flagpost";
 * const s = new ExposureWriter(resolveConfig({})).stats();
 * const accounted = s.duplicate + s.notLogged + s.invalid + s.sent + Object.values(s.dropped).reduce((a, b) => a + b, 0) + s.queued + s.inFlight;
 * console.log(accounted === s.added); // true
 * ```
 */
export interface ExposureStats {
  readonly added: number;
  readonly duplicate: number;
  readonly notLogged: number;
  readonly invalid: number;
  /** Delivered (2xx). */
  readonly sent: number;
  /**
   * Dropped, by reason: `queue_full`, `too_large`, `http_<status>`, `network`, `timeout`, `deadline`, `redirect`;
   * `unserializable` (attributes mutated after `add()` into something JSON cannot write) and `internal` (a defect) should never appear.
   */
  readonly dropped: Readonly<Record<string, number>>;
  /** Waiting for the next flush. */
  readonly queued: number;
  /** Taken by a flush that has not finished. */
  readonly inFlight: number;
  /** Entries in the dedupe cache. */
  readonly cacheSize: number;
}

/**
 * What one {@link ExposureWriter.flush} did (a `SignalFlushReport`, counts in events).
 *
 * @example
 * ```ts
 * import type { ExposureFlushReport } from "flagpost";
 * const report: ExposureFlushReport = { sent: 3, dropped: {}, retried: 0, requests: 1, pending: 0, durationMs: 4 };
 * console.log(report.sent);
 * ```
 */
export type ExposureFlushReport = SignalFlushReport;

/**
 * Options of an {@link ExposureWriter}: the shared signal options plus the
 * exposure-specific ones.
 *
 * @example
 * ```ts
 * import { ExposureCache, type ExposureWriterOptions } from "flagpost";
 * const options: ExposureWriterOptions = { cache: new ExposureCache(1_000), agentlessBaseUrl: "https://intake-proxy.example" };
 * console.log(options.cache?.capacity);
 * ```
 */
export interface ExposureWriterOptions extends SignalOptions {
  /** A dedupe cache shared with other writers; default a private one of `limits.exposureCacheSize` entries. */
  readonly cache?: ExposureCache;
  /** Agentless intake base URL instead of `https://event-platform-intake.<site>` (https, or http to loopback only). */
  readonly agentlessBaseUrl?: string;
}

/**
 * Per-event cap of the peers and the intake: 1 MiB − 1024 bytes. A larger
 * event is dropped as `too_large` at flush.
 *
 * @example
 * ```ts
 * import { MAX_EXPOSURE_EVENT_BYTES } from "flagpost";
 * console.log(MAX_EXPOSURE_EVENT_BYTES); // 1047552
 * ```
 */
export const MAX_EXPOSURE_EVENT_BYTES: number = EVP_MAX_EVENT_BYTES;

/**
 * A queued exposure: the validated fields, copied flat (one object per
 * `add()`; the wire-ordered event objects are built at flush), and its
 * dedupe cache entry (`undefined` when deduplication is off) with the token
 * of this write.
 */
class Pending {
  constructor(
    readonly timestamp: number,
    readonly allocationKey: string,
    readonly flagKey: string,
    readonly variant: string,
    readonly subjectId: string,
    readonly attributes: Readonly<Record<string, unknown>> | undefined,
    readonly serialId: number | undefined,
    readonly entry: ExposureCacheEntry | undefined,
    readonly token: number,
  ) {}
}

/** The wire event of a queued exposure (the same mapping as `exposureEvent` of its record). */
function pendingEvent(p: Pending): ExposureEvent {
  return wireEvent(p.timestamp, p.allocationKey, p.flagKey, p.variant, p.subjectId, p.attributes, p.serialId);
}

/** A request to make: its events and its body. */
interface Batch {
  readonly items: readonly Pending[];
  readonly body: Uint8Array;
}

const QUEUED: ExposureAddResult = Object.freeze({ status: "queued" });
const DUPLICATE: ExposureAddResult = Object.freeze({ status: "duplicate" });
const QUEUE_FULL: ExposureAddResult = Object.freeze({ status: "dropped", reason: "queue_full" });
/** Unreachable in practice (the checks above name every rule); kept so that #add is total. */
const INVALID_RECORD: ExposureAddResult = Object.freeze({ status: "invalid", reason: "record", detail: "record: could not be read" });

/**
 * Validates, deduplicates, queues and delivers exposure events.
 *
 * @example
 * ```ts
 * import { ExposureWriter, resolveConfig } from "flagpost";
 * const writer = new ExposureWriter(resolveConfig({ DD_SERVICE: "shop", DD_AGENT_HOST: "localhost" }));
 * const result = writer.add({
 *   flagKey: "new-checkout", variant: "on", value: true, reason: "TARGETING_MATCH", errorCode: undefined,
 *   allocationKey: "beta-users", serialId: 42, doLog: true, targetingKey: "user-123", attributes: { country: "FR" },
 *   timestamp: Date.now(),
 * });
 * console.log(result.status); // "queued"
 * const report = await writer.flush({ deadlineMs: 2_000 });
 * console.log(report.sent, report.dropped);
 * ```
 */
export class ExposureWriter {
  readonly #target: EvpTarget;
  readonly #cache: ExposureCache;
  readonly #stats: StatsRegistry;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #fetch: typeof fetch | undefined;
  readonly #deadlineMs: number;
  readonly #maxQueued: number;
  readonly #maxPayloadBytes: number;
  readonly #maxEventBytes: number;
  /** This writer's service context in the dedupe cache. */
  readonly #scope: ExposureScope;
  /** `{"context":{…},"exposures":` — a payload is this, the events array, and `}`. */
  readonly #prefix: string;
  /** The payload's `context` object (a payload is `{ context, exposures }`). */
  readonly #context: ExposureContext;
  /** UTF-8 bytes of a payload around its events (prefix, brackets, closing brace). */
  readonly #envelopeBytes: number;
  #queue: Pending[] = [];
  #inFlight = 0;
  #added = 0;
  #duplicate = 0;
  #notLogged = 0;
  #invalid = 0;
  #sent = 0;
  readonly #dropped = new Map<string, number>();

  /**
   * @param config `resolveConfig`'s result.
   * @param options fetch, stats registry, logger, clock, shared cache, agentless base URL.
   * @throws FlagpostError (`invalid_argument`) for a config not from `resolveConfig()` or a bad option;
   * (`invalid_config`) when the destination is refused (an API key over plain HTTP off loopback).
   */
  constructor(config: Config, options: ExposureWriterOptions = {}) {
    ({ fetch: this.#fetch, stats: this.#stats, logger: this.#logger, now: this.#now } = signalDependencies(config, options));
    this.#target = evpTarget(
      config,
      "exposures",
      options.agentlessBaseUrl === undefined ? {} : { agentlessBaseUrl: options.agentlessBaseUrl },
    );
    this.#cache = options.cache ?? new ExposureCache(config.limits.exposureCacheSize);
    this.#deadlineMs = config.flushDeadlineMs;
    this.#maxQueued = config.limits.maxQueuedExposures;
    this.#maxPayloadBytes = config.limits.maxExposurePayloadBytes;
    this.#scope = this.#cache.scope(exposureKeyPrefix(config.service, config.env, config.version));
    this.#context = wireContext({ service: config.service, env: config.env, version: config.version });
    this.#prefix = exposuresPrefix(encodeExposureContext(this.#context));
    this.#envelopeBytes = utf8ByteLength(this.#prefix) + 3;
    this.#maxEventBytes = Math.min(MAX_EXPOSURE_EVENT_BYTES, this.#maxPayloadBytes - this.#envelopeBytes);
  }

  /** Whether events go straight to Datadog's intake with the API key (no agent configured). */
  get agentless(): boolean {
    return this.#target.agentless;
  }

  /**
   * Records one evaluation. Synchronous; never throws; returns what happened.
   * `not_logged` when `doLog` is false or the variant or allocation is
   * missing; `invalid` names the rule broken; `duplicate` when the same
   * (allocation, variant, serial id) was last logged for this (flag,
   * subject); `dropped` when the queue is full or the event too large.
   */
  add(record: EvaluationRecord): ExposureAddResult {
    this.#added++;
    this.#stats.count("exposures.added");
    let result: ExposureAddResult;
    try {
      result = this.#add(record);
    } catch {
      // Defensive: #add handles every input, but add() must never throw.
      result = { status: "invalid", reason: "record", detail: "record: could not be read" };
    }
    switch (result.status) {
      case "queued":
        break;
      case "duplicate":
        this.#duplicate++;
        this.#stats.count("exposures.duplicate");
        break;
      case "not_logged":
        this.#notLogged++;
        this.#stats.count("exposures.not_logged", result.reason);
        break;
      case "invalid":
        this.#invalid++;
        this.#stats.count("exposures.invalid", result.reason);
        this.#logger.debug("exposure rejected", { reason: result.reason, detail: result.detail });
        break;
      case "dropped":
        this.#drop(result.reason!, 1);
        break;
    }
    return result;
  }

  #add(record: EvaluationRecord): ExposureAddResult {
    // Duplicates first, with only the type checks the key needs: an entry in the cache was fully
    // validated when it was queued, so an exposure equal to it has valid keys too. A duplicate is
    // not sent, so its timestamp and attributes are not walked (the steady-state hot path).
    if (typeof record === "object" && record !== null && record.doLog === true) {
      const { flagKey, allocationKey, variant, targetingKey } = record;
      const serialId = record.serialId ?? undefined;
      if (
        typeof flagKey === "string" && typeof allocationKey === "string" && typeof variant === "string" &&
        (targetingKey === undefined || targetingKey === null || typeof targetingKey === "string")
      ) {
        const subjectId = targetingKey ?? "";
        if (this.#cache.isDuplicateIn(this.#scope, flagKey, subjectId, allocationKey, variant, serialId)) return DUPLICATE;
        const rejection = checkExposureFields(record) ?? checkExposureAttributes(record.attributes);
        if (rejection !== undefined) return rejection;
        if (this.#queue.length >= this.#maxQueued) return QUEUE_FULL;
        const entry = this.#cache.rememberIn(this.#scope, flagKey, subjectId, allocationKey, variant, serialId);
        this.#queue.push(
          new Pending(record.timestamp, allocationKey, flagKey, variant, subjectId, record.attributes, serialId, entry, entry?.token ?? 0),
        );
        return QUEUED;
      }
    }
    // Not logged, or a field of the wrong type: say which.
    return checkExposureFields(record) ?? checkExposureAttributes(record.attributes) ?? INVALID_RECORD;
  }

  #drop(reason: string, n: number): void {
    this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + n);
    this.#stats.count("exposures.dropped", reason, n);
  }

  /** Counters of this writer (see {@link ExposureStats} for the invariant they satisfy). */
  stats(): ExposureStats {
    return {
      added: this.#added,
      duplicate: this.#duplicate,
      notLogged: this.#notLogged,
      invalid: this.#invalid,
      sent: this.#sent,
      dropped: Object.fromEntries([...this.#dropped].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      queued: this.#queue.length,
      inFlight: this.#inFlight,
      cacheSize: this.#cache.size,
    };
  }

  /** Events waiting for the next flush. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Sends what is queued, in as many requests as the payload size cap
   * needs, within the deadline (default the config's `flushDeadlineMs`).
   * Never rejects. Events that finally fail are dropped, counted under
   * their reason, and taken back out of the dedupe cache.
   */
  async flush(options: FlushOptions = {}): Promise<ExposureFlushReport> {
    const started = this.#now();
    const dropped: Record<string, number> = {};
    let sent = 0;
    let retried = 0;
    let requests = 0;
    const taken = this.#queue;
    this.#queue = [];
    this.#inFlight += taken.length;
    let settled = 0;
    const fail = (batch: readonly Pending[], reason: string) => {
      for (const p of batch) if (p.entry !== undefined) this.#cache.forgetEntry(p.entry, p.token);
      dropped[reason] = (dropped[reason] ?? 0) + batch.length;
      this.#drop(reason, batch.length);
      this.#inFlight -= batch.length;
      settled += batch.length;
    };
    try {
      const deadlineAt = started + flushDeadlineMs(options, this.#deadlineMs);
      for (const { items: batch, body } of this.#batches(taken, fail)) {
        const remaining = deadlineAt - this.#now();
        if (remaining <= 0 || options?.signal?.aborted === true) {
          fail(batch, "deadline");
          continue;
        }
        const outcome = await sendWithRetry(
          { url: this.#target.url, method: "POST", headers: this.#target.headers, body },
          evpRetryPolicy(),
          { deadlineMs: remaining, ...(options?.signal ? { signal: options.signal } : {}), ...(this.#fetch ? { fetch: this.#fetch } : {}) },
        );
        if (outcome.attempts > 0) requests++;
        retried += Math.max(0, outcome.attempts - 1);
        // `accepted`: the agent answered 2xx and only its answer broke off; the events were delivered.
        if (outcome.ok || outcome.accepted === true) {
          sent += batch.length;
          this.#sent += batch.length;
          this.#stats.count("exposures.sent", "", batch.length);
          this.#inFlight -= batch.length;
          settled += batch.length;
        } else {
          const reason = outcomeReason(outcome) || "network";
          this.#logger.warn("exposures delivery failed", {
            reason,
            status: outcome.status,
            events: batch.length,
            attempts: outcome.attempts,
            body: outcome.errorDetail,
          });
          fail(batch, reason);
        }
      }
    } catch (error) {
      // Defensive (the sender never throws): whatever is unsettled is counted, never lost.
      this.#logger.error("exposures flush failed", { error: String(error) });
      if (settled < taken.length) fail(taken.slice(settled), "internal");
    }
    if (requests > 0) this.#stats.count("exposures.requests", "", requests);
    return { sent, dropped, retried, requests, pending: this.#queue.length, durationMs: Math.max(0, this.#now() - started) };
  }

  /**
   * The requests to make for `events`. Fast path: the whole batch as one
   * native `JSON.stringify`; when that body fits the payload cap and is
   * smaller than the per-event cap, no event can be over either. Otherwise
   * each event is measured: those over the per-event cap are dropped as
   * `too_large`, the rest split so that no body exceeds the payload cap.
   */
  #batches(events: readonly Pending[], fail: (items: readonly Pending[], reason: string) => void): Batch[] {
    if (events.length === 0) return [];
    const encoder = new TextEncoder();
    // One stringify of the whole payload object: no rope for TextEncoder to flatten first.
    const whole = this.#stringify({ context: this.#context, exposures: events.map(pendingEvent) });
    if (whole !== undefined) {
      const body = encoder.encode(whole);
      if (body.byteLength <= this.#maxPayloadBytes && body.byteLength - this.#envelopeBytes <= MAX_EXPOSURE_EVENT_BYTES) {
        return [{ items: events, body }];
      }
    }
    const batches: Batch[] = [];
    let items: Pending[] = [];
    let texts: string[] = [];
    let size = this.#envelopeBytes;
    const close = () => {
      if (items.length === 0) return;
      batches.push({ items, body: encoder.encode(`${this.#prefix}[${texts.join(",")}]}`) });
      items = [];
      texts = [];
      size = this.#envelopeBytes;
    };
    for (const p of events) {
      const text = this.#stringify(pendingEvent(p));
      if (text === undefined) {
        fail([p], "unserializable");
        continue;
      }
      const bytes = utf8ByteLength(text);
      if (bytes > this.#maxEventBytes) {
        fail([p], "too_large");
        continue;
      }
      const added = bytes + (items.length === 0 ? 0 : 1);
      if (items.length > 0 && size + added > this.#maxPayloadBytes) close();
      size += items.length === 0 ? bytes : bytes + 1;
      items.push(p);
      texts.push(text);
    }
    close();
    return batches;
  }

  /**
   * JSON text of validated events. `undefined` only if an attribute was
   * mutated into something unserializable (a cycle, a bigint) after `add()`
   * validated it — records are meant to be immutable.
   */
  #stringify(value: unknown): string | undefined {
    try {
      return JSON.stringify(value);
    } catch {
      return undefined;
    }
  }
}
