/**
 * The example worker plus one route for tooling (`npm run demo`, the
 * example tests, the end-to-end matrix): `GET /__flagpost/stats` answers
 * the isolate's `flagpost.stats()` without being traced itself.
 *
 * @module
 */
import worker from "./worker.ts";

export default {
  fetch(request: Request, env: Record<string, unknown>, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    if (new URL(request.url).pathname === "/__flagpost/stats") return Promise.resolve(Response.json(worker.flagpost?.stats() ?? {}));
    return worker.fetch(request, env, ctx);
  },
};
