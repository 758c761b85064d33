/**
 * flagpost/hono in-process: the middleware opens a scope per request, exposes it to handlers,
 * ends it with the response status (or the error Hono caught), and flushes after the response —
 * through executionCtx.waitUntil when the runtime has one, else without delaying the response.
 */
import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { createFlagpost, decodeSpanTags, type EvaluationRecord, FlagpostError } from "../../../mod.ts";
import { createMockAgent } from "../../../mock-agent/mod.ts";
import { record as baseRecord } from "../../exposures/helpers.ts";
import { flagpostMiddleware, type FlagpostVariables } from "../../../src/adapters/hono/mod.ts";
import { asyncLocalScopeStore } from "../../../src/adapters/node/mod.ts";

const ENV = { DD_SERVICE: "hono-test", DD_TRACE_AGENT_URL: "http://agent.test:8126" };

function record(serialId: number, user: string): EvaluationRecord {
  return baseRecord({ flagKey: "f", reason: "SPLIT", allocationKey: "a", serialId, targetingKey: user, attributes: {} });
}

function app(flagpost: ReturnType<typeof createFlagpost>) {
  const app = new Hono<{ Variables: FlagpostVariables }>();
  app.use(flagpostMiddleware({ flagpost }));
  app.get("/eval/:id", (c) => {
    flagpost.recordEvaluation(record(Number(c.req.param("id")), "u")); // implicit scope through AsyncLocalStorage
    return c.text(`trace ${c.get("flagpostScope").traceId}`);
  });
  app.get("/boom", () => {
    throw new Error("route failed");
  });
  return app;
}

function spans(agent: ReturnType<typeof createMockAgent>) {
  return agent.store.list().flatMap((r) => (r.decoded?.kind === "traces" ? r.decoded.traces.flat() : []));
}

describe("flagpostMiddleware", () => {
  test("refuses a missing instance", () => {
    expect(() => flagpostMiddleware({} as never)).toThrow(FlagpostError);
    expect(() => flagpostMiddleware({ flagpost: {} as never })).toThrow(FlagpostError);
  });

  test("without an execution context: the response comes back, the flush runs by itself", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: ENV, fetch: agent.fetch, spanEnrichmentEnabled: true, scopeStore: asyncLocalScopeStore() });
    const res = await app(flagpost).request("/eval/42");
    expect(await res.text()).toMatch(/^trace \d+$/);
    await flagpost.flush(); // joins the flush the middleware started
    const [root] = spans(agent);
    expect(root?.resource).toBe("GET /eval/42");
    expect(root?.meta["http.status_code"]).toBe("200");
    expect(decodeSpanTags(root!.meta).serialIds).toEqual([42]);
  });

  test("with an execution context: the flush is handed to waitUntil", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: ENV, fetch: agent.fetch });
    const waited: Promise<unknown>[] = [];
    const res = await app(flagpost).fetch(new Request("http://x/eval/1"), {}, {
      waitUntil: (p: Promise<unknown>) => void waited.push(p),
      passThroughOnException: () => {},
      props: {},
    });
    expect(res.status).toBe(200);
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(spans(agent).length).toBe(1);
  });

  test("an error Hono answered with 500 marks the span", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: ENV, fetch: agent.fetch });
    const res = await app(flagpost).request("/boom");
    expect(res.status).toBe(500);
    await flagpost.flush();
    const [root] = spans(agent);
    expect([root?.error, root?.meta["error.message"], root?.meta["http.status_code"]]).toEqual([1, "route failed", "500"]);
  });

  test("a factory gets the context (e.g. to build the instance from c.env once)", async () => {
    const flagpost = createFlagpost({ env: ENV, tracesEnabled: false });
    let calls = 0;
    const h = new Hono();
    h.use(flagpostMiddleware({ flagpost: () => (calls++, flagpost) }));
    h.get("/", (c) => c.text("ok"));
    await h.request("/");
    await h.request("/");
    expect(calls).toBe(2);
  });

  test("a flagpost function that throws never fails a request: served without telemetry, logged once, counted, not called again", async () => {
    const logged: Array<Record<string, unknown> | undefined> = [];
    const logger = { debug() {}, warn() {}, error: (_message: string, details?: Record<string, unknown>) => void logged.push(details) };
    let calls = 0;
    const middleware = flagpostMiddleware({
      flagpost: (c) => {
        calls++;
        return createFlagpost({ env: c.env as Record<string, string> });
      },
      logger,
    });
    const app = new Hono<{ Variables: FlagpostVariables }>();
    app.use(middleware);
    app.get("/", (c) => c.text(`ok ${c.get("flagpostScope").traceId > 0n}`));
    for (let i = 0; i < 3; i++) {
      const res = await app.request("/", {}, { DD_TRACE_AGENT_URL: "agent:8126" });
      expect([res.status, await res.text()]).toEqual([200, "ok true"]);
    }
    expect(calls).toBe(1);
    expect(middleware.stats()["flagpost.errors"]).toEqual({ config: 1 });
    expect((middleware.configError as FlagpostError).field).toBe("DD_TRACE_AGENT_URL");
    expect(logged).toHaveLength(1);
    expect(logged[0]?.code).toBe("invalid_config");
  });
});
