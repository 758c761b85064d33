/**
 * Decoding OTLP metrics (mock-agent/decode/otlp-metrics.ts) called directly; over HTTP in handlers/otlp.test.ts.
 * The protobuf schema it reads with (decode/otlp-schema.ts) is checked on its own in decode/otlp-schema.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { decodeOtlpMetricsProtobuf, sumEvaluations } from "../../../mock-agent/mod.ts";
import { agent, otlpVectorBytes, send } from "../helpers.ts";

const PROTOBUF = { "content-type": "application/x-protobuf" };

describe("OTLP metrics", () => {
  test("the shared vector decodes to the fields it describes", async () => {
    const bytes = await otlpVectorBytes();
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
