import { describe, expect, test } from "bun:test";
import { varintSize, writeString, writeVarint } from "../../src/metrics/_protobuf-writer.ts";
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

  test("writeString writes the tag, the length and the string as UTF-8 (lone surrogates as U+FFFD, as TextEncoder)", () => {
    for (const s of ["", "ascii", "é€日本語🚀", "x\udbff", "\ud800\ud800"]) {
      const expected = new TextEncoder().encode(s);
      const buf = new Uint8Array(2 + expected.length);
      const end = writeString(buf, 0, 0x0a, s, utf8ByteLength(s));
      expect(end).toBe(buf.length);
      expect([...buf]).toEqual([0x0a, expected.length, ...expected]);
    }
  });
});
