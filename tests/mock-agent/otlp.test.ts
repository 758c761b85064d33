import { describe, expect, test } from "bun:test";
import { decodeOtlpMetricsProtobuf, OtlpDecodeError, sumEvaluations } from "../../mock-agent/mod.ts";
import { agent, hexToBytes, json, send } from "./helpers.ts";

const VECTOR_FILE = new URL("../data/vectors/otlp-metrics.md", import.meta.url);

async function vectorBytes(): Promise<Uint8Array> {
  const text = await Bun.file(VECTOR_FILE).text();
  const hex = /```\n([0-9a-f]+)\n```/.exec(text)?.[1];
  if (hex === undefined) throw new Error(`no hex vector in ${VECTOR_FILE.pathname}`);
  return hexToBytes(hex);
}

const PROTOBUF = { "content-type": "application/x-protobuf" };

describe("OTLP metrics", () => {
  test("the shared vector decodes to the fields it describes", async () => {
    const bytes = await vectorBytes();
    expect(bytes.length).toBe(232);
    const decoded = decodeOtlpMetricsProtobuf(bytes);
    expect(decoded).toEqual({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
          scopeMetrics: [
            {
              scope: { name: "ddtrace.openfeature" },
              metrics: [
                {
                  name: "feature_flag.evaluations",
                  description: "Number of feature flag evaluations",
                  unit: "{evaluation}",
                  sum: {
                    dataPoints: [
                      {
                        startTimeUnixNano: "1700000000000000000",
                        timeUnixNano: "1700000010000000000",
                        asInt: "2",
                        attributes: [
                          { key: "feature_flag.key", value: { stringValue: "f" } },
                          { key: "feature_flag.result.variant", value: { stringValue: "on" } },
                        ],
                      },
                    ],
                    aggregationTemporality: 1,
                    isMonotonic: true,
                  },
                },
              ],
            },
          ],
        },
      ],
    });
  });

  test("POST /v1/metrics answers an empty ExportMetricsServiceResponse and records the decoded request", async () => {
    const a = agent();
    const res = await send(a, "/v1/metrics", { method: "POST", headers: PROTOBUF, body: (await vectorBytes()) as BodyInit });
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

  test("as_int is sfixed64: negative and > 2^53 values stay exact", () => {
    // NumberDataPoint { as_int (6, I64) = -2 } inside Sum inside Metric inside ScopeMetrics inside ResourceMetrics
    const point = [0x31, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    const sum = [0x0a, point.length, ...point];
    const metric = [0x3a, sum.length, ...sum];
    const scope = [0x12, metric.length, ...metric];
    const rm = [0x12, scope.length, ...scope];
    const req = new Uint8Array([0x0a, rm.length, ...rm]);
    const decoded = decodeOtlpMetricsProtobuf(req);
    expect(decoded.resourceMetrics![0]!.scopeMetrics![0]!.metrics![0]!.sum!.dataPoints![0]!.asInt).toBe("-2");
    const big = new Uint8Array(req);
    big.set([0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00], req.length - 8); // 2^53 + 1
    expect(decodeOtlpMetricsProtobuf(big).resourceMetrics![0]!.scopeMetrics![0]!.metrics![0]!.sum!.dataPoints![0]!.asInt).toBe(
      "9007199254740993",
    );
    expect(sumEvaluations([decodeOtlpMetricsProtobuf(req)], "")).toEqual([
      { resource: {}, scope: "", attributes: {}, count: -2, points: 1 },
    ]);
  });

  test("a truncated protobuf is a 400 and the agent keeps serving", async () => {
    const a = agent();
    const bytes = await vectorBytes();
    for (const cut of [1, 2, 10, 100, 231]) {
      const res = await send(a, "/v1/metrics", { method: "POST", headers: PROTOBUF, body: bytes.slice(0, cut) as BodyInit });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/^invalid ExportMetricsServiceRequest protobuf: .+\n$/);
    }
    expect(() => decodeOtlpMetricsProtobuf(bytes.slice(0, 50))).toThrow(OtlpDecodeError);
    expect((await send(a, "/info")).status).toBe(200);
  });

  test("deeply nested AnyValue arrays are rejected, not a stack overflow", async () => {
    // KeyValue.value = AnyValue{array_value = ArrayValue{values=[AnyValue{array_value=...}]}} nested 200 deep
    let inner: number[] = [];
    for (let i = 0; i < 200; i++) {
      const array = [0x0a, ...varint(inner.length), ...inner]; // ArrayValue.values (1)
      inner = [0x2a, ...varint(array.length), ...array]; // AnyValue.array_value (5)
    }
    const kv = [0x0a, 0x01, 0x6b, 0x12, ...varint(inner.length), ...inner];
    const resource = [0x0a, ...varint(kv.length), ...kv];
    const rm = [0x0a, ...varint(resource.length), ...resource];
    const req = new Uint8Array([0x0a, ...varint(rm.length), ...rm]);
    const res = await send(agent(), "/v1/metrics", { method: "POST", headers: PROTOBUF, body: req as BodyInit });
    expect(res.status).toBe(400);
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

  test("OTLP is not served by the APM-only app, nor traces by the OTLP-only app", async () => {
    const a = agent();
    const bytes = await vectorBytes();
    expect(
      (await a.apmApp.fetch(new Request("http://a/v1/metrics", { method: "POST", headers: PROTOBUF, body: bytes as BodyInit }))).status,
    ).toBe(404);
    expect((await a.otlpApp.fetch(new Request("http://a/info"))).status).toBe(404);
    expect((await a.otlpApp.fetch(new Request("http://a/test/stats"))).status).toBe(200);
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
