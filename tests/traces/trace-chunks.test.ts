/**
 * TraceChunks ownership: pushing consumes the span (also when the push
 * fails), a span cannot be pushed twice, a push needs a chunk, chunks are
 * consumed once sent, and the caps throw queue_full.
 */
import { describe, expect, test } from "bun:test";
import { FlagpostError } from "../../src/core/errors.ts";
import { encodeTraces, takeChunks } from "../../src/traces/encode.ts";
import { SpanBuilder, type SpanFields } from "../../src/traces/span-builder.ts";
import { DEFAULT_MAX_SPANS, TraceChunks } from "../../src/traces/trace-chunks.ts";
import { decodeV04 } from "./_helpers.ts";

const BASE: SpanFields = { service: "shop", name: "op", resource: "r", traceId: 9n, spanId: 1n, start: 0, duration: 1 };
const span = (id = 1n) => new SpanBuilder({ ...BASE, spanId: id });

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return "accepted";
  } catch (e) {
    if (!(e instanceof FlagpostError)) throw e;
    return `${e.code}:${e.field}`;
  }
}

describe("TraceChunks", () => {
  test("groups spans into chunks in push order; capacity pre-sizes but does not limit", () => {
    const chunks = new TraceChunks();
    chunks.beginChunk(1).pushSpan(span(1n)).pushSpan(span(2n)).pushSpan(span(3n));
    chunks.beginChunk(5).pushSpan(span(4n));
    chunks.beginChunk().pushSpan(span(5n));
    expect([chunks.chunkCount, chunks.spanCount]).toEqual([3, 5]);
    expect(decodeV04(encodeTraces(chunks, "v0.4")).map((t) => t.map((s) => s.span_id))).toEqual([[1n, 2n, 3n], [4n], [5n]]);
  });

  test("pushing a span twice is a consumed error, even into another TraceChunks", () => {
    const s = span();
    const chunks = new TraceChunks().beginChunk();
    chunks.pushSpan(s);
    expect(codeOf(() => chunks.pushSpan(s))).toBe("consumed:span");
    expect(codeOf(() => new TraceChunks().beginChunk().pushSpan(s))).toBe("consumed:span");
    expect(chunks.spanCount).toBe(1);
  });

  test("pushing before beginChunk is an error and still consumes the span", () => {
    const s = span();
    const chunks = new TraceChunks();
    expect(codeOf(() => chunks.pushSpan(s))).toBe("invalid_argument:chunk");
    expect(s.consumed).toBe(true);
    chunks.beginChunk();
    expect(codeOf(() => chunks.pushSpan(s))).toBe("consumed:span");
    expect(chunks.spanCount).toBe(0);
  });

  test("only SpanBuilders can be pushed", () => {
    const chunks = new TraceChunks().beginChunk();
    expect(codeOf(() => chunks.pushSpan({} as SpanBuilder))).toBe("invalid_argument:span");
    expect(codeOf(() => chunks.pushSpan(null as unknown as SpanBuilder))).toBe("invalid_argument:span");
  });

  test("sent chunks are consumed: no more chunks, no more spans (the span is still consumed)", () => {
    const chunks = new TraceChunks().beginChunk().pushSpan(span());
    takeChunks(chunks);
    expect(chunks.consumed).toBe(true);
    expect(codeOf(() => chunks.beginChunk())).toBe("consumed:undefined");
    const s = span(2n);
    expect(codeOf(() => chunks.pushSpan(s))).toBe("consumed:undefined");
    expect(s.consumed).toBe(true);
  });

  test("capacity must be an integer from 0 to maxSpans", () => {
    const chunks = new TraceChunks({ maxSpans: 10 });
    for (const bad of [-1, 1.5, 11, Number.NaN, "3"]) {
      expect(codeOf(() => chunks.beginChunk(bad as number))).toBe("invalid_argument:capacity");
    }
    expect(codeOf(() => chunks.beginChunk(0))).toBe("accepted");
    expect(codeOf(() => chunks.beginChunk(10))).toBe("accepted");
  });

  test("caps: maxChunks and maxSpans throw queue_full; the overflowing span is consumed and not kept", () => {
    const chunks = new TraceChunks({ maxChunks: 2, maxSpans: 3 });
    chunks.beginChunk().beginChunk();
    expect(codeOf(() => chunks.beginChunk())).toBe("queue_full:maxChunks");
    chunks.pushSpan(span(1n)).pushSpan(span(2n)).pushSpan(span(3n));
    const s = span(4n);
    expect(codeOf(() => chunks.pushSpan(s))).toBe("queue_full:maxSpans");
    expect(s.consumed).toBe(true);
    expect(chunks.spanCount).toBe(3);
  });

  test("defaults: 1,000 chunks (limits.maxQueuedTraceChunks) and 100,000 spans; options are checked", () => {
    expect(DEFAULT_MAX_SPANS).toBe(100_000);
    const chunks = new TraceChunks();
    for (let i = 0; i < 1_000; i++) chunks.beginChunk();
    expect(codeOf(() => chunks.beginChunk())).toBe("queue_full:maxChunks");
    expect(codeOf(() => new TraceChunks({ maxChunks: 0 }))).toBe("invalid_argument:maxChunks");
    expect(codeOf(() => new TraceChunks({ maxSpans: 1.5 }))).toBe("invalid_argument:maxSpans");
  });
});
