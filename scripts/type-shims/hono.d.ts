/**
 * Published in place of the `hono` types (scripts/build.ts): the mock agent's npm build bundles
 * Hono, so users do not install it; these declare the part of a Hono app the mock agent exposes.
 */
/** A Hono application, as the mock agent exposes it: a fetch handler. */
export interface Hono {
  /** Answers a request in-process (`agent.app.fetch(new Request("http://agent/info"))`). */
  fetch(request: Request, env?: unknown, executionCtx?: unknown): Response | Promise<Response>;
  /** Answers a request built from a path or URL (`agent.app.request("/info")`). */
  request(input: RequestInfo | URL, init?: RequestInit): Response | Promise<Response>;
}
/** A Hono request context (only named by internal declarations). */
export interface Context {
  req: { raw: Request };
}
