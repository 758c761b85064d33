/**
 * A server for the runtime adapter tests, run as its own process on Node (bundled), Deno or Bun:
 * `serve` from that runtime's adapter, each request recording one evaluation (serial id from the
 * query) in its scope, flushing only on an interval of a minute — so what reaches the agent before
 * exit was sent by the shutdown hook. Prints `listening <url>`, and the final report on shutdown.
 * `/stream` answers with a body that never ends; FIXTURE_DEADLINE_MS sets the shutdown deadline.
 */
import type { EvaluationRecord } from "../../mod.ts";

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const adapter = runtime === "deno"
  ? await import("../../src/adapters/deno/mod.ts")
  : runtime === "bun"
  ? await import("../../src/adapters/bun/mod.ts")
  : await import("../../src/adapters/node/mod.ts");

const fixtureDeadline = runtime === "deno"
  ? (globalThis as unknown as { Deno: { env: { get(name: string): string | undefined } } }).Deno.env.get("FIXTURE_DEADLINE_MS")
  : (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env.FIXTURE_DEADLINE_MS;

const flagpost = adapter.createFlagpost({ spanEnrichmentEnabled: true });
const server = await adapter.serve(flagpost, (request, scope) => {
  const url = new URL(request.url);
  if (url.pathname === "/stream") {
    // A response that never ends: stopping the server waits for it forever.
    return new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("streaming\n")) }));
  }
  const id = Number(url.searchParams.get("id") ?? 1);
  const record: EvaluationRecord = {
    flagKey: `flag-${id}`,
    variant: "on",
    value: true,
    reason: "SPLIT",
    errorCode: undefined,
    allocationKey: "a",
    serialId: id,
    doLog: true,
    targetingKey: `user-${id}`,
    attributes: {},
    timestamp: Date.now(),
  };
  flagpost.recordEvaluation(record); // the scope comes from AsyncLocalStorage
  return scope.span("work", () => new Response(`ok ${id} ${flagpost.currentScope() === scope}`));
}, {
  port: 0,
  flushIntervalMs: 60_000,
  ...(fixtureDeadline ? { deadlineMs: Number(fixtureDeadline) } : {}),
  onShutdown: (report) => {
    console.log(`final ${JSON.stringify({ ok: report.ok, sent: report.sent, dropped: report.dropped })}`);
    console.log(`signals ${JSON.stringify(report.signals)}`);
    console.log(`stats ${JSON.stringify(flagpost.stats())}`);
  },
});
console.log(`listening ${server.url}`);
