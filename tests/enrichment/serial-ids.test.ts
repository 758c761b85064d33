import { describe, expect, test } from "bun:test";
import { decodeSerialIds, encodeSerialIds } from "../../src/enrichment/serial-ids.ts";

describe("serial ids", () => {
  test("empty list encodes to the empty string and back", () => {
    expect(encodeSerialIds([])).toBe("");
    expect(decodeSerialIds("")).toEqual([]);
  });
  test("ids beyond 2^32 survive a round trip", () => {
    const ids = [5, 2 ** 32 + 7, 2 ** 40, Number.MAX_SAFE_INTEGER];
    expect(decodeSerialIds(encodeSerialIds(ids))).toEqual(ids);
  });
  test("a negative id is rejected naming its position", () => {
    expect(() => encodeSerialIds([3, -1])).toThrow(/serialIds\[0\]: -1/);
  });
});
