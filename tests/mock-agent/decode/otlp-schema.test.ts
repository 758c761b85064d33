/**
 * The OTLP metrics protobuf schema (mock-agent/decode/otlp-schema.ts), read
 * with @bufbuild/protobuf on its own: the shared vector parses through it to
 * the same request decodeOtlpMetricsProtobuf returns, and the response is the
 * empty message the agent answers.
 */
import { describe, expect, test } from "bun:test";
import { create, fromBinary, toBinary, toJson } from "@bufbuild/protobuf";
import { decodeOtlpMetricsProtobuf } from "../../../mock-agent/mod.ts";
import { otlpMessage } from "../../../mock-agent/decode/otlp-schema.ts";
import { otlpVectorBytes } from "../helpers.ts";

describe("otlpMessage", () => {
  test("ExportMetricsServiceRequest reads the shared vector as the decoder does, and writes it back", async () => {
    const bytes = await otlpVectorBytes();
    const schema = otlpMessage("ExportMetricsServiceRequest");
    const message = fromBinary(schema, bytes);
    expect(schema.fields.map((f) => f.name)).toEqual(["resource_metrics"]);
    // Read on its own, the enum comes out by name; the decoder gives its number (enumAsInteger), otherwise the same.
    const named = toJson(schema, message) as {
      resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ sum: Record<string, unknown> }> }> }>;
    };
    const sum = named.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.sum;
    expect(sum.aggregationTemporality).toBe("AGGREGATION_TEMPORALITY_DELTA");
    sum.aggregationTemporality = 1; // AGGREGATION_TEMPORALITY_DELTA = 1 in metrics.proto
    expect(named).toEqual(JSON.parse(JSON.stringify(decodeOtlpMetricsProtobuf(bytes))));
    // Written back, it reads the same.
    const reread = fromBinary(schema, toBinary(schema, message));
    expect(toJson(schema, reread, { enumAsInteger: true }) as unknown).toEqual(named);
  });

  test("ExportMetricsServiceResponse is an empty message when nothing was rejected; the schema is built once", () => {
    const schema = otlpMessage("ExportMetricsServiceResponse");
    expect(toBinary(schema, create(schema))).toEqual(new Uint8Array());
    expect(otlpMessage("ExportMetricsServiceResponse")).toBe(schema);
  });
});
