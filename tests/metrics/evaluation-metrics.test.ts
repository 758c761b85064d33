import { describe, expect, test } from "bun:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { EvaluationMetrics, FlagpostError, resolveConfig, StatsRegistry } from "../../mod.ts";
import type { EnvRecord, MetricsFlushReport } from "../../mod.ts";
import { createMockAgent, type MockAgent } from "../../mock-agent/app.ts";
import { startMockAgent } from "../../mock-agent/server.ts";
import { otlpMessage } from "../../mock-agent/decode/otlp-schema.ts";
import { agentFetch, evaluation, received } from "./_helpers.ts";

const ENV: EnvRecord = {
  DD_SERVICE: "shop",
  DD_ENV: "prod",
  DD_VERSION: "1.0.0",
  DD_METRICS_OTEL_ENABLED: "true",
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://agent.test/v1/metrics",
  OTEL_EXPORTER_OTLP_METRICS_HEADERS: "x-team=flags,api-key=k",
};

function setup(env: EnvRecord = {}, options: { enabled?: boolean; fetch?: typeof fetch } = {}) {
  const agent = createMockAgent();
  const stats = new StatsRegistry();
  const metrics = new EvaluationMetrics(resolveConfig({ ...ENV, ...env }), { fetch: agentFetch(agent), stats, ...options });
  return { agent, stats, metrics };
}

const metricRequests = (agent: MockAgent) => agent.store.list().filter((r) => r.path === "/v1/metrics");

/** received = sent + dropped (every reason) + pending: nothing is lost silently. */
function expectAccounted(stats: StatsRegistry, metrics: EvaluationMetrics): void {
  expect(stats.get("metrics.evaluations.received")).toBe(
    stats.get("metrics.evaluations.sent") + stats.get("metrics.evaluations.dropped") + metrics.pending,
  );
}

describe("EvaluationMetrics: delivery", () => {
  test("POSTs one protobuf request with the configured headers; the collector sums the same counts", async () => {
    const { agent, stats, metrics } = setup();
    metrics.record(evaluation());
    metrics.record(evaluation({ reason: "targeting_match" }));
    metrics.record(evaluation({ variant: "off", allocationKey: undefined, reason: "DEFAULT" }));
    const report = await metrics.flush();
    expect(report).toMatchObject({ sent: 2, dropped: {}, retried: 0, requests: 1, pending: 0, rejected: 0 });
    expect(report.evaluations).toEqual({ sent: 3, dropped: {}, pending: 0 });
    const [req] = metricRequests(agent);
    expect(req!.headers["content-type"]).toBe("application/x-protobuf");
    expect(req!.headers["x-team"]).toBe("flags");
    expect(req!.headers["api-key"]).toBe("k");
    const { evaluations } = await received(agent);
    expect(evaluations).toEqual([
      {
        resource: { "service.name": "shop", "deployment.environment.name": "prod", "service.version": "1.0.0" },
        scope: "ddtrace.openfeature",
        attributes: {
          "feature_flag.key": "checkout",
          "feature_flag.result.variant": "on",
          "feature_flag.result.reason": "targeting_match",
          "feature_flag.result.allocation_key": "beta",
        },
        count: 2,
        points: 1,
      },
      {
        resource: { "service.name": "shop", "deployment.environment.name": "prod", "service.version": "1.0.0" },
        scope: "ddtrace.openfeature",
        attributes: { "feature_flag.key": "checkout", "feature_flag.result.variant": "off", "feature_flag.result.reason": "default" },
        count: 1,
        points: 1,
      },
    ]);
    expect(stats.get("metrics.points.sent")).toBe(2);
    expectAccounted(stats, metrics);
  });

  test("an empty window sends nothing", async () => {
    const { agent, metrics } = setup();
    const report = await metrics.flush();
    expect(report).toMatchObject({ sent: 0, requests: 0, pending: 0 });
    expect(metricRequests(agent)).toEqual([]);
  });

  test("http/json: OTLP/JSON body with Content-Type application/json, same sums", async () => {
    const { agent, metrics } = setup({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/json" });
    for (let i = 0; i < 4; i++) metrics.record(evaluation());
    const report = await metrics.flush();
    expect(report.sent).toBe(1);
    expect(metricRequests(agent)[0]!.headers["content-type"]).toBe("application/json");
    const view = await received(agent);
    expect(view.requests.map((r) => r.format)).toEqual(["json"]);
    expect(view.evaluations.map((e) => e.count)).toEqual([4]);
  });

  test("the generic OTEL_EXPORTER_OTLP_PROTOCOL=http/json applies too; grpc is refused at configuration", () => {
    expect(resolveConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }).otlpMetrics.protocol).toBe("http/json");
    expect(() => resolveConfig({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "grpc" })).toThrow(/grpc is not supported/);
  });

  test("an empty flag key is rejected and counted; recording never throws", () => {
    const { stats, metrics } = setup();
    metrics.record(evaluation({ flagKey: "" }));
    metrics.record(null as never);
    metrics.record({
      flagKey: {
        toString: () => {
          throw new Error("boom");
        },
      },
    } as never);
    expect(stats.get("metrics.evaluations.dropped", "invalid")).toBe(3);
    expect(metrics.pending).toBe(0);
    expectAccounted(stats, metrics);
  });

  test("over a real socket: endpoint from OTEL_EXPORTER_OTLP_ENDPOINT + /v1/metrics, global fetch", async () => {
    const agent = await startMockAgent({ port: 0, otlpPort: 0, host: "127.0.0.1" });
    try {
      const stats = new StatsRegistry();
      const metrics = new EvaluationMetrics(
        resolveConfig({ DD_SERVICE: "shop", DD_METRICS_OTEL_ENABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: agent.otlpUrl }),
        { stats },
      );
      for (let i = 0; i < 7; i++) metrics.record(evaluation({ flagKey: `f${i % 2}` }));
      const report = await metrics.flush();
      expect(report).toMatchObject({ sent: 2, requests: 1 });
      const view = (await (await fetch(`${agent.url}/test/metrics`)).json()) as { evaluations: Array<{ count: number }> };
      expect(view.evaluations.map((e) => e.count)).toEqual([4, 3]);
      expectAccounted(stats, metrics);
    } finally {
      await agent.close();
    }
  });
});

describe("EvaluationMetrics: failures", () => {
  test("503 with Retry-After: 1, then 200 → retried after the delay, counts delivered once", async () => {
    const { agent, stats, metrics } = setup();
    agent.faults.add({ path: "/v1/metrics", status: 503, retryAfter: 1 });
    for (let i = 0; i < 5; i++) metrics.record(evaluation());
    const report = await metrics.flush({ deadlineMs: 5_000 });
    expect(report).toMatchObject({ sent: 1, retried: 1, requests: 1, pending: 0 });
    const requests = metricRequests(agent);
    expect(requests.map((r) => r.status)).toEqual([503, 200]);
    expect(requests[1]!.time - requests[0]!.time).toBeGreaterThanOrEqual(990); // Retry-After honoured, not backoff
    expect((await received(agent)).evaluations.map((e) => e.count)).toEqual([5]);
    expectAccounted(stats, metrics);
  });

  test("429 and 502/504 are retried too", async () => {
    for (const status of [429, 502, 504]) {
      const { agent, metrics } = setup();
      agent.faults.add({ path: "/v1/metrics", status, retryAfter: 0 });
      metrics.record(evaluation());
      const report = await metrics.flush();
      expect([status, report.retried, report.sent]).toEqual([status, 1, 1]);
      expect(metricRequests(agent).map((r) => r.status)).toEqual([status, 200]);
    }
  });

  test("400 is never retried: the window is dropped and counted", async () => {
    const { agent, stats, metrics } = setup();
    agent.faults.add({ path: "/v1/metrics", status: 400, times: 5 });
    metrics.record(evaluation());
    metrics.record(evaluation({ variant: "off" }));
    metrics.record(evaluation({ variant: "off" }));
    const report = await metrics.flush();
    expect(report).toMatchObject({ sent: 0, dropped: { http_400: 2 }, retried: 0, requests: 1, pending: 0 });
    expect(report.evaluations).toEqual({ sent: 0, dropped: { http_400: 3 }, pending: 0 });
    expect(metricRequests(agent).length).toBe(1);
    expect(stats.get("metrics.evaluations.dropped", "http_400")).toBe(3);
    expect(stats.get("metrics.points.dropped", "http_400")).toBe(2);
    // The next flush has nothing left to resend.
    expect((await metrics.flush()).requests).toBe(0);
    expectAccounted(stats, metrics);
  });

  test("500 and other non-retryable statuses drop the window with their own reason", async () => {
    const { agent, stats, metrics } = setup();
    agent.faults.add({ path: "/v1/metrics", status: 500 });
    metrics.record(evaluation());
    const report = await metrics.flush();
    expect(report.dropped).toEqual({ http_500: 1 });
    expect(stats.get("metrics.evaluations.dropped", "http_500")).toBe(1);
    expectAccounted(stats, metrics);
  });

  test("a retryable failure that outlasts the flush keeps the counts: they merge into the next flush, sent once", async () => {
    const { agent, stats, metrics } = setup();
    agent.faults.add({ path: "/v1/metrics", status: 503, times: 3, retryAfter: 0 });
    for (let i = 0; i < 4; i++) metrics.record(evaluation());
    metrics.record(evaluation({ variant: "off" }));
    const first = await metrics.flush();
    expect(first).toMatchObject({ sent: 0, dropped: {}, requests: 1, retried: 2, pending: 2 });
    expect(first.evaluations).toEqual({ sent: 0, dropped: {}, pending: 5 });
    expect(stats.get("metrics.evaluations.retained", "http_503")).toBe(5);
    expectAccounted(stats, metrics);

    metrics.record(evaluation());
    metrics.record(evaluation({ flagKey: "new" }));
    const second = await metrics.flush();
    expect(second).toMatchObject({ sent: 3, pending: 0 });
    expect(second.evaluations.sent).toBe(7);
    const sums = (await received(agent)).evaluations.map((
      e,
    ) => [e.attributes["feature_flag.key"], e.attributes["feature_flag.result.variant"], e.count]);
    expect(sums).toEqual([["checkout", "on", 5], ["checkout", "off", 1], ["new", "on", 1]]);
    // One window start: the merged point starts where the failed window started.
    const points = (await received(agent)).requests[0]!.request.resourceMetrics![0]!.scopeMetrics![0]!.metrics![0]!.sum!.dataPoints!;
    expect(new Set(points.map((p) => p.startTimeUnixNano)).size).toBe(1);
    expectAccounted(stats, metrics);
  });

  test("network errors (dropped connections) are retried, then retained", async () => {
    const { agent, stats, metrics } = setup();
    agent.faults.add({ path: "/v1/metrics", dropConnection: true, times: 3 });
    metrics.record(evaluation());
    const first = await metrics.flush();
    expect(first).toMatchObject({ sent: 0, retried: 2, pending: 1 });
    expect(stats.get("metrics.evaluations.retained", "network")).toBe(1);
    expect((await metrics.flush()).sent).toBe(1);
    expect((await received(agent)).evaluations.map((e) => e.count)).toEqual([1]);
    expectAccounted(stats, metrics);
  });

  test("a hung collector (real socket): flush returns at its deadline; the counts it may have received are dropped, never sent twice", async () => {
    const agent = await startMockAgent({ port: 0, otlpPort: 0, host: "127.0.0.1" });
    try {
      agent.faults.add({ path: "/v1/metrics", delayMs: 30_000 });
      const stats = new StatsRegistry();
      const metrics = new EvaluationMetrics(
        resolveConfig({ DD_METRICS_OTEL_ENABLED: "true", OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${agent.otlpUrl}/v1/metrics` }),
        { stats },
      );
      metrics.record(evaluation());
      let guard: ReturnType<typeof setTimeout> | undefined;
      const outcome = await Promise.race([
        metrics.flush({ deadlineMs: 300 }),
        new Promise<"hung">((resolve) => (guard = setTimeout(() => resolve("hung"), 10_000))),
      ]);
      clearTimeout(guard);
      expect(outcome).not.toBe("hung");
      const report = outcome as MetricsFlushReport;
      expect(report).toMatchObject({ sent: 0, dropped: { deadline: 1 }, pending: 0 });
      expect(stats.get("metrics.evaluations.dropped", "deadline")).toBe(1);
      expect(stats.get("metrics.evaluations.retained")).toBe(0);
      expectAccounted(stats, metrics);
    } finally {
      await agent.close();
    }
  });

  test("an aborted flush signal ends the wait after a 503; counts are kept (the collector said later)", async () => {
    const { agent, stats, metrics } = setup();
    agent.faults.add({ path: "/v1/metrics", status: 503, retryAfter: 2 });
    metrics.record(evaluation());
    const controller = new AbortController();
    const flushing = metrics.flush({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const report = await flushing;
    expect(report.sent).toBe(0);
    expect(metrics.pending).toBe(1);
    expectAccounted(stats, metrics);
  });
});

describe("EvaluationMetrics: partial success", () => {
  function partialSuccessFetch(agent: MockAgent, rejected: bigint, json: boolean): typeof fetch {
    const inner = agentFetch(agent);
    return (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await inner(input, init);
      await res.body?.cancel();
      const desc = otlpMessage("ExportMetricsServiceResponse");
      const message = create(desc, { partialSuccess: { rejectedDataPoints: rejected, errorMessage: "attribute too long" } } as never);
      const body = json
        ? JSON.stringify({ partialSuccess: { rejectedDataPoints: String(rejected), errorMessage: "attribute too long" } })
        : toBinary(desc, message);
      return new Response(body as BodyInit, { status: 200 });
    }) as typeof fetch;
  }

  for (const json of [false, true]) {
    test(`a 200 with partial_success.rejected_data_points is counted as rejected, not retried (${json ? "json" : "protobuf"})`, async () => {
      const agent = createMockAgent();
      const stats = new StatsRegistry();
      const env = json ? { ...ENV, OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/json" } : ENV;
      const metrics = new EvaluationMetrics(resolveConfig(env), { stats, fetch: partialSuccessFetch(agent, 2n, json) });
      for (const variant of ["a", "b", "c"]) metrics.record(evaluation({ variant }));
      const report = await metrics.flush();
      expect(report).toMatchObject({ sent: 1, rejected: 2, dropped: { rejected: 2 }, retried: 0, requests: 1, pending: 0 });
      expect(stats.get("metrics.points.rejected", "partial_success")).toBe(2);
      expect(metricRequests(agent).length).toBe(1);
      expectAccounted(stats, metrics);
    });
  }
  test("a partial_success message that echoes a secret header is logged with the secret masked", async () => {
    const secret = "0123456789abcdef0123456789abcdef";
    const lines: string[] = [];
    const logger = { debug: () => {}, warn: (m: string, d?: unknown) => void lines.push(`${m} ${JSON.stringify(d)}`), error: () => {} };
    const desc = otlpMessage("ExportMetricsServiceResponse");
    const echoing = (() => {
      const message = create(desc, { partialSuccess: { rejectedDataPoints: 1n, errorMessage: `unknown key ${secret}` } } as never);
      return Promise.resolve(new Response(toBinary(desc, message) as BodyInit, { status: 200 }));
    }) as unknown as typeof fetch;
    const env = { ...ENV, OTEL_EXPORTER_OTLP_METRICS_HEADERS: `dd-api-key=${secret}` };
    const metrics = new EvaluationMetrics(resolveConfig(env), { fetch: echoing, logger });
    metrics.record(evaluation());
    expect(await metrics.flush()).toMatchObject({ rejected: 1 });
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain("unknown key ***");
    expect(lines[0]).not.toContain(secret);
  });

  test("a 200 whose body is cut off before its end: the collector accepted the counts, so they are sent, never kept to be sent twice", async () => {
    const agent = createMockAgent();
    const stats = new StatsRegistry();
    const inner = agentFetch(agent);
    const cutOff = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await inner(input, init);
      await res.body?.cancel();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array([0x0a, 0x05, 0x08]));
          controller.error(new Error("connection reset"));
        },
      });
      return new Response(body, { status: 200 });
    }) as typeof fetch;
    const metrics = new EvaluationMetrics(resolveConfig(ENV), { stats, fetch: cutOff });
    metrics.record(evaluation());
    const report = await metrics.flush({ deadlineMs: 200 });
    expect(report.sent).toBe(1);
    expect(stats.get("metrics.evaluations.sent")).toBe(1);
    expect(metrics.pending).toBe(0);
    expect(stats.get("metrics.evaluations.retained")).toBe(0);
    expectAccounted(stats, metrics);
  });

  test("a success body is read only up to the cap: a huge 200 is still a plain success", async () => {
    const agent = createMockAgent();
    const stats = new StatsRegistry();
    const inner = agentFetch(agent);
    const huge = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await inner(input, init);
      await res.body?.cancel();
      return new Response(new Uint8Array(1_000_000), { status: 200 });
    }) as typeof fetch;
    const metrics = new EvaluationMetrics(resolveConfig(ENV), { stats, fetch: huge });
    metrics.record(evaluation());
    expect(await metrics.flush()).toMatchObject({ sent: 1, rejected: 0, dropped: {} });
    expectAccounted(stats, metrics);
  });
});

describe("EvaluationMetrics: enablement", () => {
  test("follows DD_METRICS_OTEL_ENABLED (default off); disabled means no work and no request", async () => {
    const { agent, stats, metrics } = setup({ DD_METRICS_OTEL_ENABLED: undefined });
    expect(metrics.enabled).toBe(false);
    metrics.record(evaluation());
    expect(await metrics.flush()).toMatchObject({ sent: 0, requests: 0 });
    expect(metricRequests(agent)).toEqual([]);
    expect(stats.snapshot()).toEqual({});
  });

  test("an explicit option overrides the environment, both ways", async () => {
    expect(setup({ DD_METRICS_OTEL_ENABLED: "true" }, { enabled: false }).metrics.enabled).toBe(false);
    const { agent, metrics } = setup({ DD_METRICS_OTEL_ENABLED: "false" }, { enabled: true });
    expect(metrics.enabled).toBe(true);
    metrics.record(evaluation());
    expect((await metrics.flush()).sent).toBe(1);
    expect(metricRequests(agent).length).toBe(1);
  });

  test("bad constructor input is a FlagpostError naming the field", () => {
    const config = resolveConfig(ENV);
    expect(() => new EvaluationMetrics({} as never)).toThrow(FlagpostError);
    expect(() => new EvaluationMetrics(config, { enabled: "yes" as never })).toThrow(/options\.enabled/);
    expect(() => new EvaluationMetrics(config, { maxOverflowFlags: 0 })).toThrow(/options\.maxOverflowFlags/);
  });
});

describe("EvaluationMetrics: accounting", () => {
  test("across mixed outcomes every recorded evaluation is sent, dropped under a reason, or pending", async () => {
    const agent = createMockAgent();
    const stats = new StatsRegistry();
    const metrics = new EvaluationMetrics(resolveConfig({ ...ENV, DD_METRICS_OTEL_ENABLED: "true" }, { limits: { maxMetricPoints: 20 } }), {
      fetch: agentFetch(agent),
      stats,
      maxOverflowFlags: 3,
    });
    const faults: Array<Parameters<MockAgent["faults"]["add"]>[0] | undefined> = [
      undefined,
      { path: "/v1/metrics", status: 503, times: 3, retryAfter: 0 },
      { path: "/v1/metrics", status: 400 },
      undefined,
      { path: "/v1/metrics", dropConnection: true, times: 3 },
      { path: "/v1/metrics", status: 413 },
      undefined,
    ];
    let n = 0;
    for (const fault of faults) {
      if (fault !== undefined) agent.faults.add(fault);
      for (let i = 0; i < 250; i++, n++) {
        metrics.record(
          evaluation({
            flagKey: n % 17 === 0 ? "" : `flag-${n % 9}`,
            variant: `v-${n % 13}`,
            reason: n % 5 === 0 ? "ERROR" : "SPLIT",
            errorCode: n % 5 === 0 ? "GENERAL" : undefined,
          }),
        );
      }
      await metrics.flush();
      expectAccounted(stats, metrics);
    }
    expect(stats.get("metrics.evaluations.received")).toBe(n);
    expect(stats.get("metrics.evaluations.dropped", "invalid")).toBeGreaterThan(0);
    expect(stats.get("metrics.evaluations.dropped", "http_400")).toBeGreaterThan(0);
    expect(stats.get("metrics.evaluations.dropped", "http_413")).toBeGreaterThan(0);
    expect(stats.get("metrics.overflow")).toBeGreaterThan(0);
    // What the collector summed is exactly what stats call sent.
    const delivered = (await received(agent)).evaluations.reduce((s, e) => s + e.count, 0);
    expect(delivered).toBe(stats.get("metrics.evaluations.sent"));
    expect(metrics.pending).toBe(0);
  });
});

describe("EvaluationMetrics: timeouts", () => {
  test("a timed-out attempt is neither retried nor kept: the collector may have counted it", async () => {
    const agent = createMockAgent();
    const stats = new StatsRegistry();
    agent.faults.add({ path: "/v1/metrics", delayMs: 5_000 });
    const env = { ...ENV, OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: "100" };
    const metrics = new EvaluationMetrics(resolveConfig(env), { stats, fetch: agent.fetch }); // rejects on abort, like fetch
    metrics.record(evaluation());
    const report = await metrics.flush({ deadlineMs: 2_000 });
    expect(report).toMatchObject({ sent: 0, retried: 0, requests: 1, dropped: { timeout: 1 }, pending: 0 });
    expect(stats.get("metrics.evaluations.dropped", "timeout")).toBe(1);
    expectAccounted(stats, metrics);
  });
});
