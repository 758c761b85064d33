import { describe, expect, test } from "bun:test";
import { varintSize, writeUtf8, writeVarint } from "../../src/metrics/_protobuf-writer.ts";
import { utf8ByteLength } from "../../src/core/text.ts";
import { encodeUleb128 } from "../../src/core/varint.ts";

describe("protobuf writer primitives", () => {
  test("varintSize and writeVarint agree with the core LEB128 codec at every byte boundary", () => {
    const values = [
      0,
      1,
      127,
      128,
      16_383,
      16_384,
      2 ** 21 - 1,
      2 ** 21,
      2 ** 28 - 1,
      2 ** 28,
      2 ** 31,
      2 ** 32 + 5,
      2 ** 35,
      Number.MAX_SAFE_INTEGER,
    ];
    for (const v of values) {
      const expected: number[] = [];
      encodeUleb128(v, expected);
      const buf = new Uint8Array(10);
      const end = writeVarint(buf, 0, v);
      expect([v, [...buf.subarray(0, end)]]).toEqual([v, expected]);
      expect([v, varintSize(v)]).toEqual([v, expected.length]);
    }
  });

  test("utf8ByteLength (core) and writeUtf8 agree with TextEncoder, lone surrogates included", () => {
    const samples = [
      "",
      "ascii",
      "é",
      "€",
      "日本語",
      "🚀",
      "a🚀b",
      "\ud800",
      "\udc00",
      "\ud800\ud800",
      "x\udbff",
      "\u0000\u007f\u0080\u07ff\u0800\uffff",
    ];
    // Plus every code unit boundary mixed with pairs.
    let mixed = "";
    for (let c = 0; c < 0x11000; c += 97) mixed += String.fromCodePoint(c);
    samples.push(mixed);
    for (const s of samples) {
      const expected = new TextEncoder().encode(s);
      expect(utf8ByteLength(s)).toBe(expected.length);
      const buf = new Uint8Array(expected.length);
      expect(writeUtf8(buf, 0, s)).toBe(expected.length);
      expect(buf).toEqual(expected);
    }
  });
});
