import { describe, expect, test } from "bun:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { readPartialSuccess } from "../../src/metrics/_partial-success.ts";
import { otlpMessage } from "../../mock-agent/decode/otlp-schema.ts";

function response(rejected: bigint, errorMessage: string): Uint8Array {
  const desc = otlpMessage("ExportMetricsServiceResponse");
  return toBinary(desc, create(desc, { partialSuccess: { rejectedDataPoints: rejected, errorMessage } } as never));
}

describe("partial success", () => {
  test("protobuf ExportMetricsServiceResponse from @bufbuild/protobuf", () => {
    expect(readPartialSuccess(response(3n, "too long"), false)).toEqual({ rejected: 3, message: "too long" });
    expect(readPartialSuccess(response(300_000n, "é"), false)).toEqual({ rejected: 300_000, message: "é" });
    // Unknown fields before and inside are skipped.
    const inner = [0x28, 0x07, 0x08, 0x05]; // field 5 varint 7, then rejected = 5
    const body = new Uint8Array([0x15, 1, 2, 3, 4, 0x0a, inner.length, ...inner]);
    expect(readPartialSuccess(body, false)).toEqual({ rejected: 5, message: "" });
  });

  test("JSON, camelCase or proto names, int64 as string or number", () => {
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    expect(readPartialSuccess(enc({ partialSuccess: { rejectedDataPoints: "4", errorMessage: "x" } }), true)).toEqual({
      rejected: 4,
      message: "x",
    });
    expect(readPartialSuccess(enc({ partial_success: { rejected_data_points: 2 } }), true)).toEqual({ rejected: 2, message: "" });
    expect(readPartialSuccess(enc({}), true)).toBeUndefined();
  });

  test("an empty or garbage body is a plain success", () => {
    expect(readPartialSuccess(new Uint8Array(0), false)).toBeUndefined();
    expect(readPartialSuccess(new Uint8Array([0x0a, 0x7f]), false)).toBeUndefined();
    expect(readPartialSuccess(new TextEncoder().encode("{nope"), true)).toBeUndefined();
  });
});
