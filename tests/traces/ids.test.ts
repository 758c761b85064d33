/** generateId: crypto.getRandomValues, unsigned 64-bit, never 0; id and time parsing ranges. */
import { describe, expect, spyOn, test } from "bun:test";
import { generateId, parseId, parseNanoseconds } from "../../src/traces/ids.ts";

describe("generateId", () => {
  test("unsigned 64-bit, non-zero, and uses both halves", () => {
    let highSeen = false;
    const seen = new Set<bigint>();
    for (let i = 0; i < 2_000; i++) {
      const id = generateId();
      expect(typeof id).toBe("bigint");
      expect(id > 0n && id < 1n << 64n).toBe(true);
      if (id >= 1n << 63n) highSeen = true;
      seen.add(id);
    }
    expect(highSeen).toBe(true);
    expect(seen.size).toBe(2_000);
  });

  test("draws from crypto.getRandomValues and redraws an all-zero result", () => {
    let calls = 0;
    const spy = spyOn(crypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      calls++;
      const words = array as unknown as Uint32Array;
      words[0] = 0;
      words[1] = calls === 1 ? 0 : 42;
      return array;
    });
    try {
      expect(generateId()).toBe(42n);
      expect(calls).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("parseId and parseNanoseconds", () => {
  test("splits into 32-bit halves and the upper 64 bits as 16 lowercase hex digits", () => {
    expect(parseId("traceId", (0xABCn << 64n) | 0x1_0000_0002n, 128, false)).toEqual({ hi: 1, lo: 2, upperHex: "0000000000000abc" });
    expect(parseId("spanId", "FFFFFFFFFFFFFFFF", 64, false)).toEqual({ hi: 0xffffffff, lo: 0xffffffff, upperHex: "" });
    expect(parseId("parentId", 0, 64, true)).toEqual({ hi: 0, lo: 0, upperHex: "" });
    expect(parseNanoseconds("start", 1_700_000_000_000_000_000n)).toEqual({
      hi: Number(1_700_000_000_000_000_000n >> 32n),
      lo: Number(1_700_000_000_000_000_000n & 0xffffffffn),
    });
  });
});
