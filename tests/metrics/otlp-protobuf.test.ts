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

describe("encodeOtlpMetrics: one pass into a reused scratch buffer", () => {
  const desc = otlpMessage("ExportMetricsServiceRequest");
  /** @bufbuild/protobuf's own serialization of what it decoded from `bytes`: the canonical bytes. */
  const canonical = (bytes: Uint8Array) => [...toBinary(desc, fromBinary(desc, bytes))];
  const point = (attributes: Array<[string, string]>, count: number | bigint = 1): MetricPoint => ({ attributes, count });

  test("every length boundary gives canonical bytes: attributes and points around 128 and 16,384 bytes, non-ASCII, long keys", () => {
    const cases: MetricPoint[][] = [
      [point([])], // a 27-byte point: its length takes one byte, not the two reserved
      [point([["k", "v"]]), point([["feature_flag.key", "x".repeat(95)]])], // points just under and over 128 bytes
      ...[100, 101, 102, 103, 104, 105, 120, 125, 126, 127, 128, 200].map((n) => [point([["feature_flag.key", "v".repeat(n)]])]),
      [point([["feature_flag.key", "é".repeat(60)], ["feature_flag.result.variant", "日本語"], ["k", "🚀"]])],
      [point([["k".repeat(130), "v"], ["k".repeat(130), "w"]])], // a key field of three-byte length
      [point([["feature_flag.key", "x".repeat(16_400)]])], // a point of three-byte length
      [point([["feature_flag.key", "x".repeat(16_300)], ["b", "y".repeat(200)]], 2n ** 63n - 1n)],
      Array.from({ length: 40 }, (_, i) => point([[`key-${i % 20}`, `value-${i}`]], i)), // more distinct keys than are kept
    ];
    for (const points of cases) {
      const bytes = encodeOtlpMetrics({ service: "svc" }, points, WINDOW);
      expect([...bytes]).toEqual(canonical(bytes));
      const decoded = decodeRequest(bytes).resourceMetrics![0]!.scopeMetrics![0]!.metrics![0]!.sum!.dataPoints!;
      expect(decoded.map((p) => p.attributes?.map((kv) => [kv.key, kv.value!["stringValue"]]) ?? [])).toEqual(
        points.map((p) => p.attributes.map(([k, v]) => [k, v])),
      );
    }
  });

  test("two different requests in a row encode exactly, and each result owns its bytes", () => {
    const big = Array.from({ length: 300 }, (_, i) => point([["feature_flag.key", `flag-${i}`], ["feature_flag.result.variant", "on"]], i));
    const small = [point([["feature_flag.key", "other"]], 7)];
    const first = encodeOtlpMetrics({ service: "a" }, big, WINDOW);
    const firstCopy = [...first];
    const second = encodeOtlpMetrics({ service: "b", env: "prod" }, small, WINDOW);
    const again = encodeOtlpMetrics({ service: "a" }, big, WINDOW);
    expect([...first]).toEqual(firstCopy); // the second call did not write over the first result
    expect([...again]).toEqual(firstCopy);
    expect([...second]).toEqual(canonical(second));
    expect(decodeRequest(second).resourceMetrics![0]!.scopeMetrics![0]!.metrics![0]!.sum!.dataPoints!.map((p) => p.asInt)).toEqual(["7"]);
    for (const bytes of [first, second, again]) {
      expect([bytes.byteOffset, bytes.byteLength]).toEqual([0, bytes.buffer.byteLength]); // an exact buffer, not a view of the scratch
    }
    expect(first.buffer).not.toBe(again.buffer);
  });

  test("a failed call (bad input mid-way) leaves the next call exact", () => {
    const good = [point([["feature_flag.key", "f"]], 3)];
    const expected = [...encodeOtlpMetrics({}, good, WINDOW)];
    const bad = [...good, ...good, { attributes: [["k", 5 as unknown as string]], count: 1 } as MetricPoint];
    expect(flagpostErrorOf(() => encodeOtlpMetrics({}, bad, WINDOW)).field).toBe("points[2].attributes[0]");
    expect([...encodeOtlpMetrics({}, good, WINDOW)]).toEqual(expected);
  });

  test("a re-entrant call (from a count getter) does not share the scratch buffer", () => {
    const inner = [point([["feature_flag.key", "inner"]], 1)];
    let innerBytes: Uint8Array | undefined;
    const outer: MetricPoint[] = [
      point([["feature_flag.key", "outer"]], 1),
      {
        attributes: [["feature_flag.key", "outer-2"]],
        get count() {
          innerBytes ??= encodeOtlpMetrics({}, inner, WINDOW);
          return 2;
        },
      },
    ];
    const bytes = encodeOtlpMetrics({ service: "s" }, outer, WINDOW);
    const plain = encodeOtlpMetrics({ service: "s" }, [outer[0]!, point([["feature_flag.key", "outer-2"]], 2)], WINDOW);
    expect([...bytes]).toEqual([...plain]);
    expect([...innerBytes!]).toEqual([...encodeOtlpMetrics({}, inner, WINDOW)]);
  });
});
