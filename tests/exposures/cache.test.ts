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

describe("ExposureCache scopes (the writer's lookup: flag, then subject, no key string)", () => {
  test("same semantics as string keys: A→B→A logs three times, serial id none ≠ 0, scopes are separate", () => {
    const cache = new ExposureCache(10);
    const shop = cache.scope(exposureKeyPrefix("shop", "prod", "1"));
    const cart = cache.scope(exposureKeyPrefix("cart", "prod", "1"));
    expect(cache.scope(exposureKeyPrefix("shop", "prod", "1"))).toBe(shop);
    const log = (variant: string, serial: number | undefined) => {
      const dup = cache.isDuplicateIn(shop, "flag", "user", "alloc", variant, serial);
      if (!dup) cache.rememberIn(shop, "flag", "user", "alloc", variant, serial);
      return dup;
    };
    expect([log("A", 1), log("A", 1), log("B", 1), log("A", 1), log("A", undefined), log("A", 0), log("A", 0)])
      .toEqual([false, true, false, false, false, false, true]);
    expect(cache.isDuplicateIn(cart, "flag", "user", "alloc", "A", 0)).toBe(false);
    expect(cache.isDuplicateIn(shop, "flag", "other", "alloc", "A", 0)).toBe(false);
    expect(cache.isDuplicateIn(shop, "other", "user", "alloc", "A", 0)).toBe(false);
    expect(cache.size).toBe(1);
  });

  test("forgetEntry removes only the write its token names", () => {
    const cache = new ExposureCache(10);
    const scope = cache.scope("");
    const first = cache.rememberIn(scope, "f", "s", "a", "v1", undefined)!;
    const t1 = first.token;
    const second = cache.rememberIn(scope, "f", "s", "a", "v2", undefined)!;
    expect(cache.forgetEntry(first, t1)).toBe(false); // replaced by v2 since
    expect(cache.isDuplicateIn(scope, "f", "s", "a", "v2", undefined)).toBe(true);
    expect(cache.forgetEntry(second, second.token)).toBe(true);
    expect(cache.isDuplicateIn(scope, "f", "s", "a", "v2", undefined)).toBe(false);
    expect(cache.size).toBe(0);
    expect(scope.size).toBe(0); // empty per-flag tables go too
  });

  test("eviction removes the least recently used entry from the lookup too; a stale entry cannot forget its successor", () => {
    const cache = new ExposureCache(2);
    const scope = cache.scope("");
    const a = cache.rememberIn(scope, "f", "a", "x", "1", undefined)!;
    const tokenA = a.token;
    cache.rememberIn(scope, "f", "b", "x", "1", undefined);
    expect(cache.isDuplicateIn(scope, "f", "a", "x", "1", undefined)).toBe(true); // touches a
    cache.rememberIn(scope, "g", "c", "x", "1", undefined); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.isDuplicateIn(scope, "f", "b", "x", "1", undefined)).toBe(false);
    expect(scope.get("f")?.size).toBe(1);
    cache.rememberIn(scope, "g", "d", "x", "1", undefined); // evicts a
    cache.rememberIn(scope, "f", "a", "x", "1", undefined); // a again: a new entry (evicts c)
    expect(cache.forgetEntry(a, tokenA)).toBe(false);
    expect(cache.isDuplicateIn(scope, "f", "a", "x", "1", undefined)).toBe(true);
    let held = 0;
    for (const subjects of scope.values()) held += subjects.size;
    expect(held).toBe(cache.size);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.isDuplicateIn(scope, "f", "a", "x", "1", undefined)).toBe(false);
  });

  test("capacity 0: nothing remembered", () => {
    const off = new ExposureCache(0);
    const scope = off.scope("");
    expect(off.rememberIn(scope, "f", "s", "a", "v", 1)).toBeUndefined();
    expect(off.isDuplicateIn(scope, "f", "s", "a", "v", 1)).toBe(false);
    expect(scope.size).toBe(0);
  });
});
