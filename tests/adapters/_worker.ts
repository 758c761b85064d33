/**
 * A worker for the Cloudflare adapter tests (bundled by scripts/_worker-bundle.ts, run in workerd
 * by miniflare): records evaluations through the facade in each request's scope, answers its
 * isolate's stats() on /__stats, throws on /throw, and on /stream holds its body open for 600 ms.
 */
import type { EvaluationRecord } from "flagpost";
import { withFlagpost } from "flagpost/cloudflare";

function record(i: number, user: string): EvaluationRecord {
  return {
    flagKey: `flag-${i}`,
    variant: "on",
    value: true,
    reason: "SPLIT",
    errorCode: undefined,
    allocationKey: "alloc",
    serialId: i,
    doLog: true,
    targetingKey: user,
    attributes: {},
    timestamp: Date.now(),
  };
}

const worker = withFlagpost({
  async fetch(request, _env, _ctx, { flagpost, scope }) {
    const url = new URL(request.url);
    const user = url.searchParams.get("user") ?? "anonymous";
    if (url.pathname === "/throw") throw new Error("handler failed");
    for (const i of [1, 2, 3]) {
      await new Promise((r) => setTimeout(r, 1));
      flagpost.recordEvaluation(record(Number(url.searchParams.get("base") ?? 0) + i, user)); // scope found through AsyncLocalStorage
    }
    scope.setTag("test.user", user);
    if (url.pathname === "/stream") {
      // The body's last chunk comes 600 ms after the first: the response stays open meanwhile.
      let step = 0;
      return new Response(
        new ReadableStream({
          async pull(controller) {
            if (step === 1) await new Promise((r) => setTimeout(r, 600));
            if (step++ < 2) controller.enqueue(new TextEncoder().encode(step === 1 ? "a" : "b"));
            else controller.close();
          },
        }),
      );
    }
    return new Response(`hello ${user}`);
  },
}, { deadlineMs: 800, spanEnrichmentEnabled: true, metricsEnabled: true });

export default {
  fetch(request: Request, env: Record<string, unknown>, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/__stats") return Promise.resolve(Response.json(worker.flagpost?.stats() ?? {}));

    return worker.fetch(request, env, ctx);
  },
};
