/**
 * `createFlagpost`: the facade that wires configuration and every telemetry
 * signal together behind five calls — `recordEvaluation`, `hook()`,
 * `startRequest`, `flush` and `shutdown` — with one fetch, one logger, one
 * clock and one stats registry, so `stats()` shows where every event went.
 *
 * Why a facade: an edge handler has no sidecar and no background thread, so
 * the data must leave during the request that produced it (`ctx.waitUntil`)
 * or before a server exits. The facade makes that one bounded call
 * (`flush()`: every signal concurrently, always resolving within its
 * deadline) and guarantees an evaluation is recorded once, whichever path
 * reports it (the provider, the OpenFeature hook, or a direct call).
 *
 * @module
 */
import { type Config, type ConfigOverrides, type EnvRecord, resolveConfig } from "./core/config.ts";
import { describeValue, FlagpostError } from "./core/errors.ts";
import type { EvaluationRecord } from "./core/evaluation.ts";
import { type Logger, safeLogger } from "./core/logger.ts";
import { flushDeadlineMs, type FlushOptions, type SignalFlushReport } from "./core/signal.ts";
import { StatsRegistry, type StatsSnapshot } from "./core/stats.ts";
import { SpanEnrichment } from "./enrichment/span-enrichment.ts";
import { wireSignals } from "./lifecycle/_signals.ts";
import {
  combineFlushReports,
  emptySignalReport,
  type FlagpostSignal,
  type FlushReport,
  mergeFlushReports,
} from "./lifecycle/flush-report.ts";
import { DEFAULT_MAX_SPANS_PER_REQUEST, RequestScope, type StartRequestOptions } from "./lifecycle/request-scope.ts";
import type { ScopeStore } from "./lifecycle/scope-store.ts";
import type { TraceQueue } from "./lifecycle/trace-queue.ts";
import type { EvaluationRecorder } from "./openfeature/_recorded-evaluation.ts";
import { FlagpostHook, type FlagpostHookOptions, type HookTarget } from "./openfeature/hook.ts";

/**
 * Counter names the facade itself keeps (the signals add theirs to the same registry).
 *
 * @example
 * ```ts
 * import { createFlagpost, FLAGPOST_COUNTERS } from "flagpost";
 * const flagpost = createFlagpost({});
 * await flagpost.shutdown();
 * flagpost.recordEvaluation({
 *   flagKey: "f", variant: "on", value: true, reason: "STATIC", errorCode: undefined,
 *   allocationKey: "a", serialId: 1, doLog: true, targetingKey: "u", attributes: {}, timestamp: Date.now(),
 * });
 * console.log(flagpost.stats()[FLAGPOST_COUNTERS.evaluationsDropped]); // { shutdown: 1 }
 * ```
 */
export const FLAGPOST_COUNTERS = Object.freeze({
  /** Evaluations taken by `recordEvaluation` (once each). */
  evaluations: "evaluations.recorded",
  /** Evaluations refused: reason `shutdown` (after `shutdown()`) or `invalid` (not a record). */
  evaluationsDropped: "evaluations.dropped",
  /** A signal or hook that threw although it must not; reason names it. */
  errors: "flagpost.errors",
  /** Flushes that hit their deadline. */
  flushTimeouts: "flush.timed_out",
  /**
   * Prefix of `flagpost.dropped.<signal>`, reason `shutdown`: what a signal
   * still held for a later flush (e.g. metric or flag-evaluation windows
   * kept after a 503) when `shutdown()` ended, in the unit of its report.
   */
  droppedPrefix: "flagpost.dropped.",
});

/**
 * Options of {@link createFlagpost}: an environment record, any
 * configuration override (see `resolveConfig`), and the injection points
 * shared by every signal.
 *
 * @example
 * ```ts
 * import type { FlagpostOptions } from "flagpost";
 * const options: FlagpostOptions = {
 *   env: { DD_SERVICE: "shop", DD_ENV: "prod", DD_TRACE_AGENT_URL: "http://localhost:8126" },
 *   metricsEnabled: true,
 *   flushDeadlineMs: 3_000,
 * };
 * console.log(options.env?.DD_SERVICE);
 * ```
 */
export interface FlagpostOptions extends Omit<ConfigOverrides, "env"> {
  /** Environment variables (`DD_*`, `OTEL_*`): a worker's `env`, the process environment, or a literal. */
  env?: EnvRecord;
  /** The deployment environment (overrides `DD_ENV`; `env` is the variable record here). */
  environment?: string;
  /** The fetch every signal uses (default the global one; tests pass a mock agent's `app.fetch`). */
  fetch?: typeof fetch;
  /** Diagnostics; silent by default. */
  logger?: Logger;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** Counter registry (default a new one); `stats()` snapshots it. */
  stats?: StatsRegistry;
  /** Where the current request scope is found implicitly (the runtime adapters pass an `AsyncLocalStorage`-backed one). */
  scopeStore?: ScopeStore;
  /** Extra signals fed by `recordEvaluation` and flushed with the others. */
  signals?: readonly FlagpostSignal[];
  /** Child spans kept per request scope (default 1,000); more are dropped and counted. */
  maxSpansPerRequest?: number;
  /**
   * Join a flush requested while another runs into one follow-up flush
   * (default true: 1,000 concurrent requests do not make 1,000 concurrent
   * POSTs). The Cloudflare adapter turns it off: on workers, each request's
   * `waitUntil` must run its own flush, since work started on behalf of one
   * request may be cancelled when that request's context ends.
   */
  coalesceFlushes?: boolean;
}

/**
 * Options of `flagpost.shutdown()`.
 *
 * @example
 * ```ts
 * import type { ShutdownOptions } from "flagpost";
 * const options: ShutdownOptions = { deadlineMs: 2_000 };
 * console.log(options.deadlineMs);
 * ```
 */
export type ShutdownOptions = FlushOptions;

/**
 * The flush that callers arriving while one runs join. It starts when the
 * running flush ends, with a fresh budget from that moment (the longest
 * `deadlineMs` its callers asked for, at least the configured
 * `flushDeadlineMs`): each caller's own deadline bounds
 * only its wait, so a caller that gave up does not cut the flush short.
 */
interface FollowUp {
  budgetMs: number;
  promise: Promise<FlushReport>;
}

const SPAN_LIMIT_DEFAULT = DEFAULT_MAX_SPANS_PER_REQUEST;
/** Longest head start signals get to count what they could not send before a flush's deadline. */
const MAX_FLUSH_GRACE_MS = 250;
/** A flush that ends this close to its signals' deadline was ended by it. */
const DEADLINE_EPSILON_MS = 5;

function isRecord(value: unknown): value is EvaluationRecord {
  return value !== null && typeof value === "object" && typeof (value as { flagKey?: unknown }).flagKey === "string";
}

/**
 * A flagpost instance: one per isolate or process. Create it with
 * {@link createFlagpost}.
 *
 * @example
 * ```ts
 * import { createFlagpost } from "flagpost";
 * const flagpost = createFlagpost({ env: { DD_SERVICE: "shop" }, spanEnrichmentEnabled: true });
 * const scope = flagpost.startRequest({ name: "http.request", resource: "GET /" });
 * flagpost.recordEvaluation({
 *   flagKey: "new-checkout", variant: "on", value: true, reason: "TARGETING_MATCH", errorCode: undefined,
 *   allocationKey: "beta", serialId: 12, doLog: true, targetingKey: "user-1", attributes: {}, timestamp: Date.now(),
 * }, scope);
 * await scope.end({ status: 200 });
 * const report = await flagpost.flush({ deadlineMs: 2_000 });
 * console.log(report.ok, flagpost.stats());
 * ```
 */
export class Flagpost implements EvaluationRecorder {
  /** The resolved configuration. */
  readonly config: Config;
  readonly #stats: StatsRegistry;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #store: ScopeStore | undefined;
  readonly #signals: readonly FlagpostSignal[];
  readonly #recorders: readonly FlagpostSignal[];
  readonly #traces: TraceQueue | undefined;
  readonly #maxSpans: number;
  readonly #pendingEnds = new Set<Promise<void>>();
  readonly #enriched = new WeakSet<EvaluationRecord>();
  readonly #target: HookTarget;
  readonly #coalesce: boolean;
  #inflight: Promise<FlushReport> | undefined;
  #followUp: FollowUp | undefined;
  #shutdown: Promise<FlushReport> | undefined;
  /** When shutdown() must be done (performance.now() time); Infinity before it is called. */
  #shutdownDeadlineAt = Infinity;
  /** Set once the final flush of shutdown() is done: nothing is queued after it. */
  #closed = false;

  constructor(options: FlagpostOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new FlagpostError("invalid_argument", `options must be an object, got ${describeValue(options)}`, { field: "options" });
    }
    const { env, environment, fetch, logger, now, stats, scopeStore, signals, maxSpansPerRequest, coalesceFlushes, ...rest } = options;
    if (coalesceFlushes !== undefined && typeof coalesceFlushes !== "boolean") {
      throw new FlagpostError("invalid_argument", `coalesceFlushes must be a boolean, got ${describeValue(coalesceFlushes)}`, {
        field: "coalesceFlushes",
      });
    }
    this.#coalesce = coalesceFlushes ?? true;
    const overrides: ConfigOverrides = environment === undefined ? rest : { ...rest, env: environment };
    this.config = resolveConfig(env ?? {}, overrides);
    if (now !== undefined && typeof now !== "function") {
      throw new FlagpostError("invalid_argument", "now must be a function returning epoch milliseconds", { field: "now" });
    }
    if (fetch !== undefined && typeof fetch !== "function") {
      throw new FlagpostError("invalid_argument", "fetch must be a function", { field: "fetch" });
    }
    if (scopeStore !== undefined && (typeof scopeStore?.run !== "function" || typeof scopeStore?.current !== "function")) {
      throw new FlagpostError("invalid_argument", "scopeStore must have run(scope, fn) and current()", { field: "scopeStore" });
    }
    if (maxSpansPerRequest !== undefined && (!Number.isSafeInteger(maxSpansPerRequest) || maxSpansPerRequest < 0)) {
      throw new FlagpostError(
        "invalid_argument",
        `maxSpansPerRequest must be a non-negative integer, got ${describeValue(maxSpansPerRequest)}`,
        {
          field: "maxSpansPerRequest",
        },
      );
    }
    if (
      signals !== undefined &&
      (!Array.isArray(signals) || signals.some((s) => typeof s?.flush !== "function" || typeof s?.name !== "string"))
    ) {
      throw new FlagpostError("invalid_argument", "signals must be an array of { name, flush(options), record?(record) }", {
        field: "signals",
      });
    }
    this.#stats = stats ?? new StatsRegistry();
    this.#logger = safeLogger(logger);
    this.#now = now ?? Date.now;
    this.#store = scopeStore;
    this.#maxSpans = maxSpansPerRequest ?? SPAN_LIMIT_DEFAULT;
    const signalOptions = { fetch, stats: this.#stats, logger: this.#logger, now: this.#now };
    const wired = wireSignals(this.config, signalOptions);
    this.#traces = wired.traces;
    const all = [...wired.signals, ...(signals ?? [])];
    const names = new Set<string>();
    for (const s of all) {
      if (names.has(s.name)) {
        throw new FlagpostError("invalid_argument", `two signals are named ${describeValue(s.name)}`, { field: "signals" });
      }
      names.add(s.name);
    }
    this.#signals = all;
    this.#recorders = all.filter((s) => typeof s.record === "function");
    this.#target = {
      owner: this,
      recordEvaluation: (record, scope) => this.recordEvaluation(record, scope),
      currentScope: () => this.currentScope(),
      now: this.#now,
      countHookError: () => this.#stats.count(FLAGPOST_COUNTERS.errors, "hook"),
    };
  }

  /** True once `shutdown()` was called: records are refused and counted as `shutdown`. */
  get isShutdown(): boolean {
    return this.#shutdown !== undefined;
  }

  /**
   * Feeds one evaluation to every enabled signal — exposures, evaluation
   * metrics, flag-evaluation rows — and to the span enrichment of `scope`
   * (else of the current scope, when a scope store is set). Synchronous,
   * never throws; a record after `shutdown()` is counted
   * (`evaluations.dropped`, reason `shutdown`).
   *
   * @example
   * ```ts
   * import { createFlagpost } from "flagpost";
   * const flagpost = createFlagpost({});
   * flagpost.recordEvaluation({
   *   flagKey: "f", variant: "on", value: true, reason: "STATIC", errorCode: undefined,
   *   allocationKey: "a", serialId: 1, doLog: true, targetingKey: "user-1", attributes: {}, timestamp: Date.now(),
   * });
   * console.log(flagpost.stats()["evaluations.recorded"]); // { "": 1 }
   * ```
   */
  recordEvaluation(record: EvaluationRecord, scope?: RequestScope): void {
    try {
      if (this.#shutdown !== undefined) {
        this.#stats.count(FLAGPOST_COUNTERS.evaluationsDropped, "shutdown");
        return;
      }
      if (!isRecord(record)) {
        this.#stats.count(FLAGPOST_COUNTERS.evaluationsDropped, "invalid");
        return;
      }
      this.#stats.count(FLAGPOST_COUNTERS.evaluations);
      for (const signal of this.#recorders) {
        try {
          signal.record!(record);
        } catch (error) {
          this.#stats.count(FLAGPOST_COUNTERS.errors, signal.name);
          this.#logger.warn("a signal threw while recording", { signal: signal.name, error: String(error) });
        }
      }
      this.#enrich(record, scope ?? this.currentScope());
    } catch {
      this.#stats.count(FLAGPOST_COUNTERS.errors, "record");
    }
  }

  /**
   * Adds an evaluation this instance already recorded (through a
   * `FlagpostProvider` given the instance) to `scope`'s span enrichment, if
   * it was not added to a scope yet. The OpenFeature hook calls it for
   * evaluations made where no scope was found implicitly. Never throws.
   *
   * @example
   * ```ts
   * // (fragment) record taken earlier by flagpost.recordEvaluation(record) outside any scope
   * flagpost.enrichRecorded(record, scope);
   * ```
   */
  enrichRecorded(record: EvaluationRecord, scope: unknown): void {
    try {
      this.#enrich(record, scope as RequestScope | undefined);
    } catch {
      this.#stats.count(FLAGPOST_COUNTERS.errors, "enrich");
    }
  }

  #enrich(record: EvaluationRecord, scope: RequestScope | undefined): void {
    if (scope === undefined || !this.config.spanEnrichmentEnabled || this.#enriched.has(record)) return;
    if (typeof (scope as Partial<RequestScope>).addEvaluation !== "function") return;
    this.#enriched.add(record);
    scope.addEvaluation(record);
  }

  /**
   * An OpenFeature hook (server and web SDKs) that records every evaluation
   * in its `finally` stage, once, in the evaluation's request scope.
   *
   * @example
   * ```ts
   * import { OpenFeature } from "@openfeature/server-sdk";
   * import { createFlagpost } from "flagpost";
   * const flagpost = createFlagpost({});
   * OpenFeature.addHooks(flagpost.hook());
   * ```
   */
  hook(options: FlagpostHookOptions = {}): FlagpostHook {
    return new FlagpostHook(this.#target, options);
  }

  /**
   * Opens a request scope: a root span with fresh ids, its span-enrichment
   * accumulator (when enabled) and `scope.span()` for child spans. Call
   * `scope.end()` when the response is ready. Throws `FlagpostError` when
   * `name` or `resource` is not a non-empty string.
   *
   * @example
   * ```ts
   * import { createFlagpost } from "flagpost";
   * const flagpost = createFlagpost({ env: { DD_SERVICE: "shop" } });
   * const scope = flagpost.startRequest({ name: "http.request", resource: "GET /cart" });
   * await scope.end({ status: 200 });
   * ```
   */
  startRequest(options: StartRequestOptions): RequestScope {
    if (options === null || typeof options !== "object") {
      throw new FlagpostError("invalid_argument", `startRequest options must be an object, got ${describeValue(options)}`, {
        field: "options",
      });
    }
    for (const field of ["name", "resource"] as const) {
      const v = options[field];
      if (typeof v !== "string" || v === "") {
        throw new FlagpostError("invalid_argument", `${field} must be a non-empty string, got ${describeValue(v)}`, { field });
      }
    }
    for (const field of ["service", "type"] as const) {
      const v = options[field];
      if (v !== undefined && typeof v !== "string") {
        throw new FlagpostError("invalid_argument", `${field} must be a string, got ${describeValue(v)}`, { field });
      }
    }
    const enrichment = SpanEnrichment.forConfig(this.config, { stats: this.#stats });
    return new RequestScope(options, {
      service: this.config.service ?? "unnamed-service",
      now: this.#now,
      enrichment,
      maxSpans: this.#maxSpans,
      stats: this.#stats,
      track: (ending) => this.#track(ending),
      finish: (spans) => {
        if (this.#traces === undefined) return;
        // A request that began before shutdown() still belongs in the final flush; after it, nothing leaves.
        if (this.#closed) {
          this.#stats.count("traces.dropped", "shutdown");
          return;
        }
        this.#traces.push(spans);
      },
    });
  }

  /**
   * Runs `fn` with `scope` as the current scope (through the scope store, so
   * hooks and providers find it implicitly); without a store, simply runs `fn`.
   *
   * @example
   * ```ts
   * // (fragment) flagpost from createFlagpost({ scopeStore }), scope from startRequest()
   * const response = await flagpost.runInScope(scope, () => handle(request));
   * ```
   */
  runInScope<T>(scope: RequestScope, fn: () => T): T {
    return this.#store === undefined ? fn() : this.#store.run(scope, fn);
  }

  /**
   * The scope of the running request according to the scope store, if any.
   *
   * @example
   * ```ts
   * import { createFlagpost } from "flagpost";
   * console.log(createFlagpost({}).currentScope()); // undefined: no scope store
   * ```
   */
  currentScope(): RequestScope | undefined {
    try {
      return this.#store?.current();
    } catch {
      return undefined;
    }
  }

  /** Tracks a scope's end so a flush waits for its tags. */
  #track(ending: Promise<void>): void {
    this.#pendingEnds.add(ending);
    void ending.finally(() => this.#pendingEnds.delete(ending));
  }

  /**
   * Sends every signal concurrently (each at most one request unless a size
   * cap splits it) and resolves within `deadlineMs` (default the
   * configuration's 5,000) with a {@link FlushReport}. Never rejects. A
   * flush requested while one runs joins a single follow-up flush, so
   * concurrent requests never multiply the requests sent.
   *
   * @example
   * ```ts
   * import { createFlagpost } from "flagpost";
   * const flagpost = createFlagpost({});
   * const report = await flagpost.flush({ deadlineMs: 2_000 });
   * console.log(report.ok, report.dropped);
   * ```
   */
  flush(options: FlushOptions = {}): Promise<FlushReport> {
    const deadlineMs = this.#deadline(options);
    const deadlineAt = performance.now() + deadlineMs;
    const signal = options?.signal;
    if (!this.#coalesce) return this.#run(deadlineAt, deadlineMs, signal);
    if (this.#inflight === undefined) {
      const run = this.#run(deadlineAt, deadlineMs, signal);
      this.#inflight = run;
      void run.finally(() => {
        if (this.#inflight === run) this.#inflight = undefined;
      });
      return run;
    }
    let followUp = this.#followUp;
    if (followUp === undefined) {
      const current = this.#inflight;
      const created: FollowUp = {
        budgetMs: Math.max(deadlineMs, this.config.flushDeadlineMs),
        promise: current.then(() => {
          if (this.#followUp === created) this.#followUp = undefined;
          // A fresh budget from now (the callers' deadlines may have passed while the first flush ran),
          // never past shutdown()'s deadline: after it, the process may be gone.
          const startedAt = performance.now();
          const runDeadlineAt = Math.min(startedAt + created.budgetMs, this.#shutdownDeadlineAt);
          const run = this.#run(runDeadlineAt, Math.max(1, runDeadlineAt - startedAt), signal);
          this.#inflight = run;
          void run.finally(() => {
            if (this.#inflight === run) this.#inflight = undefined;
          });
          return run;
        }),
      };
      this.#followUp = followUp = created;
    } else {
      followUp.budgetMs = Math.max(followUp.budgetMs, deadlineMs);
    }
    return this.#withinDeadline(followUp.promise, deadlineAt, deadlineMs);
  }

  #deadline(options: FlushOptions | undefined): number {
    const deadlineMs = flushDeadlineMs(options, this.config.flushDeadlineMs);
    if (options?.deadlineMs !== undefined && deadlineMs !== options.deadlineMs) {
      this.#logger.warn("flush deadlineMs must be a positive number; using the configured deadline", {
        deadlineMs: String(options.deadlineMs),
      });
    }
    return deadlineMs;
  }

  /** Resolves with `promise`, or with a timed-out report when `deadlineAt` comes first. */
  #withinDeadline(promise: Promise<FlushReport>, deadlineAt: number, deadlineMs: number): Promise<FlushReport> {
    const started = performance.now();
    return new Promise<FlushReport>((resolve) => {
      const timer = setTimeout(() => {
        this.#stats.count(FLAGPOST_COUNTERS.flushTimeouts);
        resolve(this.#waitingReport(deadlineMs, performance.now() - started));
      }, Math.max(0, deadlineAt - performance.now()));
      promise.then((report) => {
        clearTimeout(timer);
        resolve(report);
      }, () => {
        clearTimeout(timer);
        resolve(this.#waitingReport(deadlineMs, performance.now() - started));
      });
    });
  }

  /**
   * The report of a caller whose deadline came before the flush it joined
   * ended: nothing sent or dropped for it yet, and each signal's `pending`
   * is what it still holds (the flush goes on and reports it later).
   */
  #waitingReport(deadlineMs: number, durationMs: number): FlushReport {
    const signals: Record<string, SignalFlushReport> = {};
    for (const s of this.#signals) {
      let pending = 0;
      try {
        pending = s.pending?.() ?? 0;
      } catch {
        this.#stats.count(FLAGPOST_COUNTERS.errors, s.name);
      }
      signals[s.name] = { ...emptySignalReport(durationMs), pending };
    }
    return mergeFlushReports(signals, { deadlineMs, durationMs, timedOut: true });
  }

  async #run(deadlineAt: number, deadlineMs: number, outer: AbortSignal | undefined): Promise<FlushReport> {
    const started = performance.now();
    const controller = new AbortController();
    let timedOut = false;
    const onAbort = () => controller.abort();
    if (outer?.aborted) controller.abort();
    else outer?.addEventListener("abort", onAbort, { once: true });
    // Signals are aborted a little before the deadline (the grace), so they can count what they
    // could not send before the flush resolves: on workers, work still running once the waitUntil
    // promise settles may be cancelled, and its events would vanish uncounted.
    const grace = Math.min(MAX_FLUSH_GRACE_MS, Math.max(0, (deadlineAt - performance.now()) * 0.1));
    const abortAt = deadlineAt - grace;
    let softTimer: ReturnType<typeof setTimeout> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const expired = new Promise<"deadline">((resolve) => {
      const fire = () => {
        if (!settled) timedOut = true;
        resolve("deadline");
      };
      const soft = () => {
        if (!settled) timedOut = true;
        controller.abort();
      };
      if (controller.signal.aborted) {
        timedOut = true;
        timer = setTimeout(fire, grace);
        return;
      }
      timer = setTimeout(fire, Math.max(0, deadlineAt - performance.now()));
      softTimer = setTimeout(soft, Math.max(0, abortAt - performance.now()));
      controller.signal.addEventListener("abort", () => {
        if (!settled) timedOut = true;
        clearTimeout(timer);
        timer = setTimeout(fire, grace);
      }, { once: true });
    });
    try {
      // Scopes still writing their tags belong in this flush.
      if (this.#pendingEnds.size > 0) await Promise.race([Promise.allSettled([...this.#pendingEnds]), expired]);
      const reports: Record<string, SignalFlushReport> = {};
      await Promise.all(this.#signals.map(async (s) => {
        const began = performance.now();
        const remaining = Math.max(1, abortAt - performance.now());
        let attempt: Promise<SignalFlushReport | "deadline">;
        try {
          attempt = Promise.resolve(s.flush({ deadlineMs: remaining, signal: controller.signal }));
        } catch (error) {
          attempt = Promise.reject(error);
        }
        const outcome = await Promise.race([attempt, expired]).catch((error: unknown) => {
          this.#stats.count(FLAGPOST_COUNTERS.errors, s.name);
          this.#logger.warn("a signal's flush rejected", { signal: s.name, error: String(error) });
          return emptySignalReport(performance.now() - began, { error: 1 });
        });
        reports[s.name] = outcome === "deadline" ? emptySignalReport(performance.now() - began) : outcome;
        if (outcome === "deadline") {
          // The signal's own flush goes on in the background and counts what it drops under `deadline`.
          void attempt.catch(() => {});
        }
      }));
      settled = true;
      // Signals whose own deadline (abortAt) ended their work finish just before the soft abort would.
      if (performance.now() >= abortAt - DEADLINE_EPSILON_MS) timedOut = true;
      if (timedOut) this.#stats.count(FLAGPOST_COUNTERS.flushTimeouts);
      // Signals finish in any order; the report lists them in wiring order.
      const ordered: Record<string, SignalFlushReport> = {};
      for (const s of this.#signals) if (reports[s.name] !== undefined) ordered[s.name] = reports[s.name]!;
      return mergeFlushReports(ordered, { deadlineMs, durationMs: performance.now() - started, timedOut });
    } finally {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (softTimer !== undefined) clearTimeout(softTimer);
      outer?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Flushes (waiting for scopes that are ending) and stops accepting: later
   * records are counted as `shutdown`. What a signal still holds after the
   * final flush (its report's `pending`, e.g. metric counts kept after a
   * 503) is counted as `flagpost.dropped.<signal>{shutdown}`. Idempotent;
   * never rejects.
   *
   * @example
   * ```ts
   * import { createFlagpost } from "flagpost";
   * const flagpost = createFlagpost({});
   * const report = await flagpost.shutdown({ deadlineMs: 2_000 });
   * console.log(report.ok, flagpost.isShutdown); // true true
   * ```
   */
  shutdown(options: ShutdownOptions = {}): Promise<FlushReport> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    const deadlineAt = performance.now() + flushDeadlineMs(options, this.config.flushDeadlineMs);
    this.#shutdownDeadlineAt = deadlineAt;
    this.#shutdown = (async () => {
      let report = await this.flush(options);
      // Scopes that ended while the first flush ran (or a flush it joined) are sent by one more, within the same deadline.
      const left = deadlineAt - performance.now();
      if (left > 1 && (this.#inflight !== undefined || this.#pendingEnds.size > 0 || (this.#traces?.size ?? 0) > 0)) {
        report = combineFlushReports(report, await this.flush({ ...options, deadlineMs: left }));
      }
      this.#closed = true;
      // No later flush will send what the signals kept for retry: count it, so every event is delivered or counted.
      for (const [name, r] of Object.entries(report.signals)) {
        if (r.pending > 0) this.#stats.count(`${FLAGPOST_COUNTERS.droppedPrefix}${name}`, "shutdown", r.pending);
      }
      return report;
    })();
    return this.#shutdown;
  }

  /**
   * Every counter of every part (facade, exposures, metrics, enrichment,
   * traces, transport), as one snapshot `{ name: { reason: count } }`.
   *
   * @example
   * ```ts
   * import { createFlagpost } from "flagpost";
   * console.log(createFlagpost({}).stats()); // {}
   * ```
   */
  stats(): StatsSnapshot {
    return this.#stats.snapshot();
  }
}

/**
 * Creates a flagpost instance: configuration from `env` and overrides, the
 * exposure writer, evaluation metrics, span enrichment and the trace queue,
 * sharing one fetch, logger and stats registry. Throws `FlagpostError`
 * (`invalid_config` / `invalid_argument`) on bad configuration.
 *
 * @example
 * ```ts
 * import { createFlagpost } from "flagpost";
 * const flagpost = createFlagpost({ env: { DD_SERVICE: "shop", DD_ENV: "dev" }, metricsEnabled: true });
 * console.log(flagpost.config.service); // "shop"
 * ```
 */
export function createFlagpost(options: FlagpostOptions = {}): Flagpost {
  return new Flagpost(options);
}
