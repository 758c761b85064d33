/**
 * `TraceExporter`: sends trace chunks to the agent's trace intake, the way
 * Datadog's native library does for a tracer: it consumes the chunks,
 * picks the intake version the agent offers (`/info`), caps and splits the
 * payload at the agent's request limit, retries a few times within a
 * deadline, and resolves with a result, never a rejection: every failure
 * is an error value with a code (`invalid_argument`, `consumed`,
 * `http_client` — a 4xx, or a 3xx, which is never followed —,
 * `http_server`, `network`, `timeout`).
 *
 * Version: v0.5 when `/info` lists `/v0.5/traces`, else v0.4 (also when
 * `/info` cannot be read; it is asked again on the next send). A 404 on
 * v0.5 switches this exporter to v0.4 for good (one exporter lives as long
 * as the process in the facade) and resends the same chunks as v0.4.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { FlagpostError, type FlagpostErrorCode } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { flushDeadlineMs, type FlushOptions, signalDependencies, type SignalOptions } from "../core/signal.ts";
import type { StatsRegistry } from "../core/stats.ts";
import { AGENT_RETRY_POLICY, type RetryPolicy } from "../transport/retry.ts";
import { outcomeReason, type SendOutcome, sendWithRetry } from "../transport/sender.ts";
import type { ChunkData } from "./_chunk-data.ts";
import { detectRuntime, type RuntimeInfo, TRACER_VERSION } from "./runtime-info.ts";
import { encodePayloads, takeChunks, type TracePayload, type TraceVersion } from "./encode.ts";
import type { TraceChunks } from "./trace-chunks.ts";

/**
 * What one `send` did. It never rejects: failures are in `error`.
 *
 * @example
 * ```ts
 * import type { TraceSendResult } from "flagpost";
 * const result: TraceSendResult = { ok: true, status: 200, rateByService: { "service:shop,env:prod": 1 }, sentChunks: 1, droppedChunks: {}, requests: 1, retried: 0 };
 * console.log(result.ok);
 * ```
 */
export interface TraceSendResult {
  /** Every chunk was accepted (also true when there was nothing to send). */
  readonly ok: boolean;
  /** Status of the last response received. */
  readonly status?: number;
  /** The agent's `rate_by_service` from the last accepted payload. */
  readonly rateByService?: Readonly<Record<string, number>>;
  /** Why the send (or part of it) failed. */
  readonly error?: FlagpostError;
  /** Intake version used last. */
  readonly version?: TraceVersion;
  /** Chunks the agent accepted. */
  readonly sentChunks: number;
  /** Chunks not delivered, by reason (`too_large`, `http_<status>`, `redirect`, `network`, `timeout`, `deadline`). */
  readonly droppedChunks: Readonly<Record<string, number>>;
  /** HTTP requests to the trace intake (a payload cap may split one send). */
  readonly requests: number;
  /** Attempts beyond the first, summed over requests. */
  readonly retried: number;
}

/**
 * Options of a `TraceExporter`: the shared signal options, plus the
 * runtime to report when it cannot be read from `navigator.userAgent`.
 *
 * @example
 * ```ts
 * import { StatsRegistry, type TraceExporterOptions } from "flagpost";
 * const options: TraceExporterOptions = { stats: new StatsRegistry(), runtime: { interpreter: "node", version: "20.11.1" } };
 * console.log(options.runtime?.interpreter);
 * ```
 */
export interface TraceExporterOptions extends SignalOptions {
  /** Overrides the detected runtime (`Datadog-Meta-Lang-Interpreter` / `-Version`). */
  readonly runtime?: RuntimeInfo;
  /** Retry policy of trace requests; default `AGENT_RETRY_POLICY` (3 attempts, 429/502/503/504, network errors). */
  readonly retryPolicy?: RetryPolicy;
}

/**
 * Counter names the exporter counts in its stats registry: requests to the
 * trace intake and to `/info`, by outcome (`""` for success, else
 * `http_<status>`, `network`, `timeout`, `deadline`). Chunk counts are in
 * each `TraceSendResult` (the facade's trace queue counts them as
 * `traces.sent` / `traces.dropped`).
 *
 * @example
 * ```ts
 * import { resolveConfig, StatsRegistry, TRACE_EXPORTER_COUNTERS, TraceExporter } from "flagpost";
 * const stats = new StatsRegistry();
 * new TraceExporter(resolveConfig({}), { stats });
 * console.log(stats.get(TRACE_EXPORTER_COUNTERS.requests)); // 0
 * ```
 */
export const TRACE_EXPORTER_COUNTERS = Object.freeze({
  requests: "trace_exporter.requests",
  info: "trace_exporter.info",
});

/** What `/info` told us. */
interface AgentInfo {
  readonly version: TraceVersion;
  /** `config.max_request_bytes`, when given. */
  readonly maxRequestBytes: number | undefined;
}

const INFO_TIMEOUT_MS = 2_000;

/** The error code of a failed send: a 3xx (never followed) is the client refusing an answer, like a 4xx. */
function errorCodeOf(outcome: SendOutcome): FlagpostErrorCode {
  if (outcome.errorKind === "http") return (outcome.status ?? 0) >= 500 ? "http_server" : "http_client";
  if (outcome.errorKind === "redirect") return "http_client";
  if (outcome.errorKind === "network") return "network";
  return "timeout";
}

function parseRateByService(text: string | undefined): Record<string, number> | undefined {
  if (text === undefined || text === "") return undefined;
  try {
    const body = JSON.parse(text) as { rate_by_service?: unknown };
    const rates = body?.rate_by_service;
    if (rates === null || typeof rates !== "object" || Array.isArray(rates)) return undefined;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(rates)) if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
    return out;
  } catch {
    return undefined;
  }
}

/**
 * Sends trace chunks to the agent (`PUT /v0.4/traces` or `/v0.5/traces`).
 *
 * @example
 * ```ts
 * import { generateId, resolveConfig, SpanBuilder, TraceChunks, TraceExporter } from "flagpost";
 * const config = resolveConfig({ DD_SERVICE: "shop", DD_TRACE_AGENT_URL: "http://localhost:8126" });
 * const exporter = new TraceExporter(config);
 * const chunks = new TraceChunks().beginChunk(1);
 * const now = BigInt(Date.now()) * 1_000_000n;
 * chunks.pushSpan(new SpanBuilder({ service: "shop", name: "web.request", resource: "GET /", traceId: generateId(), spanId: generateId(), start: now, duration: 1_000_000 }));
 * const result = await exporter.send(chunks, { deadlineMs: 2_000 });
 * console.log(result.ok ? result.rateByService : result.error?.code);
 * ```
 */
export class TraceExporter {
  readonly #config: Config;
  readonly #fetch: typeof fetch | undefined;
  readonly #stats: StatsRegistry;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #policy: RetryPolicy;
  readonly #runtime: RuntimeInfo | undefined;
  #info: AgentInfo | undefined;
  #infoPending: Promise<AgentInfo | undefined> | undefined;
  /** The agent answered 404 to v0.5: v0.4 from now on. */
  #v05Refused = false;

  /** @throws FlagpostError (`invalid_argument`) for a config not from `resolveConfig()` or a bad option. */
  constructor(config: Config, options: TraceExporterOptions = {}) {
    ({ fetch: this.#fetch, stats: this.#stats, logger: this.#logger, now: this.#now } = signalDependencies(config, options));
    this.#config = config;
    this.#policy = options.retryPolicy ?? AGENT_RETRY_POLICY;
    this.#runtime = options.runtime;
  }

  /** The intake version the next send will use, once known (`undefined` before `/info` answered). */
  get version(): TraceVersion | undefined {
    if (this.#v05Refused) return "v0.4";
    return this.#info?.version;
  }

  /**
   * Sends every non-empty chunk, consuming `chunks`; never rejects. A
   * second send of the same chunks resolves with a `consumed` error and
   * sends nothing.
   *
   * @example
   * ```ts
   * import { resolveConfig, TraceChunks, TraceExporter } from "flagpost";
   * const exporter = new TraceExporter(resolveConfig({}));
   * const chunks = new TraceChunks();
   * await exporter.send(chunks); // { ok: true, sentChunks: 0, requests: 0, ... }: nothing to send
   * const again = await exporter.send(chunks);
   * console.log(again.error?.code); // "consumed"
   * ```
   */
  async send(chunks: TraceChunks, options: FlushOptions = {}): Promise<TraceSendResult> {
    const dropped: Record<string, number> = {};
    let requests = 0;
    let retried = 0;
    try {
      let list: ChunkData[];
      try {
        list = takeChunks(chunks);
      } catch (error) {
        return { ok: false, error: error as FlagpostError, sentChunks: 0, droppedChunks: dropped, requests, retried };
      }
      if (list.length === 0) return { ok: true, sentChunks: 0, droppedChunks: dropped, requests, retried };

      const started = this.#now();
      const deadlineMs = flushDeadlineMs(options, this.#config.flushDeadlineMs);
      const signal = options?.signal;
      const remaining = () => deadlineMs - (this.#now() - started);
      const drop = (reason: string, n: number) => {
        if (n > 0) dropped[reason] = (dropped[reason] ?? 0) + n;
      };

      const info = await this.#agentInfo(Math.min(INFO_TIMEOUT_MS, remaining()), signal);
      let version: TraceVersion = this.#v05Refused ? "v0.4" : info?.version ?? "v0.4";
      const cap = Math.min(this.#config.limits.maxTracePayloadBytes, info?.maxRequestBytes ?? Infinity);

      let sent = 0;
      let status: number | undefined;
      let rateByService: Record<string, number> | undefined;
      let error: FlagpostError | undefined;

      /** Encodes `chunks` into payloads under the cap; a chunk alone above it is dropped as `too_large`. */
      const encode = (chunks: readonly ChunkData[]): TracePayload[] => {
        const split = encodePayloads(chunks, version, cap);
        for (const big of split.tooLarge) {
          drop("too_large", 1);
          error = new FlagpostError(
            "invalid_argument",
            `a trace chunk of ${big.spanCount} spans encodes to ${big.bytes} bytes, over the ${cap}-byte payload cap (limits.maxTracePayloadBytes or the agent's max_request_bytes)`,
            { field: "limits.maxTracePayloadBytes" },
          );
        }
        return split.payloads;
      };
      let queue = encode(list);

      for (let i = 0; i < queue.length; i++) {
        const payload = queue[i]!;
        const left = remaining();
        if (left <= 0 || signal?.aborted) {
          for (let j = i; j < queue.length; j++) drop("deadline", queue[j]!.chunkCount);
          error = new FlagpostError("timeout", `deadline of ${deadlineMs} ms reached before every trace payload was sent`);
          break;
        }
        const outcome = await this.#post(version, payload, left, signal);
        requests++;
        retried += Math.max(0, outcome.attempts - 1);
        if (outcome.status !== undefined) status = outcome.status;
        this.#stats.count(TRACE_EXPORTER_COUNTERS.requests, outcomeReason(outcome));
        if (outcome.ok) {
          sent += payload.chunkCount;
          rateByService = parseRateByService(outcome.responseText) ?? rateByService;
          continue;
        }
        if (version === "v0.5" && outcome.errorKind === "http" && outcome.status === 404) {
          // The agent does not serve v0.5 after all: v0.4 for this payload, the rest, and every later send.
          this.#v05Refused = true;
          version = "v0.4";
          this.#logger.warn("trace agent answered 404 to /v0.5/traces; using /v0.4/traces from now on");
          const rest: ChunkData[] = [];
          for (let j = i; j < queue.length; j++) rest.push(...list.slice(queue[j]!.from, queue[j]!.to));
          list = rest;
          queue = encode(list);
          i = -1;
          continue;
        }
        const reason = outcomeReason(outcome);
        const detail = outcome.errorDetail === undefined || outcome.errorDetail === "" ? "" : `: ${outcome.errorDetail}`;
        error = new FlagpostError(
          errorCodeOf(outcome),
          `trace payload to /${version}/traces failed (${reason}) after ${outcome.attempts} attempt(s)${detail}`,
        );
        this.#logger.warn("trace payload not delivered", { reason, chunks: payload.chunkCount });
        // Later payloads would meet the same agent and the same deadline: count them under the same reason.
        for (let j = i; j < queue.length; j++) drop(reason, queue[j]!.chunkCount);
        break;
      }
      const ok = error === undefined && Object.keys(dropped).length === 0;
      return {
        ok,
        ...(status !== undefined ? { status } : {}),
        ...(rateByService !== undefined ? { rateByService } : {}),
        ...(error !== undefined ? { error } : {}),
        version,
        sentChunks: sent,
        droppedChunks: dropped,
        requests,
        retried,
      };
    } catch (error) {
      // Defensive: nothing above should throw, but send() never rejects.
      return {
        ok: false,
        error: new FlagpostError("network", `trace send failed unexpectedly: ${String(error).slice(0, 200)}`, { cause: error }),
        sentChunks: 0,
        droppedChunks: dropped,
        requests,
        retried,
      };
    }
  }

  #headers(payload: TracePayload): Record<string, string> {
    const runtime = this.#runtime ?? detectRuntime();
    const headers: Record<string, string> = {
      ...this.#config.agentHeaders,
      "Content-Type": "application/msgpack",
      "X-Datadog-Trace-Count": String(payload.chunkCount),
      "Datadog-Meta-Lang": "javascript",
      "Datadog-Meta-Lang-Interpreter": runtime.interpreter,
      "Datadog-Meta-Tracer-Version": TRACER_VERSION,
      "Datadog-Send-Real-Http-Status": "1",
    };
    if (runtime.version !== "") headers["Datadog-Meta-Lang-Version"] = runtime.version;
    return headers;
  }

  #post(version: TraceVersion, payload: TracePayload, deadlineMs: number, signal: AbortSignal | undefined): Promise<SendOutcome> {
    return sendWithRetry(
      { url: `${this.#config.agentUrl}/${version}/traces`, method: "PUT", headers: this.#headers(payload), body: payload.bytes },
      this.#policy,
      {
        deadlineMs,
        readResponse: true,
        ...(signal !== undefined ? { signal } : {}),
        ...(this.#fetch !== undefined ? { fetch: this.#fetch } : {}),
        now: this.#now,
      },
    );
  }

  /** `/info`, once it answered; one request at a time; `undefined` when it cannot be read now. */
  async #agentInfo(budgetMs: number, signal: AbortSignal | undefined): Promise<AgentInfo | undefined> {
    if (this.#info !== undefined) return this.#info;
    if (budgetMs <= 0) return undefined;
    this.#infoPending ??= this.#readInfo(budgetMs, signal).finally(() => {
      this.#infoPending = undefined;
    });
    return await this.#infoPending;
  }

  async #readInfo(budgetMs: number, signal: AbortSignal | undefined): Promise<AgentInfo | undefined> {
    const outcome = await sendWithRetry(
      { url: `${this.#config.agentUrl}/info`, method: "GET", headers: { ...this.#config.agentHeaders } },
      { ...this.#policy, maxAttempts: 1, timeoutMs: budgetMs },
      {
        deadlineMs: budgetMs,
        readResponse: true,
        ...(signal !== undefined ? { signal } : {}),
        ...(this.#fetch !== undefined ? { fetch: this.#fetch } : {}),
        now: this.#now,
      },
    );
    this.#stats.count(TRACE_EXPORTER_COUNTERS.info, outcomeReason(outcome));
    if (!outcome.ok) {
      // An old agent without /info (404) will not grow one: remember v0.4. Other failures: ask again next time.
      if (outcome.errorKind === "http" && outcome.status === 404) this.#info = { version: "v0.4", maxRequestBytes: undefined };
      return this.#info;
    }
    let endpoints: unknown;
    let maxRequestBytes: number | undefined;
    try {
      const body = JSON.parse(outcome.responseText ?? "") as { endpoints?: unknown; config?: { max_request_bytes?: unknown } };
      endpoints = body?.endpoints;
      const max = body?.config?.max_request_bytes;
      if (typeof max === "number" && Number.isSafeInteger(max) && max > 0) maxRequestBytes = max;
    } catch {
      endpoints = undefined;
    }
    const v05 = Array.isArray(endpoints) && endpoints.some((e) => e === "/v0.5/traces" || e === "/v0.5/traces/");
    this.#info = { version: v05 ? "v0.5" : "v0.4", maxRequestBytes };
    return this.#info;
  }
}
