import { describe, expect, test } from "bun:test";
import { sha256Hex, Sha256HexCache } from "../../src/core/sha256.ts";
import { spanEnrichmentVectors } from "../support/data.ts";

describe("Sha256HexCache", () => {
  test("gives the same digests as sha256Hex (the shared subject vectors)", async () => {
    const cache = new Sha256HexCache();
    for (const { key, sha256 } of spanEnrichmentVectors().subjectHashes) {
      expect(await cache.hex(key)).toBe(sha256);
      expect(cache.peek(key)).toBe(sha256);
      expect(await cache.hex(key)).toBe(await sha256Hex(key));
    }
  });

  test("remembers at most `capacity` texts, forgetting the oldest first", async () => {
    const cache = new Sha256HexCache(3);
    for (const k of ["a", "b", "c", "d"]) await cache.hex(k);
    expect(cache.size).toBe(3);
    expect(cache.peek("a")).toBeUndefined();
    expect(cache.peek("d")).toBe(await sha256Hex("d"));
    for (let i = 0; i < 1_000; i++) await cache.hex(`k${i}`);
    expect(cache.size).toBe(3);
  });

  test("capacity 0 (or nonsense) remembers nothing and still hashes", async () => {
    for (const capacity of [0, -1, Number.NaN]) {
      const cache = new Sha256HexCache(capacity);
      expect(await cache.hex("alice")).toBe("2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90");
      expect(cache.size).toBe(0);
    }
  });
});
