import { describe, expect, test } from "bun:test";
import { decodeSerialIds, encodeSerialIds } from "../../src/enrichment/serial-ids.ts";
import { FlagpostError } from "../../src/core/errors.ts";
import { flagpostErrorOf } from "../support/errors.ts";
import { spanEnrichmentVectors } from "../support/data.ts";
import { ddTraceEncoding } from "./_dd-trace-reference.ts";

/** An independent decoder: Node's Buffer base64 and a BigInt LEB128 reader (no code shared with the codec). */
function independentDecode(encoded: string): number[] {
  const bytes = Buffer.from(encoded, "base64");
  const out: number[] = [];
  let value = 0n;
  let shift = 0n;
  let previous = 0n;
  for (const b of bytes) {
    value |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      previous += value;
      out.push(Number(previous));
      value = 0n;
      shift = 0n;
    }
  }
  return out;
}

describe("serial ids", () => {
  test("empty list encodes to the empty string and back", () => {
    expect(encodeSerialIds([])).toBe("");
    expect(decodeSerialIds("")).toEqual([]);
  });
  test("ids beyond 2^32 survive a round trip", () => {
    const ids = [5, 2 ** 32 + 7, 2 ** 40, Number.MAX_SAFE_INTEGER];
    expect(decodeSerialIds(encodeSerialIds(ids))).toEqual(ids);
    expect(independentDecode(encodeSerialIds(ids))).toEqual(ids);
  });
  test("a negative id is rejected naming its position", () => {
    expect(() => encodeSerialIds([3, -1])).toThrow(/serialIds\[0\]: -1/);
  });
  test("non-integers, unsafe integers and non-numbers are rejected with invalid_argument", () => {
    for (const bad of [[1.5], [Number.NaN], [2 ** 53], [Infinity], ["7" as unknown as number]]) {
      const error = flagpostErrorOf(() => encodeSerialIds(bad));
      expect(error.code).toBe("invalid_argument");
      expect(error.field).toMatch(/^serialIds\[\d+\]$/);
    }
  });
  test("a Set is accepted as is", () => {
    expect(encodeSerialIds(new Set([130, 100, 128, 108]))).toBe("ZAgUAg==");
  });
});

describe("vectors (tests/data/vectors/span-enrichment.json)", () => {
  for (const v of spanEnrichmentVectors().serialIds) {
    test(`${JSON.stringify(v.ids)} ↔ ${v.encoded}`, () => {
      const ascending = [...new Set(v.ids)].sort((a, b) => a - b);
      expect(encodeSerialIds(v.ids)).toBe(v.encoded);
      expect(decodeSerialIds(v.encoded)).toEqual(ascending);
      expect(independentDecode(v.encoded)).toEqual(ascending);
    });
  }
});

describe("differential with dd-trace-js's encoding.js", () => {
  test("identical bytes for ids below 2^31 (its correct domain), including each varint length boundary", () => {
    const boundaries = [0, 1, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, 268435456, 2 ** 31 - 1];
    expect(encodeSerialIds(boundaries)).toBe(ddTraceEncoding.encodeDeltaVarint(new Set(boundaries)));
    let seed = 3;
    for (let round = 0; round < 300; round++) {
      const ids = new Set<number>();
      const n = 1 + (round % 200);
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        ids.add(round % 2 === 0 ? seed % 5000 : seed);
      }
      expect(encodeSerialIds(ids)).toBe(ddTraceEncoding.encodeDeltaVarint(ids));
    }
  });
  test("at and above 2^32 dd-trace-js is wrong and flagpost is not", () => {
    for (const id of [2 ** 32, 2 ** 32 + 1, 2 ** 35 + 300, 2 ** 52]) {
      expect(independentDecode(encodeSerialIds([id]))).toEqual([id]);
      expect(independentDecode(ddTraceEncoding.encodeDeltaVarint(new Set([id])))).not.toEqual([id]);
    }
  });
});

describe("decodeSerialIds rejects malformed input", () => {
  test("bad base64 and a truncated varint are invalid_encoding", () => {
    for (const bad of ["Z", "ZA=", "Z!==", "gA=="]) {
      expect(() => decodeSerialIds(bad)).toThrow(FlagpostError);
    }
  });
  test("a sum beyond 2^53-1 is rejected", () => {
    const max = encodeSerialIds([Number.MAX_SAFE_INTEGER]);
    const bytes = [...Buffer.from(max, "base64"), 1];
    expect(() => decodeSerialIds(Buffer.from(bytes).toString("base64"))).toThrow(/exceeds 2\^53-1/);
  });
  test("an over-long varint is invalid_encoding naming its byte, never [NaN]", () => {
    const overLong = Buffer.from([0x05, ...new Array(199).fill(0x80), 0x00]).toString("base64");
    const e = flagpostErrorOf(() => decodeSerialIds(overLong));
    expect(e.code).toBe("invalid_encoding");
    expect(e.field).toBe("serialIds");
    expect(e.message).toMatch(/^serialIds: over-long varint at byte 1: more than 8 bytes/);
  });
});
