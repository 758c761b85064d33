/**
 * The mock agent's bounded request store, with test sessions.
 *
 * Sessions follow DataDog's dd-apm-test-agent: a request belongs to the
 * session named by its `X-Datadog-Test-Session-Token` header or
 * `test_session_token` query parameter; a request that names none belongs
 * to the most recently started session (`/test/session/start`), if any.
 * Starting a session again forgets what it had recorded.
 *
 * @module
 */
import { FlagpostError } from "../src/core/errors.ts";
import type { DecodedTraces } from "./decode/msgpack-traces.ts";
import type { OtlpMetricsJson } from "./decode/otlp-metrics.ts";

/**
 * Which endpoint family a request hit.
 *
 * @example
 * ```ts
 * agent.store.list().filter((r) => r.kind === "exposures");
 * ```
 */
export type RequestKind = "traces" | "exposures" | "flagevaluation" | "metrics" | "info" | "other";

/**
 * What the mock agent decoded from an accepted body.
 *
 * @example
 * ```ts
 * const d = agent.store.list()[0]?.decoded; if (d?.kind === "traces") d.traces[0]?.[0]?.trace_id; // bigint
 * ```
 */
export type DecodedBody =
  | { kind: "traces"; version: "v0.4" | "v0.5"; traces: DecodedTraces }
  | { kind: "exposures"; payload: unknown; problems: string[] }
  | { kind: "flagevaluation"; payload: unknown; problems: string[] }
  | { kind: "metrics"; format: "protobuf" | "json"; request: OtlpMetricsJson };

/**
 * One request as the mock agent received and answered it.
 *
 * @example
 * ```ts
 * const [first]: RecordedRequest[] = agent.store.list(); first?.status; // 202
 * ```
 */
export interface RecordedRequest {
  /** Increasing sequence number, unique for the store's lifetime. */
  id: number;
  /** Receipt time, milliseconds since the epoch. */
  time: number;
  method: string;
  path: string;
  /** The raw query string including `?`, or `""`. */
  query: string;
  /** Request headers, lower-cased names. */
  headers: Record<string, string>;
  /** The body bytes as received on the wire (before inflating); empty when rejected unread. */
  body: Uint8Array;
  /** Status the mock agent answered with. */
  status: number;
  kind: RequestKind;
  /** Session the request belongs to, or null. */
  sessionToken: string | null;
  /** True when an injected fault decided the answer. */
  fault: boolean;
  /** Short human summary (`3 exposures`, `2 traces / 17 spans`, `400 invalid msgpack: ...`). */
  summary: string;
  /** One-line reason for a 4xx/5xx answer. */
  error?: string;
  /** Decoded body, for accepted (2xx) requests with a body the agent understands. */
  decoded?: DecodedBody;
}

/**
 * Options of `RequestStore`.
 *
 * @example
 * ```ts
 * new RequestStore({ maxRequests: 100, maxBytes: 1 << 20 });
 * ```
 */
export interface RequestStoreOptions {
  /** Maximum number of stored requests (default 10,000); the oldest are evicted and counted. */
  maxRequests?: number;
  /** Maximum total stored body + header bytes (default 256 MiB); the oldest are evicted and counted. */
  maxBytes?: number;
}

/**
 * Counters served by `GET /test/stats`.
 *
 * @example
 * ```ts
 * const stats: StoreStats = agent.store.stats(); stats.evicted; // 0
 * ```
 */
export interface StoreStats {
  /** Requests recorded since start (including evicted and cleared ones). */
  received: number;
  /** Requests currently stored. */
  stored: number;
  /** Requests evicted to respect `maxRequests` / `maxBytes`. */
  evicted: number;
  /** Bytes currently accounted (bodies + headers). */
  storedBytes: number;
  maxRequests: number;
  maxBytes: number;
  /** Requests received per endpoint family. */
  byKind: Record<string, number>;
  /** Requests received per answered status. */
  byStatus: Record<string, number>;
  /** Requests answered by an injected fault. */
  faulted: number;
}

function sizeOf(r: RecordedRequest): number {
  let n = r.body.length + r.path.length + r.query.length + 64;
  for (const [k, v] of Object.entries(r.headers)) n += k.length + v.length;
  return n;
}

/**
 * A bounded, session-aware store of recorded requests.
 *
 * @example
 * ```ts
 * const store = new RequestStore({ maxRequests: 100 });
 * store.startSession("t1");
 * store.sessionFor(null); // "t1": token-less requests join the latest session
 * store.list("t1"); // []
 * ```
 */
export class RequestStore {
  readonly maxRequests: number;
  readonly maxBytes: number;
  #items: RecordedRequest[] = [];
  #head = 0;
  #bytes = 0;
  #nextId = 1;
  #received = 0;
  #evicted = 0;
  #faulted = 0;
  #byKind: Record<string, number> = {};
  #byStatus: Record<string, number> = {};
  #sessions = new Set<string>();
  #current: string | null = null;

  constructor(options: RequestStoreOptions = {}) {
    this.maxRequests = positiveInt(options.maxRequests ?? 10_000, "maxRequests");
    this.maxBytes = positiveInt(options.maxBytes ?? 256 * 1024 * 1024, "maxBytes");
  }

  /** The session a request with `explicit` token (or none) belongs to. */
  sessionFor(explicit: string | null): string | null {
    return explicit ?? this.#current;
  }

  /** Allocates the next request id. */
  nextId(): number {
    return this.#nextId++;
  }

  /** Records a request, evicting the oldest ones beyond the bounds. */
  add(record: RecordedRequest): void {
    this.#received++;
    this.#byKind[record.kind] = (this.#byKind[record.kind] ?? 0) + 1;
    this.#byStatus[record.status] = (this.#byStatus[record.status] ?? 0) + 1;
    if (record.fault) this.#faulted++;
    if (record.sessionToken !== null) this.#sessions.add(record.sessionToken);
    this.#items.push(record);
    this.#bytes += sizeOf(record);
    while (this.size > this.maxRequests || (this.#bytes > this.maxBytes && this.size > 1)) {
      const old = this.#items[this.#head]!;
      this.#items[this.#head] = undefined as unknown as RecordedRequest;
      this.#head++;
      this.#bytes -= sizeOf(old);
      this.#evicted++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Number of stored requests. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Stored requests, oldest first; with a token, only that session's. */
  list(token?: string | null): RecordedRequest[] {
    const all = this.#items.slice(this.#head);
    return token === undefined || token === null ? all : all.filter((r) => r.sessionToken === token);
  }

  /** True when `token` was started or named by a request. */
  hasSession(token: string): boolean {
    return this.#sessions.has(token);
  }

  /** Starts (or restarts, forgetting its requests) a session; token-less requests join it from now on. */
  startSession(token: string): void {
    this.#remove((r) => r.sessionToken === token);
    this.#sessions.add(token);
    this.#current = token;
  }

  /** Forgets one session's requests, or everything (requests and sessions) without a token. */
  clear(token?: string | null): void {
    if (token === undefined || token === null) {
      this.#items = [];
      this.#head = 0;
      this.#bytes = 0;
      this.#sessions.clear();
      this.#current = null;
    } else {
      this.#remove((r) => r.sessionToken === token);
    }
  }

  /** Counters for `GET /test/stats`. */
  stats(): StoreStats {
    return {
      received: this.#received,
      stored: this.size,
      evicted: this.#evicted,
      storedBytes: this.#bytes,
      maxRequests: this.maxRequests,
      maxBytes: this.maxBytes,
      byKind: { ...this.#byKind },
      byStatus: { ...this.#byStatus },
      faulted: this.#faulted,
    };
  }

  #remove(drop: (r: RecordedRequest) => boolean): void {
    const kept = this.#items.slice(this.#head).filter((r) => !drop(r));
    this.#items = kept;
    this.#head = 0;
    this.#bytes = kept.reduce((n, r) => n + sizeOf(r), 0);
  }
}

function positiveInt(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new FlagpostError("invalid_argument", `${field} must be a positive integer, got ${String(value)}`, { field });
  }
  return value;
}
