/**
 * The msgpack writer: at every size-class boundary the value decodes back
 * exactly (@msgpack/msgpack, 64-bit exact) and takes the smallest form
 * (its length equals what @msgpack/msgpack's own encoder, which also picks
 * the smallest form, produces).
 */
import { describe, expect, test } from "bun:test";
import { decode, encode } from "@msgpack/msgpack";
import { MsgpackWriter, putInt32, putNumber, putUint64 } from "../../src/traces/_msgpack-writer.ts";

function written(fill: (w: MsgpackWriter) => void, cache = false): Uint8Array {
  const w = new MsgpackWriter(16, cache);
  fill(w);
  return w.result().slice();
}

describe("MsgpackWriter", () => {
  test("unsigned 64-bit from halves: exact and smallest at each boundary", () => {
    const values = [0n, 127n, 128n, 255n, 256n, 65535n, 65536n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 64n - 1n];
    for (const v of values) {
      const bytes = written((w) => {
        const b = w.reserve(9);
        w.pos = putUint64(b, w.pos, Number(v >> 32n), Number(v & 0xffffffffn));
      });
      expect(decode(bytes, { useBigInt64: true })).toBe(v <= 2n ** 32n - 1n ? Number(v) : v);
      expect(bytes.length).toBe(encode(v <= 2n ** 32n - 1n ? Number(v) : v, { useBigInt64: true }).length);
    }
  });

  test("int32: exact and smallest", () => {
    for (const v of [0, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), 2 ** 31 - 1]) {
      const bytes = written((w) => {
        const b = w.reserve(5);
        w.pos = putInt32(b, w.pos, v);
      });
      expect(decode(bytes)).toBe(v);
      expect(bytes.length).toBe(encode(v).length);
    }
  });

  test("numbers: integers in 32-bit range as integers, the rest float64, all exact", () => {
    for (const v of [0, 1, -1, 2 ** 32 - 1, -(2 ** 31), 2 ** 32, 0.1, -2.5, 1e300, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53]) {
      const bytes = written((w) => {
        const b = w.reserve(9);
        w.pos = putNumber(b, w.pos, v);
      });
      expect(decode(bytes)).toBe(v);
      expect(bytes.length).toBe(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 32 ? encode(v).length : 9);
    }
  });

  test("strings: ASCII, 2-, 3- and 4-byte UTF-8, at header boundaries, with and without the cache", () => {
    const samples = [
      "",
      "a",
      "x".repeat(31),
      "x".repeat(32),
      "x".repeat(255),
      "x".repeat(256),
      "x".repeat(70_000),
      "é",
      "é".repeat(15),
      "é".repeat(16),
      "日本語",
      "😀",
      "a😀b",
      "é".repeat(100),
      "😀".repeat(40_000),
    ];
    for (const cache of [false, true]) {
      for (const s of samples) {
        const bytes = written((w) => {
          w.str(s);
          w.str(s); // a second time: from the cache when on
        }, cache);
        expect(decode(bytes.subarray(0, bytes.length / 2))).toBe(s);
        expect(bytes.length / 2).toBe(encode(s).length);
        expect(bytes.subarray(bytes.length / 2)).toEqual(bytes.subarray(0, bytes.length / 2));
      }
    }
  });

  test("containers: smallest array and map headers", () => {
    for (const n of [0, 15, 16, 65535, 65536]) {
      const arr = written((w) => w.arrayHeader(n));
      const map = written((w) => w.mapHeader(n));
      expect(arr.length).toBe(n < 16 ? 1 : n < 65536 ? 3 : 5);
      expect(map.length).toBe(arr.length);
    }
  });

  test("the buffer grows and keeps what was written", () => {
    const bytes = written((w) => {
      w.arrayHeader(5_000);
      for (let i = 0; i < 5_000; i++) w.str(`item-${i}-é`);
    }, true);
    expect(decode(bytes)).toEqual(Array.from({ length: 5_000 }, (_, i) => `item-${i}-é`));
  });
});
