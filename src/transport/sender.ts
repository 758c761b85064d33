/**
 * The one HTTP sender every exporter uses. It takes a request and a retry
 * policy and returns an {@link SendOutcome}; it never throws.
 *
 * - Each attempt has its own timeout; the whole send has a deadline. Both are
 *   enforced with `AbortSignal`, so a hung server cannot hold a flush.
 * - Retries only what the policy names, with exponential backoff and jitter,
 *   honouring `Retry-After` (seconds or HTTP date) but never past the deadline.
 * - Every response body is consumed or cancelled (workerd and undici keep
 *   connections open otherwise); at most 256 bytes of an error body are kept.
 *
 * @module
 */
import { backoffDelay, parseRetryAfter, type RetryPolicy } from "./retry.ts";

/** What to send. */
export interface TransportRequest {
  readonly url: string;
  /** Default `POST`. */
  readonly method?: "GET" | "POST" | "PUT";
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
}

/** Why a send failed. */
export type SendErrorKind = "http" | "network" | "timeout" | "deadline";

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
  /** The success body was longer than `maxResponseBytes`: `responseText` holds only its start. */
  readonly responseTruncated?: boolean;
  /** Headers of the last response, when one was received (e.g. `ETag`, `Retry-After`). */
  readonly responseHeaders?: Headers;
  /** Wall-clock time spent, in milliseconds. */
  readonly elapsedMs: number;
}

/** Options of one send. */
export interface SendOptions {
  /** Milliseconds the whole send (all attempts and waits) may take. Default: (policy timeout + max backoff) × attempts. */
  readonly deadlineMs?: number;
  /** An outer signal (e.g. a flush being cancelled); aborting it ends the send as `deadline`. */
  readonly signal?: AbortSignal;
  /** Read a successful response's body as text (e.g. the agent's `rate_by_service`). */
  readonly readResponse?: boolean;
  /** Cap on the success body read, in bytes. Default 64 KiB. */
  readonly maxResponseBytes?: number;
  /** Injection points for tests. */
  readonly fetch?: typeof fetch;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** Bytes of an error body kept for logs. */
export const ERROR_BODY_LIMIT = 256;

/**
 * The stats reason for an outcome: `http_<status>`, `network`, `timeout`,
 * `deadline`, or `""` when it succeeded.
 *
 * @example
 * ```ts
 * outcomeReason({ ok: false, status: 503, errorKind: "http", attempts: 3, elapsedMs: 12 }); // "http_503"
 * ```
 */
export function outcomeReason(outcome: SendOutcome): string {
  if (outcome.ok) return "";
  if (outcome.errorKind === "http") return `http_${outcome.status}`;
  return outcome.errorKind ?? "network";
}

/**
 * Reads at most `limit` bytes of a body (one chunk past it, to know whether
 * there was more), then cancels the rest. Never throws.
 */
async function readPrefix(response: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  const body = response.body;
  if (body === null) return { text: "", truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size <= limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body that errors mid-way still yields what was read.
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
  return { text: new TextDecoder("utf-8", { fatal: false }).decode(all, { stream: truncated }), truncated };
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

/** Resolves after `ms`, or early (with `false`) when `signal` aborts. */
function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Sends `request`, retrying per `policy`, within `options.deadlineMs`.
 * Never throws: every failure is described by the returned outcome.
 *
 * @example
 * ```ts
 * const outcome = await sendWithRetry(
 *   { url: "http://localhost:4318/v1/metrics", headers: { "Content-Type": "application/x-protobuf" }, body },
 *   OTLP_RETRY_POLICY,
 *   { deadlineMs: 5_000 },
 * );
 * if (!outcome.ok) stats.count("metrics.failed", outcomeReason(outcome));
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
  const deadlineMs = options.deadlineMs ?? (policy.timeoutMs + policy.maxDelayMs) * policy.maxAttempts;
  const deadlineAt = started + deadlineMs;

  // One controller for the whole send: the deadline and the outer signal abort it.
  const whole = new AbortController();
  const onOuterAbort = () => whole.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (options.signal?.aborted) whole.abort();
  const deadlineTimer = setTimeout(() => whole.abort(), Math.max(0, deadlineMs));

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
      const attemptBudget = Math.min(policy.timeoutMs, remaining);
      const attempt = new AbortController();
      let aborted: Abort | undefined;
      const onWholeAbort = () => {
        aborted ??= "deadline";
        attempt.abort();
      };
      whole.signal.addEventListener("abort", onWholeAbort, { once: true });
      const attemptTimer = setTimeout(() => {
        aborted ??= attemptBudget < policy.timeoutMs ? "deadline" : "timeout";
        attempt.abort();
      }, attemptBudget);

      let retryAfterMs: number | undefined;
      try {
        const response = await doFetch(request.url, {
          method: request.method ?? "POST",
          headers: request.headers as Record<string, string> | undefined,
          body: request.body as BodyInit | undefined,
          signal: attempt.signal,
        });
        if (response.ok) {
          const responseHeaders = response.headers;
          if (!options.readResponse) {
            discard(response);
            return finish({ ok: true, status: response.status, responseHeaders });
          }
          const { text, truncated } = await readPrefix(response, options.maxResponseBytes ?? 65_536);
          return finish({
            ok: true,
            status: response.status,
            responseHeaders,
            responseText: text,
            ...(truncated ? { responseTruncated: true } : {}),
          });
        }
        const errorDetail = (await readPrefix(response, ERROR_BODY_LIMIT)).text;
        last = { ok: false, status: response.status, errorKind: "http", errorDetail, responseHeaders: response.headers };
        if (!policy.retryStatuses.includes(response.status)) return finish(last);
        retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), now());
      } catch (error) {
        if (aborted !== undefined) {
          last = {
            ok: false,
            errorKind: aborted,
            errorDetail: `${aborted === "timeout" ? `attempt timed out after ${attemptBudget} ms` : "deadline reached"}`,
          };
          if (aborted === "deadline" || !policy.retryTimeouts) return finish(last);
        } else {
          const message = error instanceof Error ? error.message : String(error);
          last = { ok: false, errorKind: "network", errorDetail: message.slice(0, ERROR_BODY_LIMIT) };
          if (!policy.retryNetworkErrors) return finish(last);
        }
      } finally {
        clearTimeout(attemptTimer);
        whole.signal.removeEventListener("abort", onWholeAbort);
      }

      if (attempts >= policy.maxAttempts) return finish(last);
      // A server's Retry-After wins over our backoff, however long, as long as it fits the deadline.
      const delay = retryAfterMs ?? backoffDelay(policy, attempts, random);
      if (now() + delay >= deadlineAt) {
        // Waiting would overrun the deadline: stop now rather than burn the budget.
        return finish({ ...last, errorKind: "deadline" });
      }
      if (!(await wait(delay, whole.signal))) return finish({ ...last, errorKind: "deadline" });
    }
  } catch (error) {
    // Defensive: nothing above should throw, but the sender's contract is "never throws".
    return finish({ ok: false, errorKind: "network", errorDetail: String(error).slice(0, ERROR_BODY_LIMIT) });
  }
}
