/** POST /v1/metrics (mock-agent/handlers/otlp.ts) and the /test/metrics views. */
import { describe, expect, test } from "bun:test";
import { decodeOtlpMetricsProtobuf, OtlpDecodeError } from "../../../mock-agent/mod.ts";
import { agent, json, otlpVectorBytes, send } from "../helpers.ts";

const PROTOBUF = { "content-type": "application/x-protobuf" };

describe("OTLP metrics", () => {
  test("POST /v1/metrics answers an empty ExportMetricsServiceResponse and records the decoded request", async () => {
    const a = agent();
    const res = await send(a, "/v1/metrics", { method: "POST", headers: PROTOBUF, body: (await otlpVectorBytes()) as BodyInit });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    expect(a.store.list()[0]!.summary).toBe("feature_flag.evaluations: 1 point");
    const view = await json<{ requests: Array<{ format: string }>; evaluations: unknown[] }>(a, "/test/metrics");
    expect(view.requests.map((r) => r.format)).toEqual(["protobuf"]);
    expect(view.evaluations).toEqual([
      {
        resource: { "service.name": "svc" },
        scope: "ddtrace.openfeature",
        attributes: { "feature_flag.key": "f", "feature_flag.result.variant": "on" },
        count: 2,
        points: 1,
      },
    ]);
  });

  test("the evaluations view sums identical attribute sets across requests, whatever the attribute order", async () => {
    const point = (asInt: string, attrs: Array<[string, string]>) => ({
      asInt,
      timeUnixNano: "1",
      attributes: attrs.map(([key, v]) => ({ key, value: { stringValue: v } })),
    });
    const request = (points: unknown[]) =>
      JSON.stringify({
        resourceMetrics: [{
          scopeMetrics: [{
            scope: { name: "ddtrace.openfeature" },
            metrics: [{ name: "feature_flag.evaluations", sum: { dataPoints: points, aggregationTemporality: 1, isMonotonic: true } }],
          }],
        }],
      });
    const a = agent();
    const headers = { "content-type": "application/json" };
    await send(a, "/v1/metrics", {
      method: "POST",
      headers,
      body: request([
        point("3", [["feature_flag.key", "a"], ["feature_flag.result.variant", "on"]]),
        point("1", [["feature_flag.key", "b"]]),
      ]),
    });
    const res = await send(a, "/v1/metrics", {
      method: "POST",
      headers,
      body: request([point("4", [["feature_flag.result.variant", "on"], ["feature_flag.key", "a"]])]),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("{}");
    const { evaluations } = await json<{ evaluations: Array<{ attributes: Record<string, string>; count: number; points: number }> }>(
      a,
      "/test/metrics",
    );
    expect(evaluations.map((e) => [e.attributes["feature_flag.key"], e.count, e.points])).toEqual([["a", 7, 2], ["b", 1, 1]]);
  });

  test("a truncated protobuf is a 400 and the agent keeps serving", async () => {
    const a = agent();
    const bytes = await otlpVectorBytes();
    for (const cut of [1, 2, 10, 100, 231]) {
      const res = await send(a, "/v1/metrics", { method: "POST", headers: PROTOBUF, body: bytes.slice(0, cut) as BodyInit });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/^invalid ExportMetricsServiceRequest protobuf: .+\n$/);
    }
    expect(() => decodeOtlpMetricsProtobuf(bytes.slice(0, 50))).toThrow(OtlpDecodeError);
    expect((await send(a, "/info")).status).toBe(200);
  });

  test("invalid JSON, unknown JSON fields and other content types are rejected", async () => {
    const a = agent();
    let res = await send(a, "/v1/metrics", { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(res.status).toBe(400);
    res = await send(a, "/v1/metrics", { method: "POST", headers: { "content-type": "application/json" }, body: '{"resourceMetric":[]}' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/resourceMetric/);
    res = await send(a, "/v1/metrics", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
    expect(res.status).toBe(415);
    res = await send(a, "/v1/metrics", { method: "POST", body: "x" });
    expect(res.status).toBe(415);
    expect((await send(a, "/v1/metrics")).status).toBe(405);
  });
});
