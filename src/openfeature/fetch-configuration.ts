/**
 * Fetching a UFC configuration over HTTP: conditional (`If-None-Match` with
 * the last ETag), bounded by a timeout that covers the body too, and bounded
 * in size. It goes through the shared sender (src/transport), which consumes
 * or cancels every response body, never reads past the size limit, never
 * follows a redirect (the request's headers may carry a client token), and
 * fails a body cut off by a reset or a timeout — a truncated configuration
 * is never installed. Messages never carry a URL password.
 *
 * @module
 */
import type { RetryPolicy } from "../transport/retry.ts";
import { sendWithRetry } from "../transport/sender.ts";

/** What a fetch produced. */
export type ConfigurationFetchResult =
  | { readonly status: "ok"; readonly text: string; readonly etag: string | undefined }
  | { readonly status: "not_modified" }
  | { readonly status: "error"; readonly message: string };

/** Options of `fetchConfiguration`. */
export interface ConfigurationFetchOptions {
  /** The ETag of the configuration held now; sent as `If-None-Match`. */
  etag?: string | undefined;
  /** Whole-request timeout, body included. */
  timeoutMs: number;
  /** Largest accepted body, in bytes (UTF-8); reading stops just past it. */
  maxLength: number;
  headers?: Record<string, string> | undefined;
  fetch?: typeof fetch | undefined;
}

/** One attempt, no retries: the provider's poll (or its caller) decides when to try again. */
function configurationPolicy(timeoutMs: number): RetryPolicy {
  return { maxAttempts: 1, retryStatuses: [], retryNetworkErrors: false, retryTimeouts: false, timeoutMs, baseDelayMs: 0, maxDelayMs: 0 };
}

/**
 * GETs `url` through the shared transport and returns the configuration
 * text, `not_modified` on 304, or an error description. Never throws.
 *
 * @example
 * ```ts
 * // (fragment) internal: the providers call this for you
 * const r = await fetchConfiguration("https://cdn.example/flags.json", { timeoutMs: 5000, maxLength: 1 << 24 });
 * if (r.status === "ok") parseConfiguration(r.text);
 * ```
 */
export async function fetchConfiguration(url: string, options: ConfigurationFetchOptions): Promise<ConfigurationFetchResult> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (options.etag !== undefined) headers["If-None-Match"] = options.etag;
  const outcome = await sendWithRetry({ url, method: "GET", headers }, configurationPolicy(options.timeoutMs), {
    deadlineMs: options.timeoutMs,
    readResponse: true,
    maxResponseBytes: options.maxLength,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  if (outcome.status === 304) return { status: "not_modified" };
  if (outcome.ok) {
    if (outcome.responseTruncated) {
      return { status: "error", message: `configuration is too large (more than ${options.maxLength} bytes)` };
    }
    return { status: "ok", text: outcome.responseText ?? "", etag: outcome.responseHeaders?.get("etag") ?? undefined };
  }
  switch (outcome.errorKind) {
    case "http":
      return { status: "error", message: `configuration fetch answered HTTP ${outcome.status}` };
    case "redirect":
      return {
        status: "error",
        message: `configuration fetch was redirected (HTTP ${outcome.status ?? "3xx"}); redirects are not followed`,
      };
    case "timeout":
    case "deadline":
      return { status: "error", message: `configuration fetch timed out after ${options.timeoutMs} ms` };
    default:
      return { status: "error", message: `configuration fetch failed: ${outcome.errorDetail ?? "network error"}` };
  }
}
