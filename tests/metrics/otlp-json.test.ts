import { describe, expect, test } from "bun:test";
import { encodeOtlpMetrics, encodeOtlpMetricsJson, FlagpostError, type MetricPoint } from "../../mod.ts";
import { decodeOtlpMetricsJson } from "../../mock-agent/decode/otlp-metrics.ts";
import { decodeRequest } from "./_helpers.ts";

const WINDOW = { startMs: 1_700_000_000_000, endMs: 1_700_000_010_000 };
const POINTS: MetricPoint[] = [
  {
    attributes: [["feature_flag.key", "checkout"], ["feature_flag.result.variant", "on"], ["feature_flag.result.reason", "static"]],
    count: 3,
  },
  { attributes: [["feature_flag.key", "日本"], ["feature_flag.result.variant", ""]], count: 2n ** 60n },
];

describe("encodeOtlpMetricsJson", () => {
  test("OTLP/JSON mapping: lowerCamelCase keys, int64 as decimal strings, enums as integers", () => {
    const parsed = JSON.parse(encodeOtlpMetricsJson({ service: "shop", env: "prod" }, POINTS, WINDOW));
    const rm = parsed.resourceMetrics[0];
    expect(Object.keys(rm)).toEqual(["resource", "scopeMetrics"]);
    const sum = rm.scopeMetrics[0].metrics[0].sum;
    expect(sum.aggregationTemporality).toBe(1);
    expect(sum.isMonotonic).toBe(true);
    expect(sum.dataPoints[0]).toEqual({
      attributes: [
        { key: "feature_flag.key", value: { stringValue: "checkout" } },
        { key: "feature_flag.result.variant", value: { stringValue: "on" } },
        { key: "feature_flag.result.reason", value: { stringValue: "static" } },
      ],
      startTimeUnixNano: "1700000000000000000",
      timeUnixNano: "1700000010000000000",
      asInt: "3",
    });
    expect(sum.dataPoints[1].asInt).toBe(String(2n ** 60n));
  });

  test("decodes (proto3 JSON, @bufbuild/protobuf) to the same message as the protobuf encoding", () => {
    const resource = { service: "shop", env: "prod", version: "9" };
    expect(decodeOtlpMetricsJson(encodeOtlpMetricsJson(resource, POINTS, WINDOW))).toEqual(
      decodeRequest(encodeOtlpMetrics(resource, POINTS, WINDOW)),
    );
  });

  test("rejects the same bad input as the protobuf encoder", () => {
    expect(() => encodeOtlpMetricsJson({}, [{ attributes: [], count: -2 }], WINDOW)).toThrow(FlagpostError);
    expect(() => encodeOtlpMetricsJson({}, [{ attributes: [["k"] as unknown as [string, string]], count: 1 }], WINDOW)).toThrow(
      /points\[0\]\.attributes\[0\]/,
    );
  });
});
