/**
 * Request scopes end to end, in-process against the mock agent: the root
 * span carries the ffe_* tags of exactly its own evaluations (checked with
 * decodeSpanTags and with the mock agent's msgpack decoder), child spans
 * hang off the root, errors mark the span, and 1,000 concurrent requests in
 * one isolate never mix their tags.
 */
import { describe, expect, test } from "bun:test";
import { AsyncLocalStorage } from "node:async_hooks";
import { createFlagpost, decodeSpanTags, type EvaluationRecord, type RequestScope, type ScopeStore } from "../../mod.ts";
import { sha256Hex } from "../../src/core/sha256.ts";
import { createMockAgent } from "../../mock-agent/mod.ts";
import { record as baseRecord } from "../exposures/helpers.ts";

interface SpanJson {
  name: string;
  resource: string;
  service: string;
  trace_id: string;
  span_id: string;
  parent_id: string;
  error: number;
  meta: Record<string, string>;
  metrics: Record<string, number>;
  type?: string;
}

const ENV = {
  DD_SERVICE: "shop",
  DD_TRACE_AGENT_URL: "http://agent.test:8126",
  DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED: "true",
};

function record(serialId: number, targetingKey: string, overrides: Partial<EvaluationRecord> = {}): EvaluationRecord {
  return baseRecord({
    flagKey: `flag-${serialId}`,
    reason: "SPLIT",
    allocationKey: "a",
    serialId,
    targetingKey,
    attributes: {},
    ...overrides,
  });
}

function alsStore(): ScopeStore {
  const als = new AsyncLocalStorage<RequestScope>();
  return { run: (scope, fn) => als.run(scope, fn), current: () => als.getStore() };
}

async function traces(agent: ReturnType<typeof createMockAgent>): Promise<SpanJson[][]> {
  return await (await agent.fetch("http://agent.test/test/traces")).json() as SpanJson[][];
}

describe("RequestScope", () => {
  test("root span with ffe_* tags, child spans, status and error, delivered to the agent", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: ENV, fetch: agent.fetch });
    const scope = flagpost.startRequest({ name: "http.request", resource: "GET /cart", type: "web" });
    flagpost.recordEvaluation(record(100, "user-1"), scope);
    flagpost.recordEvaluation(record(108, "user-1"), scope);
    flagpost.recordEvaluation(
      record(0, "", { variant: undefined, serialId: undefined, flagKey: "missing", value: "dflt", doLog: false }),
      scope,
    );
    const value = await scope.span("db.query", async (span) => {
      span.setTag("db.system", "sqlite").setMetric("db.rows", 2);
      return await Promise.resolve(7);
    });
    expect(value).toBe(7);
    expect(() =>
      scope.span("fails", () => {
        throw new TypeError("boom");
      })
    ).toThrow("boom");
    scope.setTag("http.route", "/cart");
    await scope.end({ status: 503 });
    const report = await flagpost.flush();
    expect(report.signals.traces).toMatchObject({ sent: 1, dropped: {} });

    const [trace] = await traces(agent);
    expect(trace).toHaveLength(3);
    const root = trace!.find((s) => s.parent_id === "0")!;
    expect(root).toMatchObject({ name: "http.request", resource: "GET /cart", service: "shop", error: 1, type: "web" });
    expect(root.span_id).toBe(scope.spanId.toString());
    expect(root.trace_id).toBe(scope.traceId.toString());
    expect(root.meta["http.status_code"]).toBe("503");
    expect(root.meta["http.route"]).toBe("/cart");
    expect(root.metrics["_sampling_priority_v1"]).toBe(1);
    const decoded = decodeSpanTags(root.meta);
    expect(decoded.serialIds).toEqual([100, 108]);
    expect(decoded.subjects).toEqual({ [await sha256Hex("user-1")]: [100, 108] });
    expect(decoded.runtimeDefaults).toEqual({ missing: "dflt" });

    const children = trace!.filter((s) => s.parent_id !== "0");
    expect(children.every((c) => c.parent_id === root.span_id && c.trace_id === root.trace_id)).toBe(true);
    const db = children.find((c) => c.name === "db.query")!;
    expect([db.meta["db.system"], db.metrics["db.rows"], db.error]).toEqual(["sqlite", 2, 0]);
    const failed = children.find((c) => c.name === "fails")!;
    expect([failed.error, failed.meta["error.type"], failed.meta["error.message"]]).toEqual([1, "TypeError", "boom"]);
  });

  test("the root span is kept (_sampling_priority_v1 = 1) unless the scope set its own priority before end()", async () => {
    // docs/lifecycle.md "Sampling": no agent-side decision is applied on the edge, so flagpost keeps every root span.
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: ENV, fetch: agent.fetch });
    const kept = flagpost.startRequest({ name: "http.request", resource: "GET /kept" });
    const rejected = flagpost.startRequest({ name: "http.request", resource: "GET /health" });
    rejected.setMetric("_sampling_priority_v1", 0); // auto-reject: the agent does not retain it
    await Promise.all([kept.end({ status: 200 }), rejected.end({ status: 200 })]);
    await flagpost.flush();
    const roots = (await traces(agent)).flat().filter((s) => s.parent_id === "0");
    const priority = Object.fromEntries(roots.map((r) => [r.resource, r.metrics["_sampling_priority_v1"]]));
    expect(priority).toEqual({ "GET /kept": 1, "GET /health": 0 });
  });

  test("end() is idempotent, never rejects, and an error marks the root span", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: ENV, fetch: agent.fetch });
    const scope = flagpost.startRequest({ name: "job", resource: "nightly" });
    const first = scope.end({ error: "plain string error" });
    expect(scope.end({ status: 200 })).toBe(first);
    await first;
    await flagpost.flush();
    const [[root]] = await traces(agent) as [[SpanJson]];
    expect([root.error, root.meta["error.message"], root.meta["http.status_code"]]).toEqual([1, "plain string error", undefined]);
  });

  test("span limit and spans after end are counted", async () => {
    const flagpost = createFlagpost({ env: ENV, maxSpansPerRequest: 2 });
    const scope = flagpost.startRequest({ name: "n", resource: "r" });
    for (let i = 0; i < 3; i++) scope.span(`s${i}`, () => i);
    await scope.end();
    scope.span("late", () => 0);
    expect(flagpost.stats()["traces.spans_dropped"]).toEqual({ scope_ended: 1, span_limit: 1 });
  });

  test("flush waits for scopes still writing their tags (end() not awaited)", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: ENV, fetch: agent.fetch });
    const scope = flagpost.startRequest({ name: "n", resource: "r" });
    flagpost.recordEvaluation(record(5, "u"), scope);
    void scope.end();
    const report = await flagpost.flush();
    expect(report.signals.traces?.sent).toBe(1);
  });

  test("DD_TRACE_ENABLED=false: no trace signal, scopes still work", async () => {
    const flagpost = createFlagpost({ env: { ...ENV, DD_TRACE_ENABLED: "false" } });
    const scope = flagpost.startRequest({ name: "n", resource: "r" });
    await scope.end();
    const report = await flagpost.flush();
    expect(Object.keys(report.signals)).toEqual(["exposures", "flagevaluations"]);
  });

  test("the trace queue is bounded: overflow is dropped and counted", async () => {
    const flagpost = createFlagpost({ env: ENV, limits: { maxQueuedTraceChunks: 2 } });
    for (let i = 0; i < 5; i++) await flagpost.startRequest({ name: "n", resource: `r${i}` }).end();
    expect(flagpost.stats()["traces.dropped"]).toEqual({ queue_full: 3 });
    expect(flagpost.stats()["traces.queued"]).toEqual({ "": 2 });
  });

  test("a request that ends while shutdown() runs is still in the final flush", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: ENV, fetch: agent.fetch });
    const scope = flagpost.startRequest({ name: "n", resource: "late" });
    flagpost.recordEvaluation(record(9, "u"), scope);
    const shutting = flagpost.shutdown();
    void scope.end({ status: 200 }); // after shutdown() began
    const report = await shutting;
    expect(report.signals.traces?.sent).toBe(1);
    expect(flagpost.stats()["traces.dropped"]).toBeUndefined();
    expect((await traces(agent)).map((t) => t[0]!.resource)).toEqual(["late"]);
  });

  test("after shutdown, ending scopes is counted as shutdown", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: ENV, fetch: agent.fetch });
    const scope = flagpost.startRequest({ name: "n", resource: "r" });
    await flagpost.shutdown();
    await scope.end();
    expect(flagpost.stats()["traces.dropped"]).toEqual({ shutdown: 1 });
  });
});

describe("isolation", () => {
  test("1,000 concurrent requests in one isolate never mix tags (implicit scope via AsyncLocalStorage)", async () => {
    const agent = createMockAgent({ maxRequests: 100_000 });
    const flagpost = createFlagpost({ env: ENV, fetch: agent.fetch, scopeStore: alsStore(), limits: { maxQueuedTraceChunks: 2_000 } });
    const N = 1_000;
    const tick = () => new Promise((r) => setTimeout(r, Math.random() * 3));
    await Promise.all(Array.from({ length: N }, async (_, i) => {
      const scope = flagpost.startRequest({ name: "http.request", resource: `GET /r/${i}` });
      await flagpost.runInScope(scope, async () => {
        // Interleave: every request yields between its evaluations.
        for (const id of [i * 3 + 1, i * 3 + 2, i * 3 + 3]) {
          await tick();
          flagpost.recordEvaluation(record(id, `user-${i}`)); // no scope argument: found through the store
        }
      });
      await scope.end({ status: 200 });
    }));
    const report = await flagpost.flush({ deadlineMs: 30_000 });
    expect(report.signals.traces).toMatchObject({ sent: N, dropped: {} });
    const all = (await traces(agent)).flat();
    expect(all).toHaveLength(N);
    let checked = 0;
    for (const root of all) {
      const i = Number(root.resource.slice("GET /r/".length));
      const decoded = decodeSpanTags(root.meta);
      expect(decoded.serialIds).toEqual([i * 3 + 1, i * 3 + 2, i * 3 + 3]);
      expect(Object.values(decoded.subjects)).toEqual([[i * 3 + 1, i * 3 + 2, i * 3 + 3]]);
      checked++;
    }
    expect(checked).toBe(N);
  });

  test("without a scope store, the explicit scope argument isolates requests the same way", async () => {
    const flagpost = createFlagpost({ env: ENV });
    const scopes = Array.from({ length: 100 }, (_, i) => flagpost.startRequest({ name: "n", resource: String(i) }));
    await Promise.all(scopes.map(async (scope, i) => {
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      flagpost.recordEvaluation(record(i + 1, `u${i}`), scope);
    }));
    for (const [i, scope] of scopes.entries()) {
      expect(decodeSpanTags(await scope.enrichment!.toTags()).serialIds).toEqual([i + 1]);
    }
  });
});
