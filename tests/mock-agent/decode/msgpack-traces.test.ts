/** The msgpack trace decoders (mock-agent/decode/msgpack-traces.ts) called directly; decoding over HTTP is in handlers/traces.test.ts. */
import { describe, expect, test } from "bun:test";
import { encode } from "@msgpack/msgpack";
import { decodeTracesV04, decodeTracesV05, TraceDecodeError } from "../../../mock-agent/mod.ts";

const v04 = (traces: unknown) => encode(traces, { useBigInt64: true });

describe("v0.4 traces", () => {
  test("null fields read as zero values and unknown keys are ignored, as the agent does", () => {
    const span = decodeTracesV04(v04([[{ service: null, trace_id: null, meta: null, custom: [1, 2] }]]))[0]![0];
    expect(span).toMatchObject({ service: "", trace_id: 0n, meta: {} });
  });
});

describe("v0.5 traces", () => {
  test("a __proto__ meta key from the string table is kept as data", () => {
    const t = ["", "__proto__", "x"];
    const traces = decodeTracesV05(encode([t, [[[0, 0, 0, 1, 1, 0, 0, 0, 0, { 1: 2 }, {}, 0]]]]));
    expect(Object.keys(traces[0]![0]!.meta)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(traces[0]![0]!.meta)).toBe(Object.prototype);
  });

  test("TraceDecodeError is what the decoders throw", () => {
    expect(() => decodeTracesV05(encode([]))).toThrow(TraceDecodeError);
  });
});
