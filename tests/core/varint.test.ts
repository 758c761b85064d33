/**
 * Unsigned LEB128: byte-exact cases, round trips up to 2^53-1 and rejected input; and the shared span-enrichment
 * serial-id vectors, which are base64 of delta-coded LEB128 varints (they belong with src/enrichment/serial-ids.ts,
 * whose test folder another engineer owns).
 */
import { describe, expect, test } from "bun:test";
import { decodeUleb128, encodeUleb128 } from "../../src/core/varint.ts";
import { decodeSerialIds, encodeSerialIds } from "../../src/enrichment/serial-ids.ts";
import { flagpostErrorOf } from "../support/errors.ts";
import { spanEnrichmentVectors } from "../support/data.ts";

const vectors = spanEnrichmentVectors();

describe("unsigned LEB128", () => {
  const cases: Array<[number, number[]]> = [
    [0, [0]],
    [1, [1]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [2 ** 31 - 1, [0xff, 0xff, 0xff, 0xff, 0x07]],
    [2 ** 31, [0x80, 0x80, 0x80, 0x80, 0x08]],
    [2 ** 32, [0x80, 0x80, 0x80, 0x80, 0x10]],
    [Number.MAX_SAFE_INTEGER, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
  ];
  for (const [value, bytes] of cases) {
    test(`${value} ⇄ ${bytes.map((b) => b.toString(16)).join(" ")}`, () => {
      const out: number[] = [];
      encodeUleb128(value, out);
      expect(out).toEqual(bytes);
      expect(decodeUleb128(Uint8Array.from(bytes), 0)).toEqual({ value, next: bytes.length });
    });
  }
  test("round-trips powers of two and their neighbours up to 2^53-1 (no 32-bit truncation)", () => {
    for (let p = 0; p <= 53; p++) {
      for (const v of [2 ** p - 1, 2 ** p, 2 ** p + 1]) {
        if (v < 0 || v > Number.MAX_SAFE_INTEGER) continue;
        const out: number[] = [];
        encodeUleb128(v, out);
        expect(decodeUleb128(Uint8Array.from(out), 0).value).toBe(v);
      }
    }
  });
  test("rejects negative, fractional, unsafe and non-number values with the field name", () => {
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN, Infinity, "3" as unknown as number]) {
      expect(() => encodeUleb128(bad, [], "serialId")).toThrow(/serialId: .* is not an unsigned safe integer/);
    }
  });
  test("rejects truncated input and values past 2^53-1", () => {
    expect(() => decodeUleb128(Uint8Array.from([0x80, 0x80]), 0)).toThrow(/truncated/);
    expect(() => decodeUleb128(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), 0)).toThrow(/exceeds/);
  });
  test("rejects a varint longer than 8 bytes (no safe integer needs more) instead of returning NaN", () => {
    // 199 continuation bytes overflow the scale to Infinity, and 0 * Infinity is NaN (review M5).
    for (const length of [9, 10, 200]) {
      const bytes = new Uint8Array(length).fill(0x80);
      bytes[length - 1] = 0x00;
      const e = flagpostErrorOf(() => decodeUleb128(bytes, 0));
      expect(e.code).toBe("invalid_encoding");
      expect(e.message).toMatch(/^varint: over-long varint at byte 0: more than 8 bytes/);
    }
    // The offset is the varint's own start, not the buffer's.
    const later = Uint8Array.from([0x01, ...new Array(9).fill(0x80), 0x00]);
    expect(flagpostErrorOf(() => decodeUleb128(later, 1)).message).toMatch(/at byte 1/);
    // Padded but within 8 bytes still decodes (protobuf readers accept non-minimal varints).
    expect(decodeUleb128(Uint8Array.from([0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), 0)).toEqual({ value: 1, next: 8 });
  });
});

describe("span-enrichment vectors: serial ids", () => {
  test("the vector file has serial-id cases", () => {
    expect(vectors.serialIds.length).toBeGreaterThan(5);
  });
  for (const v of vectors.serialIds) {
    test(`encodeSerialIds(${JSON.stringify(v.ids)}) = ${v.encoded}`, () => {
      expect(encodeSerialIds(v.ids)).toBe(v.encoded);
    });
    test(`decodeSerialIds(${v.encoded}) round-trips`, () => {
      expect(decodeSerialIds(v.encoded)).toEqual([...new Set(v.ids)].sort((a, b) => a - b));
    });
  }
});
