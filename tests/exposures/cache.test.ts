import { describe, expect, test } from "bun:test";
import { FlagpostError } from "../../src/core/errors.ts";
import { ExposureCache, exposureKey, exposureKeyPrefix } from "../../src/exposures/cache.ts";

describe("ExposureCache", () => {
  const key = exposureKey(exposureKeyPrefix("svc", "prod", "1"), "flag", "user");

  test("suppresses only an equal value: A→B→A is never a duplicate; serial id none ≠ 0", () => {
    const cache = new ExposureCache(10);
    const values: Array<[string, string, number | undefined]> = [
      ["alloc", "A", 1],
      ["alloc", "A", 1],
      ["alloc", "B", 1],
      ["alloc", "A", 1],
      ["alloc", "A", 1],
      ["other", "A", 1],
      ["other", "A", undefined],
      ["other", "A", 0],
      ["other", "A", 0],
    ];
    const seen = values.map(([a, v, s]) => {
      const dup = cache.isDuplicate(key, a, v, s);
      if (!dup) cache.remember(key, a, v, s);
      return dup;
    });
    expect(seen).toEqual([false, true, false, false, true, false, false, false, true]);
  });

  test("keys are unambiguous", () => {
    // Without length prefixes these would collide.
    expect(exposureKey(exposureKeyPrefix("a", "", ""), "b", "c")).not.toBe(exposureKey(exposureKeyPrefix("", "a", ""), "b", "c"));
    expect(exposureKey("", "ab", "c")).not.toBe(exposureKey("", "a", "bc"));
    expect(exposureKeyPrefix("s", undefined, undefined)).toBe(exposureKeyPrefix("s", "", ""));
  });

  test("forget removes only the entry its token wrote", () => {
    const cache = new ExposureCache(10);
    const t1 = cache.remember(key, "a", "v1", 1);
    const t2 = cache.remember(key, "a", "v2", 1);
    expect(cache.forget(key, t1)).toBe(false);
    expect(cache.isDuplicate(key, "a", "v2", 1)).toBe(true);
    expect(cache.forget(key, t2)).toBe(true);
    expect(cache.isDuplicate(key, "a", "v2", 1)).toBe(false);
    expect(cache.size).toBe(0);
  });

  test("is bounded: the least recently used entry is evicted", () => {
    const cache = new ExposureCache(2);
    cache.remember("a", "x", "1", undefined);
    cache.remember("b", "x", "1", undefined);
    expect(cache.isDuplicate("a", "x", "1", undefined)).toBe(true); // touches a
    cache.remember("c", "x", "1", undefined); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.isDuplicate("b", "x", "1", undefined)).toBe(false);
    expect(cache.isDuplicate("a", "x", "1", undefined)).toBe(true);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  test("capacity 0 disables it; a bad capacity is a FlagpostError", () => {
    const off = new ExposureCache(0);
    expect(off.remember("a", "x", "1", 0)).toBe(0);
    expect(off.isDuplicate("a", "x", "1", 0)).toBe(false);
    expect(off.forget("a", 0)).toBe(false);
    expect(new ExposureCache().capacity).toBe(65_536);
    for (const bad of [-1, 1.5, NaN]) {
      expect(() => new ExposureCache(bad)).toThrow(FlagpostError);
    }
  });
});
