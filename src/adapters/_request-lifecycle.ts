/**
 * The request lifecycle every adapter shares: open a scope, run the handler
 * with the scope bound (explicitly, and through the scope store when there
 * is one), end the scope with the response status or the error, then hand
 * the flush to whoever keeps the runtime alive (`ctx.waitUntil` on workers,
 * the event loop on servers) without delaying the response.
 *
 * @module
 */
import type { Flagpost } from "../flagpost.ts";
import type { FlushReport } from "../lifecycle/flush-report.ts";
import type { RequestScope } from "../lifecycle/request-scope.ts";

/**
 * How an adapter names the root span of a request and when it flushes.
 *
 * @example
 * ```ts
 * import type { RequestLifecycleOptions } from "flagpost/node";
 * const options: RequestLifecycleOptions = { name: "http.request", resource: (r) => new URL(r.url).pathname, deadlineMs: 3_000 };
 * console.log(options.name);
 * ```
 */
export interface RequestLifecycleOptions {
  /** Operation name of the root span (default `http.request`). */
  readonly name?: string;
  /** Resource of the root span (default `"<METHOD> <path>"`). */
  readonly resource?: (request: Request) => string;
  /** Deadline of each flush (default the configuration's, 5,000 ms). */
  readonly deadlineMs?: number;
}

/** Default resource: method and path, without the query (it may carry secrets and has unbounded cardinality). */
export function defaultResource(request: Request): string {
  let path = "/";
  try {
    path = new URL(request.url).pathname;
  } catch {
    // A relative URL cannot happen in a server; keep "/".
  }
  return `${request.method} ${path}`;
}

function resourceOf(request: Request, options: RequestLifecycleOptions): string {
  try {
    const r = options.resource?.(request);
    return typeof r === "string" && r !== "" ? r : defaultResource(request);
  } catch {
    return defaultResource(request);
  }
}

/**
 * Runs `handler` in a new request scope and ends the scope with the
 * response's status (or 500 and the error, which is rethrown; `errorOf`
 * names an error the handler caught and answered itself). Returns the
 * handler's response unchanged.
 */
export async function runRequest(
  flagpost: Flagpost,
  request: Request,
  options: RequestLifecycleOptions,
  handler: (scope: RequestScope) => Response | Promise<Response>,
  errorOf?: () => unknown,
): Promise<Response> {
  const scope = flagpost.startRequest({ name: options.name ?? "http.request", resource: resourceOf(request, options) });
  scope.setTag("http.method", request.method);
  try {
    scope.setTag("http.url", stripQuery(request.url));
  } catch {
    // Not a URL: leave the tag out.
  }
  let response: Response;
  try {
    response = await flagpost.runInScope(scope, () => handler(scope));
  } catch (error) {
    void scope.end({ status: 500, error });
    throw error;
  }
  let handled: unknown;
  try {
    handled = errorOf?.();
  } catch {
    handled = undefined;
  }
  void scope.end(handled === undefined ? { status: response?.status } : { status: response?.status, error: handled });
  return response;
}

function stripQuery(url: string): string {
  const u = new URL(url);
  u.search = "";
  u.username = "";
  u.password = "";
  return u.href;
}

/**
 * Starts a flush that nobody awaits (servers: the event loop keeps it
 * alive) and makes sure its report can never become an unhandled rejection.
 */
export function flushInBackground(flagpost: Flagpost, deadlineMs: number | undefined): Promise<FlushReport> {
  const flushing = flagpost.flush(deadlineMs === undefined ? {} : { deadlineMs });
  flushing.catch(() => {}); // flush never rejects; belt and braces
  return flushing;
}
