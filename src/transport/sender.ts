/**
 * The one HTTP sender every exporter uses. It takes a request and a retry
 * policy and returns an {@link SendOutcome}; it never throws.
 *
 * - Each attempt has its own timeout; the whole send has a deadline. Both are
 *   enforced with `AbortSignal`, so a hung server cannot hold a flush. The
 *   timeout covers the response body too: a body that hangs, or a connection
 *   reset before the body's end, fails the attempt (`timeout` / `network`),
 *   even after a 2xx status line.
 * - Redirects are never followed (`redirect: "manual"`): a 3xx would forward
 *   the body, `DD-API-KEY` and custom headers to another origin, possibly
 *   over plain http. A 3xx is a failed attempt (`redirect`), never retried.
 * - Retries only what the policy names, with exponential backoff and jitter,
 *   honouring `Retry-After` (seconds or HTTP date) but never past the deadline.
 * - Every response body is consumed or cancelled (workerd and undici keep
 *   connections open otherwise); at most 256 bytes of an error body are kept,
 *   with secrets (URL passwords, secret header values) masked.
 *
 * @module
 */
import { delay, MAX_TIMER_MS } from "../core/delay.ts";
import { isSecretHeaderName } from "../core/http-headers.ts";
import { redactValues } from "../core/redact.ts";
import { backoffDelay, parseRetryAfter, type RetryPolicy } from "./retry.ts";

/** What to send. */
export interface TransportRequest {
  readonly url: string;
  /** Default `POST`. */
  readonly method?: "GET" | "POST" | "PUT";
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
}

/**
 * Why a send failed: an HTTP error status (`http`), a 3xx answer that was not
 * followed (`redirect`), a connection or body failure (`network`), an attempt
 * timeout (`timeout`), or the whole send's deadline (`deadline`).
 */
export type SendErrorKind = "http" | "redirect" | "network" | "timeout" | "deadline";

/** The result of {@link sendWithRetry}. */
export interface SendOutcome {
  /** A 2xx answer was received. */
  readonly ok: boolean;
  /** Status of the last response, when one was received. */
  readonly status?: number;
  /** Attempts made (≥ 1 unless the deadline had already passed). */
  readonly attempts: number;
  /** Why the send failed; absent when `ok`. */
  readonly errorKind?: SendErrorKind;
  /** Up to 256 bytes (UTF-8) of the last error response body, or the network error's message. */
  readonly errorDetail?: string;
  /** The success response body as text, only when `readResponse` was asked for (bounded by `maxResponseBytes`). */
  readonly responseText?: string;
  /** The success response body as bytes, only when `readResponse: "bytes"` was asked for (bounded by `maxResponseBytes`). */
  readonly responseBytes?: Uint8Array;
  /** The success body was longer than `maxResponseBytes`: `responseText` holds only its start. */
  readonly responseTruncated?: boolean;
  /** Headers of the last response, when one was received (e.g. `ETag`, `Retry-After`). */
  readonly responseHeaders?: Headers;
  /**
   * The receiver answered 2xx but its body broke off (`ok` is false: the body cannot be trusted). The request itself
   * was processed, so a `POST`/`PUT` is not sent again: a telemetry signal counts its events as delivered rather than
   * sending them twice. A `GET` is retried like any failed attempt.
   */
  readonly accepted?: boolean;
  /** Wall-clock time spent, in milliseconds. */
  readonly elapsedMs: number;
}

/** Options of one send. */
export interface SendOptions {
  /** Milliseconds the whole send (all attempts and waits) may take. Default: (policy timeout + max backoff) × attempts. */
  readonly deadlineMs?: number;
  /** An outer signal (e.g. a flush being cancelled); aborting it ends the send as `deadline`. */
  readonly signal?: AbortSignal;
  /**
   * Hand back a successful response's body: `true` as text (e.g. the agent's
   * `rate_by_service`), `"bytes"` as bytes (e.g. an OTLP protobuf
   * `ExportMetricsServiceResponse`).
   */
  readonly readResponse?: boolean | "bytes";
  /**
   * Cap on the success body read, in bytes (default 64 KiB). A success body is
   * always read up to this cap, even without `readResponse`, so that a body
   * cut off before its end fails the attempt; beyond the cap it is cancelled.
   */
  readonly maxResponseBytes?: number;
  /** Injection points for tests. */
  readonly fetch?: typeof fetch;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** Bytes of an error body kept for logs. */
export const ERROR_BODY_LIMIT = 256;

/**
 * The stats reason for an outcome: `http_<status>`, `redirect`, `network`,
 * `timeout`, `deadline`, or `""` when it succeeded.
 *
 * @example
 * ```ts
 * import { outcomeReason } from "./sender.ts";
 * outcomeReason({ ok: false, status: 503, errorKind: "http", attempts: 3, elapsedMs: 12 }); // "http_503"
 * outcomeReason({ ok: false, status: 307, errorKind: "redirect", attempts: 1, elapsedMs: 3 }); // "redirect"
 * ```
 */
export function outcomeReason(outcome: SendOutcome): string {
  if (outcome.ok) return "";
  if (outcome.errorKind === "http") return `http_${outcome.status}`;
  return outcome.errorKind ?? "network";
}

interface BodyPrefix {
  /** At most `limit` bytes of the body. */
  bytes: Uint8Array;
  text: string;
  /** The body was longer than the limit; `text` holds its start and the rest was cancelled. */
  truncated: boolean;
  /** Reading failed before the body's end (reset connection, abort): the body is cut off. */
  failed?: string;
}

/**
 * Reads at most `limit` bytes of a body (one chunk past it, to know whether
 * there was more), then cancels the rest. Never throws: a read error is
 * reported in `failed`.
 */
async function readPrefix(response: Response, limit: number): Promise<BodyPrefix> {
  const body = response.body;
  if (body === null) return { bytes: new Uint8Array(0), text: "", truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let failed: string | undefined;
  try {
    while (size <= limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch (error) {
    failed = error instanceof Error ? error.message : String(error);
  } finally {
    reader.cancel().catch(() => {});
  }
  const truncated = size > limit;
  const all = new Uint8Array(Math.min(size, limit));
  let o = 0;
  for (const c of chunks) {
    const take = Math.min(c.byteLength, all.length - o);
    all.set(c.subarray(0, take), o);
    o += take;
    if (o >= all.length) break;
  }
  // `stream: true` drops a multi-byte character cut by the limit instead of emitting U+FFFD.
  const text = new TextDecoder("utf-8", { fatal: false }).decode(all, { stream: truncated || failed !== undefined });
  return failed === undefined ? { bytes: all, text, truncated } : { bytes: all, text, truncated, failed };
}

/** True for an answer that asks to go elsewhere (3xx except 304), or a browser's opaque redirect. */
function isRedirect(response: Response): boolean {
  return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400 && response.status !== 304);
}

/** The origin a redirect points to, credentials masked, for the error detail. */
function redirectTarget(response: Response, base: string): string {
  const location = response.headers.get("location");
  if (location === null) return "no Location";
  try {
    const url = new URL(location, base);
    return `${url.protocol}//${url.host}`;
  } catch {
    return "an invalid Location";
  }
}

/** Cancels a body we do not want; never throws. */
function discard(response: Response): void {
  try {
    response.body?.cancel().catch(() => {});
  } catch {
    // Already consumed or locked: nothing to release.
  }
}

type Abort = "timeout" | "deadline";

/**
 * Sends `request`, retrying per `policy`, within `options.deadlineMs`.
 * Never throws: every failure is described by the returned outcome.
 *
 * @example
 * ```ts
 * import { OTLP_RETRY_POLICY } from "./retry.ts";
 * import { outcomeReason, sendWithRetry } from "./sender.ts";
 * const body = new Uint8Array(0);
 * const outcome = await sendWithRetry(
 *   { url: "http://localhost:4318/v1/metrics", headers: { "Content-Type": "application/x-protobuf" }, body },
 *   OTLP_RETRY_POLICY,
 *   { deadlineMs: 5_000 },
 * );
 * if (!outcome.ok) console.warn("metrics not delivered:", outcomeReason(outcome));
 * ```
 */
export async function sendWithRetry(
  request: TransportRequest,
  policy: RetryPolicy,
  options: SendOptions = {},
): Promise<SendOutcome> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const doFetch = options.fetch ?? globalThis.fetch;
  const started = now();
  // Default deadline: room for every attempt and every backoff.
  // Timers cannot wait longer than MAX_TIMER_MS (Node would fire after 1 ms): clamp, never throw.
  const deadlineMs = clampTimer(options.deadlineMs ?? (policy.timeoutMs + policy.maxDelayMs) * policy.maxAttempts);
  const timeoutMs = clampTimer(policy.timeoutMs);
  // Values of secret headers (API keys, Authorization) are masked wherever a server echoes them.
  const secrets = Object.entries(request.headers ?? {}).filter(([name]) => isSecretHeaderName(name)).map(([, value]) => value);
  const clean = (text: string) => redactValues(text, secrets).slice(0, ERROR_BODY_LIMIT);
  const deadlineAt = started + deadlineMs;

  // One controller for the whole send: the deadline and the outer signal abort it.
  const whole = new AbortController();
  const onOuterAbort = () => whole.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (options.signal?.aborted) whole.abort();
  const deadlineTimer = setTimeout(() => whole.abort(), deadlineMs);

  let attempts = 0;
  let last: Omit<SendOutcome, "attempts" | "elapsedMs"> = { ok: false, errorKind: "deadline" };
  const finish = (o: Omit<SendOutcome, "attempts" | "elapsedMs">): SendOutcome => {
    clearTimeout(deadlineTimer);
    options.signal?.removeEventListener("abort", onOuterAbort);
    return { ...o, attempts, elapsedMs: now() - started };
  };

  try {
    for (;;) {
      if (whole.signal.aborted || now() >= deadlineAt) {
        return finish(attempts === 0 ? { ok: false, errorKind: "deadline" } : { ...last, ok: false, errorKind: "deadline" });
      }
      attempts++;
      const remaining = deadlineAt - now();
      const attemptBudget = Math.max(0, Math.min(timeoutMs, remaining));
      const attempt = new AbortController();
      let aborted: Abort | undefined;
      const onWholeAbort = () => {
        aborted ??= "deadline";
        attempt.abort();
      };
      whole.signal.addEventListener("abort", onWholeAbort, { once: true });
      const attemptTimer = setTimeout(() => {
        aborted ??= attemptBudget < timeoutMs ? "deadline" : "timeout";
        attempt.abort();
      }, attemptBudget);

      let retryAfterMs: number | undefined;
      try {
        const response = await doFetch(request.url, {
          method: request.method ?? "POST",
          headers: request.headers as Record<string, string> | undefined,
          body: request.body as BodyInit | undefined,
          signal: attempt.signal,
          redirect: "manual",
        });
        const responseHeaders = response.headers;
        if (isRedirect(response)) {
          // Never followed, never retried: the new location would get the body and every header.
          discard(response);
          last = {
            ok: false,
            ...(response.status === 0 ? {} : { status: response.status }),
            errorKind: "redirect",
            errorDetail: clean(
              `answered ${response.status || "a redirect"} to ${redirectTarget(response, request.url)}; redirects are not followed`,
            ),
            responseHeaders,
          };
          return finish(last);
        }
        if (response.ok) {
          // Read the body (to its end, or to the cap) even when the caller does not want it: a body cut off by a
          // reset or a timeout fails the attempt, and a consumed body lets the connection be reused.
          const limit = options.maxResponseBytes ?? 65_536;
          const prefix = await readPrefix(response, limit);
          if (prefix.failed !== undefined) throw new BodyReadError(prefix.failed, response.status);
          if (!options.readResponse) return finish({ ok: true, status: response.status, responseHeaders });
          return finish({
            ok: true,
            status: response.status,
            responseHeaders,
            ...(options.readResponse === "bytes" ? { responseBytes: prefix.bytes } : { responseText: prefix.text }),
            ...(prefix.truncated ? { responseTruncated: true } : {}),
          });
        }
        const errorDetail = clean((await readPrefix(response, ERROR_BODY_LIMIT)).text);
        last = { ok: false, status: response.status, errorKind: "http", errorDetail, responseHeaders };
        if (!policy.retryStatuses.includes(response.status)) return finish(last);
        retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), now());
      } catch (error) {
        if (error instanceof BodyReadError) {
          last = { ok: false, status: error.status, accepted: true, errorKind: aborted ?? "network", errorDetail: clean(error.message) };
          // The receiver processed the request: sending it again would deliver it twice.
          if ((request.method ?? "POST") !== "GET" || aborted === "deadline") return finish(last);
          if (aborted === "timeout" ? !policy.retryTimeouts : !policy.retryNetworkErrors) return finish(last);
        } else if (aborted !== undefined) {
          last = {
            ok: false,
            errorKind: aborted,
            errorDetail: `${aborted === "timeout" ? `attempt timed out after ${attemptBudget} ms` : "deadline reached"}`,
          };
          if (aborted === "deadline" || !policy.retryTimeouts) return finish(last);
        } else {
          const message = error instanceof Error ? error.message : String(error);
          last = { ok: false, errorKind: "network", errorDetail: clean(message) };
          if (!policy.retryNetworkErrors) return finish(last);
        }
      } finally {
        clearTimeout(attemptTimer);
        whole.signal.removeEventListener("abort", onWholeAbort);
      }

      if (attempts >= policy.maxAttempts) return finish(last);
      // A server's Retry-After wins over our backoff, however long, as long as it fits the deadline.
      const wait = retryAfterMs ?? backoffDelay(policy, attempts, random);
      if (now() + wait >= deadlineAt) {
        // Waiting would overrun the deadline: stop now rather than burn the budget.
        return finish({ ...last, errorKind: "deadline" });
      }
      if (!(await delay(wait, whole.signal))) return finish({ ...last, errorKind: "deadline" });
    }
  } catch (error) {
    // Defensive: nothing above should throw, but the sender's contract is "never throws".
    return finish({ ok: false, errorKind: "network", errorDetail: clean(String(error)) });
  }
}

/** A success response whose body failed before its end: the attempt fails as `network` (or `timeout` when aborted). */
class BodyReadError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(`response body cut off: ${message}`);
    this.name = "BodyReadError";
    this.status = status;
  }
}

function clampTimer(ms: number): number {
  return Number.isNaN(ms) ? 0 : Math.min(MAX_TIMER_MS, Math.max(0, ms));
}
