/**
 * The mock agent's bounded request store, with test sessions.
 *
 * Sessions follow DataDog's dd-apm-test-agent: a request belongs to the
 * session named by its `X-Datadog-Test-Session-Token` header or
 * `test_session_token` query parameter; a request that names none belongs
 * to the most recently started session (`/test/session/start`), if any.
 * Starting a session again forgets what it had recorded.
 *
 * Everything is bounded: requests by count and by the bytes they keep (wire
 * body, headers, and the decoded form estimated from the decode budget's
 * value count), sessions by {@link MAX_SESSIONS} — a session is forgotten
 * when its last request is evicted (unless it is the current one), and
 * sessions without requests beyond the cap are forgotten oldest first.
 *
 * @module
 */
import { FlagpostError } from "../src/core/errors.ts";
import type { DecodedTraces } from "./decode/msgpack-traces.ts";
import type { Fault } from "./faults.ts";
import type { OtlpMetricsJson } from "./decode/otlp-metrics.ts";

/**
 * Which endpoint family a request hit.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * agent.store.list().filter((r) => r.kind === "exposures");
 * ```
 */
export type RequestKind = "traces" | "exposures" | "flagevaluation" | "metrics" | "info" | "other";

/**
 * What the mock agent decoded from an accepted body.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
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
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
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
  /** The injected fault that applied (status, delay or drop), as it was when it matched. */
  appliedFault?: Fault;
  /** Short human summary (`3 exposures`, `2 traces / 17 spans`, `400 invalid msgpack: ...`). */
  summary: string;
  /** One-line reason for a 4xx/5xx answer. */
  error?: string;
  /** Decoded body, for accepted (2xx) requests with a body the agent understands. */
  decoded?: DecodedBody;
  /** Values the decode budget counted in the body (the store accounts for the decoded form by it). */
  decodedValues?: number;
}

/**
 * Sessions the store remembers at most; past it, sessions without requests are forgotten, oldest first.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * MAX_SESSIONS; // 1000
 * ```
 */
export const MAX_SESSIONS = 1_000;

/**
 * Bytes accounted per decoded value (a JS object, array, number or string
 * header), on top of the wire bytes: the decoded form of a payload costs
 * about this much memory per value.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * BYTES_PER_DECODED_VALUE; // 96
 * ```
 */
export const BYTES_PER_DECODED_VALUE = 96;

/**
 * Options of `RequestStore`.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * new RequestStore({ maxRequests: 100, maxBytes: 1 << 20 });
 * ```
 */
export interface RequestStoreOptions {
  /** Maximum number of stored requests (default 10,000); the oldest are evicted and counted. */
  maxRequests?: number;
  /** Maximum bytes kept: wire bodies, headers and decoded forms (estimated), default 128 MiB; the oldest are evicted and counted. */
  maxBytes?: number;
}

/**
 * Counters served by `GET /test/stats`.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
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

/** Bytes a record keeps: wire body, request line and headers, summary, and its decoded form (estimated). */
function sizeOf(r: RecordedRequest): number {
  let n = r.body.length + r.path.length + r.query.length + r.summary.length + (r.error?.length ?? 0) + 128;
  for (const [k, v] of Object.entries(r.headers)) n += k.length + v.length;
  if (r.decoded !== undefined) n += (r.decodedValues ?? 0) * BYTES_PER_DECODED_VALUE;
  return n;
}

/**
 * A bounded, session-aware store of recorded requests.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
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
  /** `sizeOf` of each item, same indexes as `#items`. */
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  #nextId = 1;
  #received = 0;
  #evicted = 0;
  #faulted = 0;
  #byKind: Record<string, number> = {};
  #byStatus: Record<string, number> = {};
  /** Known sessions → number of stored requests in each, in the order they were first seen. */
  #sessions = new Map<string, number>();
  #current: string | null = null;

  constructor(options: RequestStoreOptions = {}) {
    this.maxRequests = positiveInt(options.maxRequests ?? 10_000, "maxRequests");
    this.maxBytes = positiveInt(options.maxBytes ?? 128 * 1024 * 1024, "maxBytes");
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
    if (record.sessionToken !== null) {
      this.#sessions.set(record.sessionToken, (this.#sessions.get(record.sessionToken) ?? 0) + 1);
      this.#boundSessions();
    }
    const size = sizeOf(record);
    this.#items.push(record);
    this.#sizes.push(size);
    this.#bytes += size;
    while (this.size > this.maxRequests || (this.#bytes > this.maxBytes && this.size > 1)) {
      const old = this.#items[this.#head]!;
      this.#bytes -= this.#sizes[this.#head]!;
      this.#items[this.#head] = undefined as unknown as RecordedRequest;
      this.#head++;
      this.#evicted++;
      if (old.sessionToken !== null) this.#forgetRequestOf(old.sessionToken);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }

  /** One request of `token` left the store; a session with none left (and not current) is forgotten. */
  #forgetRequestOf(token: string): void {
    const n = (this.#sessions.get(token) ?? 1) - 1;
    if (n <= 0 && token !== this.#current) this.#sessions.delete(token);
    else this.#sessions.set(token, Math.max(0, n));
  }

  /** Beyond MAX_SESSIONS, forgets sessions without stored requests, oldest first (never the current one). */
  #boundSessions(): void {
    if (this.#sessions.size <= MAX_SESSIONS) return;
    for (const [token, n] of this.#sessions) {
      if (this.#sessions.size <= MAX_SESSIONS) break;
      if (n === 0 && token !== this.#current) this.#sessions.delete(token);
    }
  }

  /** Number of sessions the store remembers (at most about {@link MAX_SESSIONS}, plus those holding stored requests). */
  get sessionCount(): number {
    return this.#sessions.size;
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

  /** The stored request with this id, if it is still stored. */
  get(id: number): RecordedRequest | undefined {
    // Ids increase with position: binary search over the live window.
    let lo = this.#head;
    let hi = this.#items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.#items[mid]!;
      if (r.id === id) return r;
      if (r.id < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** True when `token` was started or named by a request. */
  hasSession(token: string): boolean {
    return this.#sessions.has(token);
  }

  /** Starts (or restarts, forgetting its requests) a session; token-less requests join it from now on. */
  startSession(token: string): void {
    this.#remove((r) => r.sessionToken === token);
    this.#current = token;
    this.#sessions.delete(token); // re-inserted as the newest
    this.#sessions.set(token, 0);
    this.#boundSessions();
  }

  /** Forgets one session's requests, or everything (requests and sessions) without a token. */
  clear(token?: string | null): void {
    if (token === undefined || token === null) {
      this.#items = [];
      this.#sizes = [];
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
    const items: RecordedRequest[] = [];
    const sizes: number[] = [];
    let bytes = 0;
    for (let i = this.#head; i < this.#items.length; i++) {
      const r = this.#items[i]!;
      if (drop(r)) {
        // Cleared on purpose: the session stays known (with fewer requests), unlike an eviction.
        if (r.sessionToken !== null) this.#sessions.set(r.sessionToken, Math.max(0, (this.#sessions.get(r.sessionToken) ?? 1) - 1));
        continue;
      }
      items.push(r);
      sizes.push(this.#sizes[i]!);
      bytes += this.#sizes[i]!;
    }
    this.#items = items;
    this.#sizes = sizes;
    this.#head = 0;
    this.#bytes = bytes;
  }
}

function positiveInt(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new FlagpostError("invalid_argument", `${field} must be a positive integer, got ${String(value)}`, { field });
  }
  return value;
}
