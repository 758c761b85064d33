/**
 * SpanBuilder: every invalid field is a FlagpostError (invalid_argument)
 * naming the field; tags insert or overwrite; a pushed span is consumed.
 */
import { describe, expect, test } from "bun:test";
import { FlagpostError } from "../../src/core/errors.ts";
import { encodeTraces } from "../../src/traces/encode.ts";
import { SpanBuilder, type SpanFields, TRACE_ID_HIGH_META } from "../../src/traces/span-builder.ts";
import { TraceChunks } from "../../src/traces/trace-chunks.ts";
import { decodeV04 } from "./_helpers.ts";

const BASE: SpanFields = { service: "shop", name: "web.request", resource: "GET /", traceId: 1n, spanId: 2n, start: 10, duration: 5 };

function rejection(fn: () => unknown): { code: string; field: string | undefined; message: string } | "accepted" {
  try {
    fn();
    return "accepted";
  } catch (e) {
    if (!(e instanceof FlagpostError)) throw e;
    return { code: e.code, field: e.field, message: e.message };
  }
}

function only(span: SpanBuilder) {
  const chunks = new TraceChunks().beginChunk(1);
  chunks.pushSpan(span);
  return decodeV04(encodeTraces(chunks, "v0.4"))[0]![0]!;
}

describe("SpanBuilder fields", () => {
  const cases: Array<[string, Partial<Record<keyof SpanFields, unknown>>]> = [
    ["service", { service: "" }],
    ["service", { service: 42 }],
    ["name", { name: "" }],
    ["name", { name: undefined }],
    ["resource", { resource: null }],
    ["resource", { resource: "bad \ud800 half" }],
    ["type", { type: 7 }],
    ["type", { type: "\udc00" }],
    ["traceId", { traceId: 0n }],
    ["traceId", { traceId: 0 }],
    ["traceId", { traceId: "0000000000000000" }],
    ["traceId", { traceId: 1n << 128n }],
    ["traceId", { traceId: -1n }],
    ["traceId", { traceId: "xyz" }],
    ["traceId", { traceId: "123" }],
    ["traceId", { traceId: 2 ** 53 }],
    ["traceId", { traceId: 1.5 }],
    ["spanId", { spanId: 0n }],
    ["spanId", { spanId: 1n << 64n }],
    ["spanId", { spanId: "0123456789abcdef0123456789abcdef" }],
    ["spanId", { spanId: {} }],
    ["parentId", { parentId: -1 }],
    ["parentId", { parentId: 1n << 64n }],
    ["start", { start: -1 }],
    ["start", { start: 1n << 63n }],
    ["start", { start: 1.5 }],
    ["start", { start: "10" }],
    ["duration", { duration: -1n }],
    ["duration", { duration: Number.NaN }],
    ["duration", { duration: Infinity }],
    ["error", { error: 2 ** 31 }],
    ["error", { error: 0.5 }],
    ["error", { error: "yes" }],
  ];
  for (const [field, patch] of cases) {
    test(`${field} = ${String(Object.values(patch)[0])} is rejected, naming ${field}`, () => {
      const r = rejection(() => new SpanBuilder({ ...BASE, ...patch } as SpanFields));
      expect(r).not.toBe("accepted");
      if (r === "accepted") return;
      expect(r.code).toBe("invalid_argument");
      expect(r.field).toBe(field);
      expect(r.message.startsWith(`${field}=`)).toBe(true);
    });
  }

  test("a non-object is rejected", () => {
    expect(rejection(() => new SpanBuilder(null as unknown as SpanFields))).toMatchObject({ code: "invalid_argument", field: "fields" });
  });

  test("accepted forms: bigint, safe integer and hex ids; 0 parent; bigint or number times; boolean or int32 error", () => {
    const span = only(
      new SpanBuilder({ ...BASE, traceId: "FFFFFFFFFFFFFFFF", spanId: 2 ** 53 - 1, parentId: 0, start: 2n ** 62n, duration: 0, error: -5 }),
    );
    expect([span.trace_id, span.span_id, span.parent_id, span.start, span.duration, span.error]).toEqual([
      (1n << 64n) - 1n,
      2n ** 53n - 1n,
      0n,
      2n ** 62n,
      0n,
      -5,
    ]);
    expect(only(new SpanBuilder({ ...BASE, error: false })).error).toBe(0);
    expect(only(new SpanBuilder({ ...BASE, error: true })).error).toBe(1);
  });

  test("a 128-bit trace id given as 32 hex digits whose upper half is 0 is a 64-bit id (no _dd.p.tid)", () => {
    const span = only(new SpanBuilder({ ...BASE, traceId: "0000000000000000000000000000abcd" }));
    expect(span.trace_id).toBe(0xabcdn);
    expect(span.meta).toEqual({});
  });
});

describe("SpanBuilder tags", () => {
  test("setMeta and setMetric insert or overwrite, keeping first-insertion order", () => {
    const span = new SpanBuilder(BASE).setMeta("a", "1").setMeta("b", "2").setMeta("a", "3").setMetric("m", 1).setMetric("m", 2.5);
    const decoded = only(span);
    expect(Object.entries(decoded.meta)).toEqual([["a", "3"], ["b", "2"]]);
    expect(decoded.metrics).toEqual({ m: 2.5 });
  });

  test("overwrite stays correct past the linear-search size (index map)", () => {
    const span = new SpanBuilder(BASE);
    for (let i = 0; i < 40; i++) span.setMeta(`k${i}`, "first").setMetric(`m${i}`, i);
    for (let i = 0; i < 40; i += 3) span.setMeta(`k${i}`, "second").setMetric(`m${i}`, -i - 1);
    const decoded = only(span);
    expect(Object.keys(decoded.meta).length).toBe(40);
    for (let i = 0; i < 40; i++) {
      expect(decoded.meta[`k${i}`]).toBe(i % 3 === 0 ? "second" : "first");
      expect(decoded.metrics[`m${i}`]).toBe(i % 3 === 0 ? -i - 1 : i);
    }
  });

  test("bad tags name the field", () => {
    const span = new SpanBuilder(BASE);
    expect(rejection(() => span.setMeta("k", 5 as unknown as string))).toMatchObject({ code: "invalid_argument", field: "meta.k" });
    expect(rejection(() => span.setMeta("k", "\ud83d"))).toMatchObject({ code: "invalid_argument", field: "meta.k" });
    expect(rejection(() => span.setMeta(1 as unknown as string, "v"))).toMatchObject({ code: "invalid_argument", field: "meta key" });
    expect(rejection(() => span.setMeta("\udead", "v"))).toMatchObject({ code: "invalid_argument", field: "meta key" });
    expect(rejection(() => span.setMetric("m", Number.NaN))).toMatchObject({ code: "invalid_argument", field: "metrics.m" });
    expect(rejection(() => span.setMetric("m", Infinity))).toMatchObject({ code: "invalid_argument", field: "metrics.m" });
    expect(rejection(() => span.setMetric("m", "1" as unknown as number))).toMatchObject({ code: "invalid_argument", field: "metrics.m" });
    expect(rejection(() => span.setMetric(null as unknown as string, 1))).toMatchObject({ code: "invalid_argument", field: "metric key" });
    // A rejected tag leaves the span unchanged.
    expect(only(span).meta).toEqual({});
  });

  test("_dd.p.tid is derived from a 128-bit trace id and cannot be overridden; with a 64-bit id it is a plain tag", () => {
    const wide = new SpanBuilder({ ...BASE, traceId: (0xabcn << 64n) | 1n });
    expect(rejection(() => wide.setMeta(TRACE_ID_HIGH_META, "0000000000000001"))).toMatchObject({ field: `meta.${TRACE_ID_HIGH_META}` });
    expect(only(wide).meta).toEqual({ [TRACE_ID_HIGH_META]: "0000000000000abc" });
    expect(only(new SpanBuilder(BASE).setMeta(TRACE_ID_HIGH_META, "00000000000000ff")).meta).toEqual({
      [TRACE_ID_HIGH_META]: "00000000000000ff",
    });
  });
});

describe("SpanBuilder ownership", () => {
  test("after a push, setMeta and setMetric are consumed errors", () => {
    const span = new SpanBuilder(BASE);
    expect(span.consumed).toBe(false);
    new TraceChunks().beginChunk().pushSpan(span);
    expect(span.consumed).toBe(true);
    expect(rejection(() => span.setMeta("k", "v"))).toMatchObject({ code: "consumed" });
    expect(rejection(() => span.setMetric("k", 1))).toMatchObject({ code: "consumed" });
  });
});
