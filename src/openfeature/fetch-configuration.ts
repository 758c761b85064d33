/**
 * Fetching a UFC configuration over HTTP: conditional (`If-None-Match` with
 * the last ETag), bounded by a timeout that covers the body too, and bounded
 * in size. Response bodies are always consumed or cancelled.
 *
 * @module
 */

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
  /** Largest accepted body, in characters. */
  maxLength: number;
  headers?: Record<string, string> | undefined;
  fetch?: typeof fetch | undefined;
}

/**
 * GETs `url` and returns the configuration text, `not_modified` on 304, or an
 * error description. Never throws.
 *
 * @example
 * ```ts
 * const r = await fetchConfiguration("https://cdn.example/flags.json", { timeoutMs: 5000, maxLength: 1 << 24 });
 * if (r.status === "ok") parseConfiguration(r.text);
 * ```
 */
export async function fetchConfiguration(url: string, options: ConfigurationFetchOptions): Promise<ConfigurationFetchResult> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (options.etag !== undefined) headers["If-None-Match"] = options.etag;
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    response = await doFetch(url, { method: "GET", headers, signal });
  } catch (e) {
    return { status: "error", message: describeFailure(e, options.timeoutMs) };
  }
  try {
    if (response.status === 304) {
      await response.body?.cancel();
      return { status: "not_modified" };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { status: "error", message: `configuration fetch answered HTTP ${response.status}` };
    }
    const declared = Number(response.headers.get("content-length") ?? "NaN");
    if (declared > options.maxLength) {
      await response.body?.cancel();
      return { status: "error", message: `configuration is too large (${declared} bytes > ${options.maxLength})` };
    }
    const text = await response.text();
    if (text.length > options.maxLength) {
      return { status: "error", message: `configuration is too large (${text.length} characters > ${options.maxLength})` };
    }
    return { status: "ok", text, etag: response.headers.get("etag") ?? undefined };
  } catch (e) {
    try {
      await response.body?.cancel();
    } catch {
      // Already consumed or errored.
    }
    return { status: "error", message: describeFailure(e, options.timeoutMs) };
  }
}

function describeFailure(e: unknown, timeoutMs: number): string {
  const name = (e as { name?: unknown })?.name;
  if (name === "TimeoutError" || name === "AbortError") return `configuration fetch timed out after ${timeoutMs} ms`;
  return `configuration fetch failed: ${(e as Error)?.message ?? String(e)}`;
}
