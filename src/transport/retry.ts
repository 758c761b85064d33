/**
 * Retry policy pieces: which failures are retried, how long to wait
 * (exponential backoff with jitter), and `Retry-After` parsing.
 *
 * @module
 */

/** How a sender retries. Every exporter passes its own (see `OTLP_RETRY_POLICY`). */
export interface RetryPolicy {
  /** Total attempts including the first. `1` means never retry. */
  readonly maxAttempts: number;
  /** HTTP statuses worth another attempt (e.g. 429, 502, 503, 504). */
  readonly retryStatuses: readonly number[];
  /** Retry when fetch itself fails (connection refused, reset, DNS). */
  readonly retryNetworkErrors: boolean;
  /** Retry when an attempt hits its per-attempt timeout. */
  readonly retryTimeouts: boolean;
  /** Per-attempt timeout, in milliseconds. */
  readonly timeoutMs: number;
  /** First backoff delay, in milliseconds; doubled per retry. */
  readonly baseDelayMs: number;
  /** Largest backoff delay, in milliseconds (a server's `Retry-After` may ask for longer; it is honoured within the deadline). */
  readonly maxDelayMs: number;
}

/** OTLP/HTTP: retry only 429/502/503/504 (and network errors), honouring `Retry-After`. */
export const OTLP_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  retryStatuses: Object.freeze([429, 502, 503, 504]),
  retryNetworkErrors: true,
  retryTimeouts: true,
  timeoutMs: 10_000,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
});

/** The Datadog agent (EVP proxy, traces): same retryable set, 5 s per attempt like dd-trace-js. */
export const AGENT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  retryStatuses: Object.freeze([429, 502, 503, 504]),
  retryNetworkErrors: true,
  retryTimeouts: false,
  timeoutMs: 5_000,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
});

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an
 * HTTP date. Returns milliseconds from `now` (≥ 0), or `undefined` when
 * absent or unparseable.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from "./retry.ts"; // internal: not exported from "flagpost"
 * parseRetryAfter("2", Date.now()); // 2000
 * parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:27:59 GMT")); // 1000
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined; // a bare number with a sign or fraction is not a date
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Backoff before retry number `retry` (1 for the first retry): exponential,
 * capped at `maxDelayMs`, with "equal jitter" (half fixed, half random) so
 * that clients spread out without ever retrying instantly.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return exp / 2 + (exp / 2) * random();
}
