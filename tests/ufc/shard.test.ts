/** shardOf: the first 4 bytes of md5("salt-key"), big-endian, modulo totalShards (checked against coreutils md5sum). */
import { describe, expect, test } from "bun:test";
import { shardOf } from "../../src/ufc/shard.ts";

describe("shardOf", () => {
  test("first 4 bytes of md5('salt-key'), big-endian, modulo totalShards", () => {
    // md5("a-b") = 8ca2ed59… (computed with coreutils md5sum); 0x8ca2ed59 = 2359487833
    expect(shardOf("a", "b", 2 ** 32 - 1)).toBe(0x8ca2ed59);
    expect(shardOf("a", "b", 10000)).toBe(7833);
  });
  test("UTF-8 keys", () => {
    // md5("s-ñ" as UTF-8) = e84a926d… (md5sum)
    expect(shardOf("s", "ñ", 2 ** 32 - 1)).toBe(0xe84a926d);
    expect(shardOf("s", "ñ", 10000)).toBe(1261);
  });
  test("stays in range", () => {
    for (const k of ["", "alice", "bob", "😀"]) {
      const s = shardOf("salt", k, 7);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(7);
    }
  });
});
