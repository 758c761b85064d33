import { describe, expect, test } from "bun:test";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { encodeOtlpMetrics, type MetricPoint } from "../../mod.ts";
import { otlpMessage } from "../../mock-agent/decode/otlp-schema.ts";
import { hexToBytes } from "../mock-agent/helpers.ts";
import { readData } from "../support/data.ts";
import { flagpostErrorOf } from "../support/errors.ts";
import { decodeRequest } from "./_helpers.ts";

const WINDOW = { startMs: 1_700_000_000_000, endMs: 1_700_000_010_000 };
const vectorHex = () => /```\n([0-9a-f]+)\n```/.exec(readData("vectors/otlp-metrics.md"))![1]!;

describe("encodeOtlpMetrics", () => {
  test("every field decodes with @bufbuild/protobuf against the OTLP schema", () => {
    const points: MetricPoint[] = [
      {
        attributes: [
          ["feature_flag.key", "checkout"],
          ["feature_flag.result.variant", "on"],
          ["feature_flag.result.reason", "targeting_match"],
          ["feature_flag.result.allocation_key", "beta"],
        ],
        count: 5,
      },
      {
        attributes: [
          ["feature_flag.key", "checkout"],
          ["feature_flag.result.variant", ""],
          ["feature_flag.result.reason", "error"],
          ["error.type", "flag_not_found"],
        ],
        count: 1,
      },
    ];
    const decoded = decodeRequest(encodeOtlpMetrics({ service: "shop", env: "prod", version: "1.2.3" }, points, WINDOW));
    expect(decoded).toEqual({
      resourceMetrics: [{
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: "shop" } },
            { key: "deployment.environment.name", value: { stringValue: "prod" } },
            { key: "service.version", value: { stringValue: "1.2.3" } },
          ],
        },
        scopeMetrics: [{
          scope: { name: "ddtrace.openfeature" },
          metrics: [{
            name: "feature_flag.evaluations",
            description: "Number of feature flag evaluations",
            unit: "{evaluation}",
            sum: {
              dataPoints: points.map((p) => ({
                startTimeUnixNano: "1700000000000000000",
                timeUnixNano: "1700000010000000000",
                asInt: String(p.count),
                attributes: p.attributes.map(([key, v]) => ({ key, value: { stringValue: v } })),
              })),
              aggregationTemporality: 1,
              isMonotonic: true,
            },
          }],
        }],
      }],
    });
  });

  test("the shared vector: decoding it and re-encoding the same message gives the same decoded message", () => {
    const vector = hexToBytes(vectorHex());
    const fromVector = decodeRequest(vector);
    const point = fromVector.resourceMetrics![0]!.scopeMetrics![0]!.metrics![0]!.sum!.dataPoints![0]!;
    const ours = encodeOtlpMetrics(
      { service: "svc" },
      [{
        attributes: point.attributes!.map((kv) => [kv.key!, String(kv.value!["stringValue"])] as const),
        count: Number(point.asInt),
      }],
      { startMs: Number(BigInt(point.startTimeUnixNano!) / 1_000_000n), endMs: Number(BigInt(point.timeUnixNano!) / 1_000_000n) },
    );
    expect(decodeRequest(ours)).toEqual(fromVector);
    // The vector writes dropped_attributes_count = 0 explicitly (2 bytes); we omit default fields.
    expect(vector.length - ours.length).toBe(2);
    // And the bytes are canonical: @bufbuild/protobuf re-serializes our message to exactly our bytes.
    const desc = otlpMessage("ExportMetricsServiceRequest");
    expect([...toBinary(desc, fromBinary(desc, ours))]).toEqual([...ours]);
  });

  test("counts above 2^53 (bigint) and at the sfixed64 maximum round-trip exactly", () => {
    const counts = [0, 1, 2 ** 32, Number.MAX_SAFE_INTEGER, 2n ** 53n + 1n, 2n ** 63n - 1n];
    const bytes = encodeOtlpMetrics({}, counts.map((count) => ({ attributes: [["feature_flag.key", "f"]], count })), WINDOW);
    const decoded = decodeRequest(bytes);
    expect(decoded.resourceMetrics![0]!.resource).toBeUndefined();
    const asInts = decoded.resourceMetrics![0]!.scopeMetrics![0]!.metrics![0]!.sum!.dataPoints!.map((p) => p.asInt ?? "0");
    expect(asInts).toEqual(counts.map(String));
  });

  test("UTF-8 keys and values round-trip; a lone surrogate becomes U+FFFD like TextEncoder", () => {
    const values = ["é", "日本語", "🚀 launch", "a\u0000b", "x".repeat(300), "lone\ud800", "\udc00tail"];
    const points = values.map((v) => ({ attributes: [[`clé-${v}`, v]] as Array<[string, string]>, count: 1 }));
    const decoded = decodeRequest(encodeOtlpMetrics({ service: "sérvice-日本" }, points, WINDOW));
    const rm = decoded.resourceMetrics![0]!;
    expect(rm.resource!.attributes).toEqual([{ key: "service.name", value: { stringValue: "sérvice-日本" } }]);
    const roundTrip = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));
    expect(rm.scopeMetrics![0]!.metrics![0]!.sum!.dataPoints!.map((p) => p.attributes![0])).toEqual(
      values.map((v) => ({ key: roundTrip(`clé-${v}`), value: { stringValue: roundTrip(v) } })),
    );
  });

  test("empty resource fields are omitted; an empty variant is still sent", () => {
    const decoded = decodeRequest(
      encodeOtlpMetrics({ service: "", env: undefined, version: "2" }, [{
        attributes: [["feature_flag.key", "f"], ["feature_flag.result.variant", ""]],
        count: 1,
      }], WINDOW),
    );
    expect(decoded.resourceMetrics![0]!.resource!.attributes).toEqual([{ key: "service.version", value: { stringValue: "2" } }]);
    expect(decoded.resourceMetrics![0]!.scopeMetrics![0]!.metrics![0]!.sum!.dataPoints![0]!.attributes![1]).toEqual({
      key: "feature_flag.result.variant",
      value: { stringValue: "" },
    });
  });

  test("a fractional millisecond window keeps microsecond precision", () => {
    const decoded = decodeRequest(encodeOtlpMetrics({}, [{ attributes: [], count: 1 }], { startMs: 1.5, endMs: 1_700_000_000_123.456 }));
    const p = decoded.resourceMetrics![0]!.scopeMetrics![0]!.metrics![0]!.sum!.dataPoints![0]!;
    expect([p.startTimeUnixNano, p.timeUnixNano]).toEqual(["1500000", "1700000000123456000"]);
  });

  test("a large request (many points, long varint lengths) decodes point for point", () => {
    const points = Array.from({ length: 3_000 }, (_, i) => ({
      attributes: [["feature_flag.key", `flag-${i}`], ["feature_flag.result.variant", "v".repeat(i % 200)]] as Array<[string, string]>,
      count: i + 1,
    }));
    const dataPoints = decodeRequest(encodeOtlpMetrics({ service: "s" }, points, WINDOW)).resourceMetrics![0]!.scopeMetrics![0]!
      .metrics![0]!
      .sum!.dataPoints!;
    expect(dataPoints.length).toBe(3_000);
    expect(dataPoints.map((p) => [p.attributes![0]!.value!["stringValue"], p.attributes![1]!.value!["stringValue"], p.asInt])).toEqual(
      points.map((p) => [p.attributes[0]![1], p.attributes[1]![1], String(p.count)]),
    );
  });

  test("bad input is a FlagpostError naming the field", () => {
    const cases: Array<[() => unknown, string]> = [
      [() => encodeOtlpMetrics({}, [{ attributes: [], count: -1 }], WINDOW), "points[0].count"],
      [() => encodeOtlpMetrics({}, [{ attributes: [], count: 1.5 }], WINDOW), "points[0].count"],
      [() => encodeOtlpMetrics({}, [{ attributes: [], count: 2n ** 63n }], WINDOW), "points[0].count"],
      [() => encodeOtlpMetrics({}, [{ attributes: [["k", 1 as unknown as string]], count: 1 }], WINDOW), "points[0].attributes[0]"],
      [() => encodeOtlpMetrics({}, "nope" as unknown as MetricPoint[], WINDOW), "points"],
      [() => encodeOtlpMetrics({}, [], { startMs: 10, endMs: 5 }), "window.endMs"],
      [() => encodeOtlpMetrics({}, [], { startMs: Number.NaN, endMs: 5 }), "window.startMs"],
      [() => encodeOtlpMetrics({ service: 3 as unknown as string }, [], WINDOW), "resource.service"],
    ];
    for (const [run, field] of cases) {
      const error = flagpostErrorOf(run);
      expect(error.code).toBe("invalid_argument");
      expect(error.field).toBe(field);
      expect(error.message).toContain(field);
    }
  });

  test("zero points still make a valid request (an empty Sum)", () => {
    const metric = decodeRequest(encodeOtlpMetrics({ service: "s" }, [], WINDOW)).resourceMetrics![0]!.scopeMetrics![0]!.metrics![0]!;
    expect(metric.name).toBe("feature_flag.evaluations");
    expect(metric.sum).toEqual({ aggregationTemporality: 1, isMonotonic: true });
  });
});
