/**
 * Evaluation metrics on every runtime: flags evaluated with the UFC
 * evaluator become `EvaluationRecord`s, `EvaluationMetrics` aggregates them
 * and sends OTLP/HTTP (protobuf, then JSON) to the mock agent, through a 503
 * that is retried and a 400 that drops its window. On Node, Deno and Bun the
 * agent listens on a real socket and the global fetch is used; on workerd it
 * runs in-process. Every runtime must make the agent sum the same counts,
 * and encode the same bytes for a fixed request (sfixed64 past 2^53, UTF-8).
 */
import type { EvaluationRecord } from "../../../mod.ts";
import type { Runtime, ScenarioInputs, ScenarioPart } from "../types.ts";

const UFC = {
  format: "SERVER",
  flags: {
    checkout: {
      key: "checkout",
      enabled: true,
      variationType: "STRING",
      variations: { on: { key: "on", value: "on" }, off: { key: "off", value: "off" } },
      allocations: [
        {
          key: "beta",
          rules: [{ conditions: [{ attribute: "tier", operator: "ONE_OF", value: ["gold"] }] }],
          splits: [{ variationKey: "on", shards: [] }],
          doLog: true,
        },
        { key: "rest", splits: [{ variationKey: "off", shards: [] }], doLog: true },
      ],
    },
    disabled: { key: "disabled", enabled: false, variationType: "BOOLEAN", variations: {}, allocations: [] },
  },
};

const NOW = 1_700_000_000_000;

export const part: ScenarioPart = {
  name: "metrics",

  async run({ runtime, modules: { flagpost, ufc, mockAgent } }) {
    const inProcess = runtime === "workerd";
    const local = inProcess ? undefined : await mockAgent.startMockAgent({ port: 0, otlpPort: 0, host: "127.0.0.1" });
    const agent = local ?? mockAgent.createMockAgent();
    const agentFetch = ((input: RequestInfo | URL, init?: RequestInit) => agent.app.fetch(new Request(input, init))) as typeof fetch;
    const base = local?.otlpUrl ?? "http://agent.test";
    const view = async () => {
      const res = local === undefined
        ? await agent.app.fetch(new Request("http://agent.test/test/metrics"))
        : await fetch(`${local.url}/test/metrics`);
      return (await res.json()) as {
        requests: Array<{ format: string }>;
        evaluations: Array<{ attributes: Record<string, string>; count: number }>;
      };
    };
    try {
      const out: Record<string, unknown> = {};
      const config = ufc.parseConfiguration(UFC);
      const record = (flagKey: string, type: "string" | "boolean", def: unknown, tier: string): EvaluationRecord => {
        const r = ufc.evaluateFlag(config, flagKey, type, def, { targetingKey: `user-${tier}`, tier }, NOW);
        return {
          flagKey,
          variant: r.variant,
          value: r.value,
          reason: r.reason,
          errorCode: r.errorCode,
          allocationKey: r.allocationKey,
          serialId: r.serialId,
          doLog: r.doLog,
          targetingKey: `user-${tier}`,
          attributes: { tier },
          timestamp: NOW,
        };
      };
      const stats = new flagpost.StatsRegistry();
      const env = { DD_SERVICE: "matrix", DD_METRICS_OTEL_ENABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: base };
      const metrics = new flagpost.EvaluationMetrics(flagpost.resolveConfig(env), {
        stats,
        ...(inProcess ? { fetch: agentFetch } : {}),
      });
      for (let i = 0; i < 30; i++) {
        metrics.record(record("checkout", "string", "default", i % 3 === 0 ? "gold" : "silver"));
        if (i % 5 === 0) metrics.record(record("disabled", "boolean", false, "gold"));
        if (i % 10 === 0) metrics.record(record("missing", "string", "x", "gold"));
      }
      metrics.record(record("", "string", "x", "gold")); // empty key: rejected and counted

      agent.faults.add({ path: "/v1/metrics", status: 503, retryAfter: 0 });
      const first = await metrics.flush({ deadlineMs: 5_000 });
      out["flush.retried"] = [first.sent, first.retried, first.requests, first.evaluations.sent];

      agent.faults.add({ path: "/v1/metrics", status: 400 });
      metrics.record(record("checkout", "string", "default", "gold"));
      const second = await metrics.flush();
      out["flush.400"] = [second.sent, second.dropped, second.evaluations.dropped];

      const jsonMetrics = new flagpost.EvaluationMetrics(
        flagpost.resolveConfig({ ...env, OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/json" }),
        inProcess ? { fetch: agentFetch } : {},
      );
      jsonMetrics.record(record("checkout", "string", "default", "gold"));
      out["flush.json"] = (await jsonMetrics.flush()).sent;

      const seen = await view();
      out["agent.formats"] = seen.requests.map((r) => r.format);
      out["agent.sums"] = seen.evaluations.map((e) => [
        e.attributes["feature_flag.key"],
        e.attributes["feature_flag.result.variant"],
        e.attributes["feature_flag.result.reason"],
        e.attributes["error.type"] ?? null,
        e.attributes["feature_flag.result.allocation_key"] ?? null,
        e.count,
      ]);
      const s = stats.snapshot();
      out["stats"] = [s["metrics.evaluations.received"]?.[""], s["metrics.evaluations.sent"]?.[""], s["metrics.evaluations.dropped"]];

      const fixed = flagpost.encodeOtlpMetrics(
        { service: "sérvice", env: "prod" },
        [{ attributes: [["feature_flag.key", "日本🚀"], ["feature_flag.result.variant", ""]], count: 2n ** 53n + 1n }],
        { startMs: NOW, endMs: NOW + 10_000 },
      );
      const decoded = mockAgent.decodeOtlpMetricsProtobuf(fixed);
      const point = decoded.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0]?.sum?.dataPoints?.[0];
      out["encode.fixed"] = [
        decoded.resourceMetrics?.[0]?.scopeMetrics?.[0]?.scope?.name,
        decoded.resourceMetrics?.[0]?.resource?.attributes?.map((kv) => kv.value?.["stringValue"]),
        point?.attributes?.map((kv) => kv.value?.["stringValue"]),
        point?.asInt,
        point?.startTimeUnixNano,
      ];
      return out;
    } finally {
      await local?.close();
    }
  },

  expected(_inputs: ScenarioInputs, _runtime: Runtime) {
    return {
      "flush.retried": [4, 1, 1, 39],
      "flush.400": [0, { http_400: 1 }, { http_400: 1 }],
      "flush.json": 1,
      "agent.formats": ["protobuf", "json"],
      // In first-seen order; the JSON request's point adds to the protobuf one with the same attributes.
      "agent.sums": [
        ["checkout", "on", "targeting_match", null, "beta", 10 + 1],
        ["disabled", "", "disabled", null, null, 6],
        ["missing", "", "error", "flag_not_found", null, 3],
        ["checkout", "off", "static", null, "rest", 20],
      ],
      // received 30 + 6 + 3 + 1 empty key + 1 later; sent 39; dropped: the 400 window and the empty key.
      "stats": [41, 39, { http_400: 1, invalid: 1 }],
      "encode.fixed": ["ddtrace.openfeature", ["sérvice", "prod"], ["日本🚀", ""], "9007199254740993", "1700000000000000000"],
    };
  },
};
