/**
 * A request scope: the root span of one request, its span-enrichment
 * accumulator and its child spans.
 *
 * Every evaluation made while serving the request adds to *this* scope's
 * accumulator (never a global one), so concurrent requests in one isolate
 * never see each other's `ffe_*` tags. When the scope ends, the root span
 * is finished, the tags are written on it and the trace is queued for the
 * next `flush()`. Ending never throws and never waits for the network.
 *
 * @module
 */
import type { EvaluationRecord } from "../core/evaluation.ts";
import type { StatsRegistry } from "../core/stats.ts";
import type { SpanEnrichment } from "../enrichment/span-enrichment.ts";
import { generateId } from "../traces/ids.ts";
import type { FinishedSpan } from "./_finished-span.ts";

/**
 * What a request scope is opened with.
 *
 * @example
 * ```ts
 * import type { StartRequestOptions } from "flagpost";
 * const options: StartRequestOptions = { name: "http.request", resource: "GET /checkout", type: "web" };
 * console.log(options.resource);
 * ```
 */
export interface StartRequestOptions {
  /** Operation name of the root span, e.g. `http.request`. */
  readonly name: string;
  /** Resource of the root span, e.g. `GET /checkout`. */
  readonly resource: string;
  /** Service of the spans (default: the configuration's `DD_SERVICE`, else `unnamed-service`). */
  readonly service?: string;
  /** Span type (default `web`). */
  readonly type?: string;
}

/**
 * How a request ended.
 *
 * @example
 * ```ts
 * import type { EndRequestOptions } from "flagpost";
 * const ok: EndRequestOptions = { status: 200 };
 * const failed: EndRequestOptions = { status: 500, error: new Error("upstream timeout") };
 * console.log(ok.status, failed.status);
 * ```
 */
export interface EndRequestOptions {
  /** HTTP status sent to the client; written as `http.status_code`; 5xx marks the span as an error. */
  readonly status?: number;
  /** An error that ended the request; marks the span as an error with `error.type` and `error.message`. */
  readonly error?: unknown;
}

/**
 * A child span while it runs: tags set on it travel with the span.
 *
 * @example
 * ```ts
 * // (fragment) inside scope.span("db.query", (span) => { ... })
 * span.setTag("db.system", "postgresql").setMetric("db.rows", 3);
 * ```
 */
export interface ChildSpan {
  /** This span's id. */
  readonly spanId: bigint;
  /** Sets a string tag (meta). */
  setTag(key: string, value: string): ChildSpan;
  /** Sets a numeric tag (metric). */
  setMetric(key: string, value: number): ChildSpan;
}

/**
 * What a scope needs from its owner (the facade). Not for users: they get
 * scopes from `flagpost.startRequest()`.
 */
export interface ScopeHost {
  /** Default service of the spans. */
  readonly service: string;
  /** Epoch milliseconds. */
  now(): number;
  /** The scope's enrichment accumulator, or `undefined` when span enrichment is off. */
  readonly enrichment: SpanEnrichment | undefined;
  /** Child spans kept per scope; more are dropped and counted. */
  readonly maxSpans: number;
  readonly stats: StatsRegistry;
  /** Told about every `end()` in progress, so a flush can wait for its tags. */
  track(ending: Promise<void>): void;
  /** Receives the finished trace (root first). Must not throw. */
  finish(spans: FinishedSpan[]): void;
}

/**
 * Counter of child spans not kept (reason `span_limit` or `scope_ended`).
 *
 * @example
 * ```ts
 * import { createFlagpost, SCOPE_SPANS_DROPPED } from "flagpost";
 * const flagpost = createFlagpost({ maxSpansPerRequest: 0 });
 * const scope = flagpost.startRequest({ name: "job", resource: "nightly" });
 * scope.span("step", () => 1);
 * console.log(flagpost.stats()[SCOPE_SPANS_DROPPED]); // { span_limit: 1 }
 * ```
 */
export const SCOPE_SPANS_DROPPED = "traces.spans_dropped";

/** Default number of child spans one request scope keeps. */
export const DEFAULT_MAX_SPANS_PER_REQUEST = 1_000;

const NS_PER_MS = 1_000_000;

function elapsedNs(startedAt: number): bigint {
  const ms = performance.now() - startedAt;
  return BigInt(Math.max(0, Math.round(ms * NS_PER_MS)));
}

function errorTags(error: unknown, meta: Record<string, string>): void {
  if (error instanceof Error) {
    meta["error.type"] = error.name || "Error";
    meta["error.message"] = error.message;
    if (typeof error.stack === "string") meta["error.stack"] = error.stack;
  } else {
    meta["error.type"] = typeof error;
    meta["error.message"] = String(error);
  }
}

/**
 * One request: a root span (ids generated), its span-enrichment accumulator
 * (when `DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED` is on)
 * and its child spans. Get one from `flagpost.startRequest()`.
 *
 * @example
 * ```ts
 * import { createFlagpost } from "flagpost";
 * const flagpost = createFlagpost({ env: { DD_SERVICE: "shop" }, spanEnrichmentEnabled: true });
 * const scope = flagpost.startRequest({ name: "http.request", resource: "GET /cart" });
 * const total = await scope.span("cart.load", async (span) => {
 *   span.setTag("cart.currency", "EUR");
 *   return 42;
 * });
 * await scope.end({ status: 200 });
 * console.log(total, scope.ended); // 42 true
 * ```
 */
export class RequestScope {
  /** Trace id (64-bit) shared by every span of the request. */
  readonly traceId: bigint;
  /** The root span's id. */
  readonly spanId: bigint;
  /** Operation name of the root span. */
  readonly name: string;
  /** Resource of the root span. */
  readonly resource: string;
  readonly #service: string;
  readonly #type: string;
  readonly #host: ScopeHost;
  readonly #startNs: bigint;
  readonly #startedAt: number;
  readonly #meta: Record<string, string> = {};
  readonly #metrics: Record<string, number> = {};
  readonly #children: FinishedSpan[] = [];
  #ending: Promise<void> | undefined;

  constructor(options: StartRequestOptions, host: ScopeHost) {
    this.#host = host;
    this.name = options.name;
    this.resource = options.resource;
    this.#service = options.service ?? host.service;
    this.#type = options.type ?? "web";
    this.traceId = generateId();
    this.spanId = generateId();
    this.#startNs = BigInt(Math.round(host.now())) * BigInt(NS_PER_MS);
    this.#startedAt = performance.now();
  }

  /** The span-enrichment accumulator of this request, `undefined` when span enrichment is off. */
  get enrichment(): SpanEnrichment | undefined {
    return this.#host.enrichment;
  }

  /** True once `end()` was called. */
  get ended(): boolean {
    return this.#ending !== undefined;
  }

  /**
   * Adds an evaluation to this request's enrichment accumulator. Synchronous
   * and never throws; after `end()` the evaluation is counted
   * (`span_enrichment.dropped`, reason `scope_ended`) instead.
   *
   * @example
   * ```ts
   * import { createFlagpost } from "flagpost";
   * const flagpost = createFlagpost({ spanEnrichmentEnabled: true });
   * const scope = flagpost.startRequest({ name: "job", resource: "nightly" });
   * scope.addEvaluation({
   *   flagKey: "f", variant: "on", value: true, reason: "STATIC", errorCode: undefined,
   *   allocationKey: "a", serialId: 7, doLog: true, targetingKey: "user-1", attributes: {}, timestamp: Date.now(),
   * });
   * await scope.end();
   * ```
   */
  addEvaluation(record: EvaluationRecord): void {
    const enrichment = this.#host.enrichment;
    if (enrichment === undefined) return;
    if (this.#ending !== undefined) {
      this.#host.stats.count("span_enrichment.dropped", "scope_ended");
      return;
    }
    enrichment.add(record);
  }

  /**
   * Sets a string tag on the root span (before `end()`; ignored after).
   *
   * @example
   * ```ts
   * // (fragment) scope from flagpost.startRequest()
   * scope.setTag("http.route", "/cart/:id");
   * ```
   */
  setTag(key: string, value: string): this {
    if (this.#ending === undefined && typeof key === "string" && typeof value === "string") this.#meta[key] = value;
    return this;
  }

  /**
   * Sets a numeric tag on the root span (before `end()`; ignored after).
   *
   * @example
   * ```ts
   * // (fragment) scope from flagpost.startRequest()
   * scope.setMetric("cart.items", 3);
   * ```
   */
  setMetric(key: string, value: number): this {
    if (this.#ending === undefined && typeof key === "string" && Number.isFinite(value)) this.#metrics[key] = value;
    return this;
  }

  /**
   * Runs `fn` as a child span of the root span named `name`, timing it
   * (until its promise settles when it returns one) and marking it as an
   * error when it throws or rejects; `fn`'s result or error is passed
   * through unchanged.
   *
   * @example
   * ```ts
   * // (fragment) scope from flagpost.startRequest()
   * const rows = await scope.span("db.query", async (span) => {
   *   span.setTag("db.system", "sqlite");
   *   return [1, 2, 3];
   * });
   * ```
   */
  span<T>(name: string, fn: (span: ChildSpan) => T): T {
    const meta: Record<string, string> = {};
    const metrics: Record<string, number> = {};
    const spanId = generateId();
    const startNs = BigInt(Math.round(this.#host.now())) * BigInt(NS_PER_MS);
    const startedAt = performance.now();
    const handle: ChildSpan = {
      spanId,
      setTag(key, value) {
        if (typeof key === "string" && typeof value === "string") meta[key] = value;
        return handle;
      },
      setMetric(key, value) {
        if (typeof key === "string" && Number.isFinite(value)) metrics[key] = value;
        return handle;
      },
    };
    const finish = (error?: unknown): void => {
      if (this.#ending !== undefined) {
        this.#host.stats.count(SCOPE_SPANS_DROPPED, "scope_ended");
        return;
      }
      if (this.#children.length >= this.#host.maxSpans) {
        this.#host.stats.count(SCOPE_SPANS_DROPPED, "span_limit");
        return;
      }
      if (error !== undefined) errorTags(error, meta);
      this.#children.push({
        service: this.#service,
        name: typeof name === "string" && name !== "" ? name : "span",
        resource: typeof name === "string" && name !== "" ? name : "span",
        type: "",
        traceId: this.traceId,
        spanId,
        parentId: this.spanId,
        start: startNs,
        duration: elapsedNs(startedAt),
        error: error === undefined ? 0 : 1,
        meta,
        metrics,
      });
    };
    let result: T;
    try {
      result = fn(handle);
    } catch (error) {
      finish(error ?? "error");
      throw error;
    }
    if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
      return (result as unknown as PromiseLike<unknown>).then(
        (value) => {
          finish();
          return value;
        },
        (error: unknown) => {
          finish(error ?? "error");
          throw error;
        },
      ) as T;
    }
    finish();
    return result;
  }

  /**
   * Finishes the request: ends the root span, writes the `ffe_*` tags of
   * every evaluation made in it, and queues the trace for the next
   * `flush()`. Idempotent (a second call returns the first call's promise);
   * never rejects. Awaiting it is optional: `flush()` waits for scopes that
   * are still writing their tags.
   *
   * @example
   * ```ts
   * import { createFlagpost } from "flagpost";
   * const flagpost = createFlagpost({});
   * const scope = flagpost.startRequest({ name: "http.request", resource: "GET /" });
   * await scope.end({ status: 503, error: new Error("upstream down") });
   * ```
   */
  end(options: EndRequestOptions = {}): Promise<void> {
    if (this.#ending !== undefined) return this.#ending;
    const duration = elapsedNs(this.#startedAt);
    const meta = this.#meta;
    const status = options?.status;
    let error: 0 | 1 = 0;
    if (typeof status === "number" && Number.isInteger(status)) {
      meta["http.status_code"] = String(status);
      if (status >= 500) error = 1;
    }
    if (options?.error !== undefined) {
      error = 1;
      errorTags(options.error, meta);
    }
    this.#ending = this.#finish(duration, error);
    this.#host.track(this.#ending);
    return this.#ending;
  }

  async #finish(duration: bigint, error: 0 | 1): Promise<void> {
    const enrichment = this.#host.enrichment;
    if (enrichment !== undefined) {
      try {
        const tags = await enrichment.toTags();
        for (const [key, value] of Object.entries(tags)) if (typeof value === "string") this.#meta[key] = value;
      } catch {
        this.#host.stats.count("span_enrichment.dropped", "error");
      }
    }
    this.#metrics["_sampling_priority_v1"] ??= 1;
    this.#metrics["_dd.top_level"] = 1;
    const root: FinishedSpan = {
      service: this.#service,
      name: this.name,
      resource: this.resource,
      type: this.#type,
      traceId: this.traceId,
      spanId: this.spanId,
      parentId: 0n,
      start: this.#startNs,
      duration,
      error,
      meta: this.#meta,
      metrics: this.#metrics,
    };
    try {
      this.#host.finish([root, ...this.#children]);
    } catch {
      this.#host.stats.count("traces.dropped", "error");
    }
  }
}
