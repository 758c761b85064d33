import { describe, expect, test } from "bun:test";
import { FlagpostError } from "../../src/core/errors.ts";
import { ExposureCache, exposureKey, exposureKeyPrefix, exposureValue } from "../../src/exposures/cache.ts";

describe("ExposureCache", () => {
  const key = exposureKey(exposureKeyPrefix("svc", "prod", "1"), "flag", "user");

  test("suppresses only an equal value: A→B→A is never a duplicate", () => {
    const cache = new ExposureCache(10);
    const a = exposureValue("alloc", "A", 1);
    const b = exposureValue("alloc", "B", 1);
    const seen: boolean[] = [];
    for (const v of [a, a, b, a, a]) {
      const dup = cache.isDuplicate(key, v);
      seen.push(dup);
      if (!dup) cache.remember(key, v);
    }
    expect(seen).toEqual([false, true, false, false, true]);
  });

  test("keys and values are unambiguous", () => {
    // Without length prefixes these would collide.
    expect(exposureKey(exposureKeyPrefix("a", "", ""), "b", "c")).not.toBe(exposureKey(exposureKeyPrefix("", "a", ""), "b", "c"));
    expect(exposureKey("", "ab", "c")).not.toBe(exposureKey("", "a", "bc"));
    expect(exposureValue("a", "b", 0)).not.toBe(exposureValue("a", "b", undefined));
    expect(exposureValue("a", "b0", undefined)).not.toBe(exposureValue("a", "b", 0));
    expect(exposureKeyPrefix("s", undefined, undefined)).toBe(exposureKeyPrefix("s", "", ""));
  });

  test("forget removes only the entry its token wrote", () => {
    const cache = new ExposureCache(10);
    const t1 = cache.remember(key, "v1");
    const t2 = cache.remember(key, "v2");
    expect(cache.forget(key, t1)).toBe(false);
    expect(cache.isDuplicate(key, "v2")).toBe(true);
    expect(cache.forget(key, t2)).toBe(true);
    expect(cache.isDuplicate(key, "v2")).toBe(false);
    expect(cache.size).toBe(0);
  });

  test("is bounded: the least recently used entry is evicted", () => {
    const cache = new ExposureCache(2);
    cache.remember("a", "1");
    cache.remember("b", "1");
    expect(cache.isDuplicate("a", "1")).toBe(true); // touches a
    cache.remember("c", "1"); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.isDuplicate("b", "1")).toBe(false);
    expect(cache.isDuplicate("a", "1")).toBe(true);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  test("capacity 0 disables it; a bad capacity is a FlagpostError", () => {
    const off = new ExposureCache(0);
    expect(off.remember("a", "1")).toBe(0);
    expect(off.isDuplicate("a", "1")).toBe(false);
    expect(off.forget("a", 0)).toBe(false);
    expect(new ExposureCache().capacity).toBe(65_536);
    for (const bad of [-1, 1.5, NaN]) {
      expect(() => new ExposureCache(bad)).toThrow(FlagpostError);
    }
  });
});
