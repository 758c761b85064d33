/**
 * The v0.4 and v0.5 encoders, checked with independent decoders: every
 * field of every span equals the input after `@msgpack/msgpack` (64-bit
 * exact) and after the mock agent's intake decoders, on hand-picked edge
 * cases (2^64 − 1 ids, 128-bit trace ids, unicode, empty tags) and on
 * seeded random spans covering every msgpack size class.
 */
import { describe, expect, test } from "bun:test";
import { decode } from "@msgpack/msgpack";
import { decodeTracesV04, decodeTracesV05 } from "../../mock-agent/mod.ts";
import { FlagpostError } from "../../src/core/errors.ts";
import { flagpostErrorOf } from "../support/errors.ts";
import { encodePayloads, encodeTraces, takeChunks } from "../../src/traces/encode.ts";
import { SpanBuilder } from "../../src/traces/span-builder.ts";
import { TraceChunks } from "../../src/traces/trace-chunks.ts";
import { chunksDataOf } from "../../src/traces/_chunk-data.ts";
import { buildChunks, decodeV04, decodeV05, expectedSpan, randomTraces, seeded, type SpanInput } from "./_helpers.ts";

const U64_MAX = (1n << 64n) - 1n;

const EDGE: SpanInput[][] = [
  [
    {
      fields: {
        service: "shop",
        name: "web.request",
        resource: "GET /cart",
        type: "web",
        traceId: U64_MAX,
        spanId: U64_MAX,
        parentId: U64_MAX - 1n,
        start: (1n << 63n) - 1n,
        duration: 1_500_000,
        error: true,
      },
      meta: [["ffe_flags_enc", "ZAgUAg=="], ["usr.name", "Zoë Ångström 日本語 😀"], ["emoji😀key", "v"], ["", ""]],
      metrics: [["_sampling_priority_v1", 1], ["_dd.agent_psr", 0.75], ["neg", -40], ["big", 2 ** 53], ["tiny", 5e-324]],
    },
    {
      fields: { service: "shop", name: "child", resource: "", traceId: U64_MAX, spanId: 1n, parentId: U64_MAX, start: 0, duration: 0 },
    },
  ],
  [
    {
      fields: {
        service: "edge",
        name: "op",
        resource: "r",
        traceId: "0123456789abcdef" + "fedcba9876543210",
        spanId: "00000000000000ff",
        start: 1_700_000_000_000_000_000n,
        duration: 2n ** 40n,
        error: -(2 ** 31),
      },
      meta: [["a".repeat(300), "é".repeat(100)]],
    },
  ],
  [
    {
      fields: {
        service: "s",
        name: "n",
        resource: "r",
        traceId: (1n << 128n) - 1n,
        spanId: 2n ** 32n,
        start: 2 ** 32 - 1,
        duration: 2 ** 32,
      },
      metrics: [["zero", 0], ["negzero", -0]],
    },
  ],
];

function expected(traces: SpanInput[][]) {
  return traces.map((t) => t.map((s) => expectedSpan(s)));
}

describe("encodeTraces v0.4", () => {
  test("edge cases decode field by field with @msgpack/msgpack", () => {
    const want = expected(EDGE);
    want[2]![0]!.metrics["negzero"] = 0;
    expect(decodeV04(encodeTraces(buildChunks(EDGE), "v0.4"))).toEqual(want);
  });

  test("the mock agent's intake decoder reads the same spans", () => {
    const decoded = decodeTracesV04(encodeTraces(buildChunks(EDGE), "v0.4"));
    expect(decoded.map((t) => t.map((s) => [s.trace_id, s.span_id, s.parent_id, s.start, s.duration, s.error, s.meta, s.type]))).toEqual(
      expected(EDGE).map((t) => t.map((s) => [s.trace_id, s.span_id, s.parent_id, s.start, s.duration, s.error, s.meta, s.type])),
    );
  });

  test("the key set: 11 keys, plus type only when not empty", () => {
    const chunks = buildChunks([[EDGE[0]![0]!, EDGE[0]![1]!]]);
    const bytes = encodeTraces(chunks, "v0.4");
    // fixarray(1) fixarray(2) then the first span's fixmap header.
    expect(bytes[0]).toBe(0x91);
    expect(bytes[1]).toBe(0x92);
    expect(bytes[2]).toBe(0x8c);
    const [[withType, withoutType]] = decode(bytes, { useBigInt64: true }) as [[Record<string, unknown>, Record<string, unknown>]];
    const keys = ["service", "name", "resource", "trace_id", "span_id", "parent_id", "start", "duration", "error", "meta", "metrics"];
    expect(Object.keys(withType).sort()).toEqual([...keys, "type"].sort());
    expect(Object.keys(withoutType).sort()).toEqual([...keys].sort());
  });

  test("128-bit trace ids: low half as trace_id, upper half as meta _dd.p.tid (16 lowercase hex)", () => {
    const span = decodeV04(encodeTraces(buildChunks([EDGE[1]!]), "v0.4"))[0]![0]!;
    expect(span.trace_id).toBe(0xfedcba9876543210n);
    expect(span.meta["_dd.p.tid"]).toBe("0123456789abcdef");
  });

  test("empty meta and metrics are empty maps", () => {
    const span = decodeV04(encodeTraces(buildChunks([[EDGE[0]![1]!]]), "v0.4"))[0]![0];
    expect(span!.meta).toEqual({});
    expect(span!.metrics).toEqual({});
  });

  test("seeded random spans round-trip exactly (200 traces)", () => {
    const traces = randomTraces(seeded(1), 200, 12);
    expect(decodeV04(encodeTraces(buildChunks(traces), "v0.4"))).toEqual(expected(traces));
  });

  test("smallest headers: small ids and times take one byte", () => {
    const chunks = buildChunks([[{ fields: { service: "s", name: "n", resource: "r", traceId: 1n, spanId: 2n, start: 3, duration: 4 } }]]);
    const bytes = encodeTraces(chunks, "v0.4");
    // 0x91 0x91 0x8b + keys; ids, start, duration, error as positive fixints.
    const text = String.fromCharCode(...bytes);
    for (
      const piece of [
        "\xa8trace_id\x01",
        "\xa7span_id\x02",
        "\xa9parent_id\x00",
        "\xa5start\x03",
        "\xa8duration\x04",
        "\xa5error\x00",
        "\xa4meta\x80",
        "\xa7metrics\x80",
      ]
    ) {
      expect(text).toContain(piece);
    }
    // 3 headers + 11 keys (72 bytes of names + 11 fixstr prefixes) + 6 one-byte integers + 3 one-char strings (2 bytes each) + 2 empty maps.
    const names = ["trace_id", "span_id", "parent_id", "start", "duration", "error", "service", "name", "resource", "meta", "metrics"];
    expect(bytes.length).toBe(3 + names.join("").length + names.length + 6 + 3 * 2 + 2);
  });

  test("repeated strings are copied exactly (non-ASCII cache)", () => {
    const value = "Zoë 日本 😀";
    const traces: SpanInput[][] = [Array.from({ length: 50 }, (_, i) => ({
      fields: { service: "日本", name: "n", resource: value, traceId: 7n, spanId: BigInt(i + 1), start: i, duration: 1 },
      meta: [[value, value], ["k", value]],
    }))];
    expect(decodeV04(encodeTraces(buildChunks(traces), "v0.4"))).toEqual(expected(traces));
  });

  test("empty chunks are left out", () => {
    const chunks = new TraceChunks();
    chunks.beginChunk();
    chunks.beginChunk(3);
    chunks.pushSpan(new SpanBuilder({ service: "s", name: "n", resource: "r", traceId: 1n, spanId: 1n, start: 0, duration: 0 }));
    chunks.beginChunk();
    expect(decodeV04(encodeTraces(chunks, "v0.4")).map((t) => t.length)).toEqual([1]);
    expect(decodeV04(encodeTraces(new TraceChunks(), "v0.4"))).toEqual([]);
  });
});

describe("encodeTraces v0.5", () => {
  test('[stringTable, traces]: table starts with "", spans are 12-element arrays, every field equal', () => {
    const { table, traces } = decodeV05(encodeTraces(buildChunks(EDGE), "v0.5"));
    expect(table[0]).toBe("");
    expect(new Set(table).size).toBe(table.length); // each string once
    const want = expected(EDGE);
    want[2]![0]!.metrics["negzero"] = 0;
    expect(traces).toEqual(want);
  });

  test("the mock agent's v0.5 decoder reads the same spans", () => {
    const traces = randomTraces(seeded(2), 50, 6);
    const decoded = decodeTracesV05(encodeTraces(buildChunks(traces), "v0.5"));
    expect(decoded.map((t) => t.map((s) => ({ ...s })))).toEqual(expected(traces));
  });

  test("seeded random spans round-trip exactly (200 traces)", () => {
    const traces = randomTraces(seeded(3), 200, 12);
    expect(decodeV05(encodeTraces(buildChunks(traces), "v0.5")).traces).toEqual(expected(traces));
  });

  test("a table of more than 65,535 strings uses array32", () => {
    const meta: Array<[string, string]> = [];
    for (let i = 0; i < 33_000; i++) meta.push([`key-${i}`, `value-${i}`]);
    const traces: SpanInput[][] = [[{
      fields: { service: "s", name: "n", resource: "r", traceId: 1n, spanId: 1n, start: 0, duration: 0 },
      meta,
    }]];
    const bytes = encodeTraces(buildChunks(traces), "v0.5");
    expect(bytes[1]).toBe(0xdd);
    const { table, traces: decoded } = decodeV05(bytes);
    expect(table.length).toBe(4 + 66_000); // "", s, n, r, then every key and value
    expect(decoded).toEqual(expected(traces));
  });
});

describe("encodeTraces input checks", () => {
  test("a bad version or a non-TraceChunks is invalid_argument", () => {
    const chunks = buildChunks(EDGE);
    expect(() => encodeTraces(chunks, "v0.6" as "v0.4")).toThrow(FlagpostError);
    const error = flagpostErrorOf(() => encodeTraces({} as TraceChunks, "v0.4"));
    expect(error.code).toBe("invalid_argument");
    expect(error.field).toBe("chunks");
  });

  test("encoding does not consume; taken (sent) chunks cannot be encoded", () => {
    const chunks = buildChunks(EDGE);
    const first = encodeTraces(chunks, "v0.4");
    expect(encodeTraces(chunks, "v0.4")).toEqual(first);
    takeChunks(chunks);
    expect(chunks.consumed).toBe(true);
    expect(flagpostErrorOf(() => encodeTraces(chunks, "v0.4")).code).toBe("consumed");
  });
});

describe("encodePayloads (payload cap)", () => {
  const traces = randomTraces(seeded(4), 60, 5);
  const chunks = buildChunks(traces);
  const list = chunksDataOf(chunks)!.chunks;

  for (const version of ["v0.4", "v0.5"] as const) {
    test(`${version}: every payload fits the cap and together they hold every chunk in order`, () => {
      const cap = Math.ceil(encodeTraces(chunks, version).length / 5);
      const { payloads, tooLarge } = encodePayloads(list, version, cap);
      expect(payloads.length).toBeGreaterThan(1);
      const decoded = payloads.flatMap((p) => {
        expect(p.bytes.length).toBeLessThanOrEqual(cap);
        const traces = version === "v0.4" ? decodeV04(p.bytes) : decodeV05(p.bytes).traces;
        expect(traces.length).toBe(p.chunkCount);
        return traces;
      });
      const lost = tooLarge.reduce((n, t) => n + 1 + 0 * t.bytes, 0);
      expect(decoded.length + lost).toBe(traces.length);
      if (lost === 0) expect(decoded).toEqual(expected(traces));
    });

    test(`${version}: a chunk larger than the cap alone is reported, the others still fit`, () => {
      const small: SpanInput = { fields: { service: "s", name: "n", resource: "r", traceId: 1n, spanId: 1n, start: 0, duration: 0 } };
      const huge: SpanInput = { ...small, meta: [["blob", "x".repeat(5_000)]] };
      const l = chunksDataOf(buildChunks([[small], [huge], [small]]))!.chunks;
      const { payloads, tooLarge } = encodePayloads(l, version, 1_000);
      expect(tooLarge.map((t) => t.spanCount)).toEqual([1]);
      expect(tooLarge[0]!.bytes).toBeGreaterThan(5_000);
      expect(payloads.reduce((n, p) => n + p.chunkCount, 0)).toBe(2);
    });
  }

  test("under the cap: one payload, byte-identical to encodeTraces", () => {
    const whole = encodeTraces(chunks, "v0.4");
    const { payloads, tooLarge } = encodePayloads(list, "v0.4", whole.length);
    expect(tooLarge).toEqual([]);
    expect(payloads.length).toBe(1);
    expect(payloads[0]!.bytes).toEqual(whole);
  });
});
