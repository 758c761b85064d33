import { describe, expect, test } from "bun:test";
import { runtimeDefaultText, truncateUtf16 } from "../../src/enrichment/_runtime-default.ts";

describe("runtimeDefaultText", () => {
  test("String(v) for primitives, JSON for objects and arrays", () => {
    expect(runtimeDefaultText("a/b")).toBe("a/b");
    expect(runtimeDefaultText(1.5)).toBe("1.5");
    expect(runtimeDefaultText(false)).toBe("false");
    expect(runtimeDefaultText(null)).toBe("null");
    expect(runtimeDefaultText(undefined)).toBe("undefined");
    expect(runtimeDefaultText({ a: "/x" })).toBe('{"a":"/x"}');
    expect(runtimeDefaultText([1, "日本"])).toBe('[1,"日本"]');
  });
  test("values without a JSON form give undefined instead of throwing", () => {
    expect(runtimeDefaultText({ n: 1n })).toBeUndefined();
    expect(runtimeDefaultText({ toJSON: () => undefined })).toBeUndefined();
  });
});

describe("truncateUtf16", () => {
  test("cuts at the limit in code units", () => {
    expect(truncateUtf16("abcdef", 4)).toBe("abcd");
    expect(truncateUtf16("abcd", 4)).toBe("abcd");
  });
  test("never splits a surrogate pair", () => {
    expect(truncateUtf16("abc😀", 4)).toBe("abc");
    expect(truncateUtf16("ab😀c", 4)).toBe("ab😀");
    expect(truncateUtf16("a".repeat(63) + "😀", 64)).toBe("a".repeat(63));
  });
  test("a lone surrogate already in the input is cut like any character", () => {
    expect(truncateUtf16("abc\udc00x", 4)).toBe("abc\udc00");
  });
});
