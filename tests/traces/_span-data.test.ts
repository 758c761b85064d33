/** Span data: setEntry keeps parallel key/value arrays (overwrite in place, index past 16 keys), and a builder's data is found by the builder. */
import { describe, expect, test } from "bun:test";
import { registerSpanData, setEntry, type SpanData, spanDataOf } from "../../src/traces/_span-data.ts";
import { SpanBuilder } from "../../src/traces/span-builder.ts";

describe("setEntry", () => {
  test("appends new keys in insertion order and overwrites an existing key in place", () => {
    const keys: string[] = [];
    const values: string[] = [];
    let index = setEntry(keys, values, undefined, "a", "1");
    index = setEntry(keys, values, index, "b", "2");
    index = setEntry(keys, values, index, "a", "3");
    expect(index).toBeUndefined();
    expect(keys).toEqual(["a", "b"]);
    expect(values).toEqual(["3", "2"]);
  });
  test("builds an index once past 16 keys, and the index stays in step with the arrays", () => {
    const keys: string[] = [];
    const values: number[] = [];
    let index: Map<string, number> | undefined;
    for (let i = 0; i < 16; i++) index = setEntry(keys, values, index, `k${i}`, i);
    expect(index).toBeUndefined();
    index = setEntry(keys, values, index, "k16", 16);
    expect(index).toBeInstanceOf(Map);
    for (let i = 17; i < 40; i++) index = setEntry(keys, values, index, `k${i}`, i);
    index = setEntry(keys, values, index, "k5", -5);
    expect(keys).toHaveLength(40);
    expect(values[5]).toBe(-5);
    expect(index!.size).toBe(40);
    for (const [key, at] of index!) expect(keys[at]).toBe(key);
  });
});

describe("registerSpanData / spanDataOf", () => {
  test("a SpanBuilder's data is registered, holding its validated fields", () => {
    const builder = new SpanBuilder({ service: "svc", name: "op", resource: "GET /", traceId: 1n, spanId: 2n, start: 0, duration: 5 });
    builder.setMeta("env", "prod");
    const data = spanDataOf(builder)!;
    expect([data.service, data.name, data.resource, data.consumed]).toEqual(["svc", "op", "GET /", false]);
    expect(data.metaValues[data.metaKeys.indexOf("env")]).toBe("prod");
  });
  test("any other object has no data until registered", () => {
    const owner = {};
    expect(spanDataOf(owner)).toBeUndefined();
    const data = { service: "s" } as SpanData;
    registerSpanData(owner, data);
    expect(spanDataOf(owner)).toBe(data);
  });
});
