/** The hand-unrolled v0.4 span-map keys: each writer emits exactly the msgpack fixstr of its key and returns the next offset. */
import { describe, expect, test } from "bun:test";
import { decode } from "@msgpack/msgpack";
import * as keys from "../../src/traces/_v04-keys.ts";

const expected: Array<[(b: Uint8Array, p: number) => number, string]> = [
  [keys.keyTraceId, "trace_id"],
  [keys.keySpanId, "span_id"],
  [keys.keyParentId, "parent_id"],
  [keys.keyStart, "start"],
  [keys.keyDuration, "duration"],
  [keys.keyError, "error"],
  [keys.keyService, "service"],
  [keys.keyName, "name"],
  [keys.keyResource, "resource"],
  [keys.keyType, "type"],
  [keys.keyMeta, "meta"],
  [keys.keyMetrics, "metrics"],
];

describe("v0.4 key writers", () => {
  test("every exported writer is covered here", () => {
    expect(Object.keys(keys).sort()).toEqual(expected.map(([write]) => write.name).sort());
  });
  for (const [write, name] of expected) {
    test(`${write.name} writes "${name}" as a fixstr at the offset, touching nothing else`, () => {
      const at = 3;
      const buffer = new Uint8Array(at + 1 + name.length + 2).fill(0xee);
      const next = write(buffer, at);
      expect(next).toBe(at + 1 + name.length);
      expect(decode(buffer.subarray(at, next))).toBe(name); // independent decoder
      expect(buffer[at]).toBe(0xa0 | name.length);
      expect([...buffer.subarray(0, at), ...buffer.subarray(next)]).toEqual(new Array(at + 2).fill(0xee));
    });
  }
});
