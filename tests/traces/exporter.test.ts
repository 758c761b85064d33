/**
 * TraceExporter against the mock agent (in-process, and once over a real
 * socket): acceptance with every header, rate_by_service surfaced, retry
 * after 503, a hung agent bounded by the deadline, 404 on v0.5 → v0.4 for
 * good, splitting above the payload cap, ownership errors, and the
 * invariant that every chunk is either accepted or counted under a reason.
 */
import { describe, expect, test } from "bun:test";
import { createMockAgent, type MockAgent, startMockAgent } from "../../mock-agent/mod.ts";
import type { RecordedRequest } from "../../mock-agent/store.ts";
import { resolveConfig } from "../../src/core/config.ts";
import { FlagpostError } from "../../src/core/errors.ts";
import { StatsRegistry } from "../../src/core/stats.ts";
import { AGENT_RETRY_POLICY } from "../../src/transport/retry.ts";
import { TRACER_VERSION } from "../../src/traces/runtime-info.ts";
import { TRACE_EXPORTER_COUNTERS, TraceExporter, type TraceSendResult } from "../../src/traces/exporter.ts";
import { TraceChunks } from "../../src/traces/trace-chunks.ts";
import { buildChunks, expectedSpan, randomTraces, seeded, type SpanInput } from "./_helpers.ts";

const FAST_RETRY = { ...AGENT_RETRY_POLICY, baseDelayMs: 5, maxDelayMs: 20 };

function setup(agentOptions: Parameters<typeof createMockAgent>[0] = {}, limits: { maxTracePayloadBytes?: number } = {}) {
  const agent = createMockAgent(agentOptions);
  const config = resolveConfig({}, { agentUrl: "http://user:secret@agent.test:8126", limits });
  const stats = new StatsRegistry();
  const exporter = new TraceExporter(config, { fetch: agent.fetch, stats, retryPolicy: FAST_RETRY });
  return { agent, config, stats, exporter };
}

function traceRequests(agent: MockAgent): RecordedRequest[] {
  return agent.store.list().filter((r) => r.path.endsWith("/traces"));
}

function decodedSpans(agent: MockAgent) {
  return traceRequests(agent).flatMap((r) => (r.decoded?.kind === "traces" ? r.decoded.traces : []));
}

function sample(n = 3, seed = 11): SpanInput[][] {
  return randomTraces(seeded(seed), n, 4);
}

/** The invariant: every chunk sent or counted under a reason. */
function accounted(result: TraceSendResult): number {
  return result.sentChunks + Object.values(result.droppedChunks).reduce((a, b) => a + b, 0);
}

describe("TraceExporter against the mock agent", () => {
  test("the agent accepts the payload and decodes every span exactly; headers as the design says", async () => {
    const { agent, exporter } = setup();
    const traces = sample(5);
    const result = await exporter.send(buildChunks(traces));
    expect(result).toMatchObject({ ok: true, status: 200, version: "v0.5", sentChunks: 5, droppedChunks: {}, requests: 1, retried: 0 });
    expect(result.error).toBeUndefined();
    expect(decodedSpans(agent)).toEqual(traces.map((t) => t.map((s) => expectedSpan(s))));
    const [request] = traceRequests(agent);
    expect(request!.method).toBe("PUT");
    expect(request!.path).toBe("/v0.5/traces");
    expect(request!.headers).toMatchObject({
      "content-type": "application/msgpack",
      "x-datadog-trace-count": "5",
      "datadog-meta-lang": "javascript",
      "datadog-meta-lang-version": Bun.version,
      "datadog-meta-lang-interpreter": "bun",
      "datadog-meta-tracer-version": TRACER_VERSION,
      "datadog-send-real-http-status": "1",
      "authorization": `Basic ${btoa("user:secret")}`,
    });
  });

  test("without v0.5 in /info's endpoints (or without /info), v0.4 is used", async () => {
    const { agent, exporter } = setup();
    agent.faults.add({ path: "/info", status: 404 });
    const result = await exporter.send(buildChunks(sample()));
    expect(result).toMatchObject({ ok: true, version: "v0.4" });
    expect(traceRequests(agent).map((r) => r.path)).toEqual(["/v0.4/traces"]);
    expect(decodedSpans(agent)).toEqual(sample().map((t) => t.map((s) => expectedSpan(s))));
  });

  test("an unreachable /info means v0.4 this time, and /info is asked again next time", async () => {
    const { agent, exporter } = setup();
    agent.faults.add({ path: "/info", status: 503 });
    expect((await exporter.send(buildChunks(sample()))).version).toBe("v0.4");
    expect((await exporter.send(buildChunks(sample()))).version).toBe("v0.5");
    expect(agent.store.list().filter((r) => r.path === "/info").length).toBe(2);
    // Known now: no more /info requests.
    await exporter.send(buildChunks(sample()));
    expect(agent.store.list().filter((r) => r.path === "/info").length).toBe(2);
  });

  test("a hung /info is bounded by the send's deadline too", async () => {
    const { agent, exporter } = setup();
    agent.faults.add({ path: "/info", delayMs: 60_000 });
    const started = performance.now();
    const result = await exporter.send(buildChunks(sample(2)), { deadlineMs: 300 });
    expect(performance.now() - started).toBeLessThan(10_000); // the bound, not a speed: the fault holds for 60 s
    expect(result.ok).toBe(false);
    expect(accounted(result)).toBe(2);
    agent.faults.clear();
  });

  test("rate_by_service is surfaced", async () => {
    const rates = { "service:shop,env:prod": 0.25, "service:,env:": 1 };
    const { exporter } = setup({ rateByService: rates });
    const result = await exporter.send(buildChunks(sample()));
    expect(result.rateByService).toEqual(rates);
  });

  test("503 then 200: retried once, delivered once", async () => {
    const { agent, exporter, stats } = setup();
    agent.faults.add({ path: "/v0.5/traces", status: 503 });
    const result = await exporter.send(buildChunks(sample(4)));
    expect(result).toMatchObject({ ok: true, status: 200, sentChunks: 4, requests: 1, retried: 1 });
    expect(traceRequests(agent).map((r) => r.status)).toEqual([503, 200]);
    expect(decodedSpans(agent).length).toBe(4);
    expect(stats.get(TRACE_EXPORTER_COUNTERS.requests, "")).toBe(1);
  });

  test("a hung agent: the send ends at the deadline with a timeout error, nothing lost silently", async () => {
    const { agent, exporter } = setup();
    await exporter.send(new TraceChunks()); // nothing to send: no request
    agent.faults.add({ path: "/v0.5/traces", delayMs: 60_000, times: 10 });
    const started = performance.now();
    const result = await exporter.send(buildChunks(sample(3)), { deadlineMs: 300 });
    const elapsed = performance.now() - started;
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe("timeout");
    expect(result.droppedChunks).toEqual({ deadline: 3 });
    expect(accounted(result)).toBe(3);
    // Bounded by the deadline (generous margin for a loaded machine: this checks the bound, not speed).
    expect(elapsed).toBeLessThan(10_000);
    agent.faults.clear();
  });

  test("404 on v0.5: the same chunks go to v0.4, and v0.4 stays for later sends", async () => {
    const { agent, exporter } = setup();
    agent.faults.add({ path: "/v0.5/traces", status: 404 });
    const traces = sample(3);
    const first = await exporter.send(buildChunks(traces));
    expect(first).toMatchObject({ ok: true, version: "v0.4", sentChunks: 3, requests: 2 });
    expect(exporter.version).toBe("v0.4");
    await exporter.send(buildChunks(sample(2, 12)));
    expect(traceRequests(agent).map((r) => `${r.path} ${r.status}`)).toEqual(["/v0.5/traces 404", "/v0.4/traces 200", "/v0.4/traces 200"]);
    expect(decodedSpans(agent).slice(0, 3)).toEqual(traces.map((t) => t.map((s) => expectedSpan(s))));
  });

  test("above the payload cap, chunks are split across requests, each within the cap", async () => {
    for (const version of ["v0.4", "v0.5"] as const) {
      const { agent, exporter } = setup({}, { maxTracePayloadBytes: 2_000 });
      if (version === "v0.4") agent.faults.add({ path: "/info", status: 404 });
      const traces = randomTraces(seeded(21), 40, 3).map((t) =>
        t.map((s) => ({ ...s, meta: (s.meta ?? []).slice(0, 4).map(([k, v]) => [k, v.slice(0, 20)] as [string, string]) }))
      );
      const result = await exporter.send(buildChunks(traces));
      expect(result.version).toBe(version);
      expect(accounted(result)).toBe(40);
      const requests = traceRequests(agent);
      expect(result.requests).toBe(requests.length);
      expect(requests.length).toBeGreaterThan(1);
      for (const r of requests) expect(r.body.length).toBeLessThanOrEqual(2_000);
      const sentSpans = decodedSpans(agent);
      expect(sentSpans.length).toBe(result.sentChunks);
      if (result.droppedChunks["too_large"] === undefined) expect(sentSpans).toEqual(traces.map((t) => t.map((s) => expectedSpan(s))));
    }
  });

  test("the agent's max_request_bytes (from /info) lowers the cap", async () => {
    const { agent, exporter } = setup({ maxBodyBytes: 4_096 });
    const traces = randomTraces(seeded(5), 60, 4);
    const result = await exporter.send(buildChunks(traces));
    expect(accounted(result)).toBe(60);
    for (const r of traceRequests(agent)) expect(r.body.length).toBeLessThanOrEqual(4_096);
    expect(traceRequests(agent).every((r) => r.status === 200)).toBe(true);
  });

  test("a chunk larger than the cap is dropped as too_large; the rest is sent", async () => {
    const { agent, exporter } = setup({}, { maxTracePayloadBytes: 1_000 });
    const small: SpanInput = { fields: { service: "s", name: "n", resource: "r", traceId: 1n, spanId: 1n, start: 0, duration: 0 } };
    const huge: SpanInput = { ...small, meta: [["blob", "x".repeat(4_000)]] };
    const result = await exporter.send(buildChunks([[small], [huge], [small]]));
    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(FlagpostError);
    expect(result.error).toMatchObject({ code: "invalid_argument", field: "limits.maxTracePayloadBytes" });
    expect(result.droppedChunks).toEqual({ too_large: 1 });
    expect(result.sentChunks).toBe(2);
    expect(decodedSpans(agent).length).toBe(2);
  });

  test("a 3xx is never followed nor retried: code http_client (the agent answered; the client refuses), not timeout", async () => {
    const { agent, exporter, stats } = setup();
    agent.faults.add({ path: "/v0.5/traces", status: 307, location: "http://elsewhere.test/v0.5/traces" });
    const moved = await exporter.send(buildChunks(sample(2)));
    expect(moved).toMatchObject({ ok: false, status: 307, droppedChunks: { redirect: 2 }, requests: 1, retried: 0 });
    expect(moved.error?.code).toBe("http_client");
    expect(moved.error?.message).toContain("(redirect)");
    expect(stats.get(TRACE_EXPORTER_COUNTERS.requests, "redirect")).toBe(1);
  });

  test("client and server errors: codes http_client / http_server, counted by status, 4xx not retried", async () => {
    const { agent, exporter, stats } = setup();
    agent.faults.add({ path: "/v0.5/traces", status: 400 });
    const bad = await exporter.send(buildChunks(sample(2)));
    expect(bad).toMatchObject({ ok: false, status: 400, droppedChunks: { http_400: 2 }, requests: 1, retried: 0 });
    expect(bad.error?.code).toBe("http_client");
    agent.faults.add({ path: "/v0.5/traces", status: 500 });
    const down = await exporter.send(buildChunks(sample(2)));
    expect(down).toMatchObject({ ok: false, status: 500, droppedChunks: { http_500: 2 } });
    expect(down.error?.code).toBe("http_server");
    agent.faults.add({ path: "/v0.5/traces", status: 503, times: 3 });
    const unavailable = await exporter.send(buildChunks(sample(2)));
    expect(unavailable).toMatchObject({ ok: false, status: 503, droppedChunks: { http_503: 2 }, retried: 2 });
    expect(unavailable.error?.code).toBe("http_server");
    expect(stats.get(TRACE_EXPORTER_COUNTERS.requests, "http_400")).toBe(1);
    expect(stats.get(TRACE_EXPORTER_COUNTERS.requests, "http_503")).toBe(1);
    // The error message names the path and reason but never the agent credentials.
    for (const r of [bad, down, unavailable]) expect(r.error!.message).not.toContain("secret");
  });

  test("network errors: code network, retried, never a rejection", async () => {
    const config = resolveConfig({}, { agentUrl: "http://agent.test:8126" });
    let calls = 0;
    const failing = (() => {
      calls++;
      return Promise.reject(new TypeError("connection refused"));
    }) as unknown as typeof fetch;
    const exporter = new TraceExporter(config, { fetch: failing, retryPolicy: FAST_RETRY });
    const result = await exporter.send(buildChunks(sample(2)));
    expect(result).toMatchObject({ ok: false, version: "v0.4", droppedChunks: { network: 2 }, requests: 1, retried: 2 });
    expect(result.error?.code).toBe("network");
    expect(calls).toBe(1 + 3); // /info once, traces 3 attempts
  });

  test("ownership: a second send is a consumed error and sends nothing; a non-TraceChunks is invalid_argument", async () => {
    const { agent, exporter } = setup();
    const chunks = buildChunks(sample(2));
    expect((await exporter.send(chunks)).ok).toBe(true);
    const again = await exporter.send(chunks);
    expect(again).toMatchObject({ ok: false, sentChunks: 0, requests: 0 });
    expect(again.error?.code).toBe("consumed");
    expect(traceRequests(agent).length).toBe(1);
    const wrong = await exporter.send({} as TraceChunks);
    expect(wrong.error?.code).toBe("invalid_argument");
    // A failed send consumes too: the chunks cannot be resent as a duplicate.
    agent.faults.add({ path: "/v0.5/traces", status: 400 });
    const failed = buildChunks(sample(1));
    await exporter.send(failed);
    expect((await exporter.send(failed)).error?.code).toBe("consumed");
  });

  test("empty chunks: ok, no request at all", async () => {
    const { agent, exporter } = setup();
    const chunks = new TraceChunks();
    chunks.beginChunk();
    expect(await exporter.send(chunks)).toMatchObject({ ok: true, sentChunks: 0, requests: 0 });
    expect(agent.store.list()).toEqual([]);
  });

  test("a nonsense deadline falls back to the configured one", async () => {
    const { exporter } = setup();
    for (const deadlineMs of [Number.NaN, -5, Infinity]) {
      const result = await exporter.send(buildChunks(sample(1)), { deadlineMs });
      expect(result).toMatchObject({ ok: true, sentChunks: 1 });
    }
  });

  test("an aborted signal ends the send as deadline", async () => {
    const { exporter } = setup();
    const controller = new AbortController();
    controller.abort();
    const result = await exporter.send(buildChunks(sample(2)), { signal: controller.signal });
    expect(result.ok).toBe(false);
    expect(accounted(result)).toBe(2);
  });

  test("every chunk is delivered or counted under a reason, across faults", async () => {
    const faults = [
      undefined,
      { path: "/v0.5/traces", status: 503 },
      { path: "/v0.5/traces", status: 429, times: 5 },
      { path: "/v0.5/traces", status: 404 },
      { path: "/v0.5/traces", status: 413 },
      { path: "/v0.5/traces", dropConnection: true },
    ];
    for (const fault of faults) {
      const { agent, exporter } = setup({}, { maxTracePayloadBytes: 3_000 });
      if (fault !== undefined) agent.faults.add(fault);
      const n = 25;
      const result = await exporter.send(buildChunks(randomTraces(seeded(31), n, 3)), { deadlineMs: 2_000 });
      expect(accounted(result)).toBe(n);
      expect(decodedSpans(agent).length).toBe(result.sentChunks);
      expect(result.ok).toBe(result.sentChunks === n);
    }
  });
});

describe("TraceExporter over a real socket", () => {
  test("a real agent on 127.0.0.1 decodes the spans identically", async () => {
    const agent = await startMockAgent({ port: 0, otlpPort: 0 });
    try {
      const exporter = new TraceExporter(resolveConfig({}, { agentUrl: agent.url }));
      const traces = sample(4, 99);
      const result = await exporter.send(buildChunks(traces));
      expect(result).toMatchObject({ ok: true, status: 200, version: "v0.5", sentChunks: 4 });
      expect(result.rateByService).toEqual({ "service:,env:": 1 });
      expect(decodedSpans(agent)).toEqual(traces.map((t) => t.map((s) => expectedSpan(s))));
    } finally {
      await agent.close();
    }
  });
});
