/** Chunk data: a TraceChunks' spans are found by the TraceChunks, never by any other value. */
import { describe, expect, test } from "bun:test";
import { type ChunksData, chunksDataOf, registerChunksData } from "../../src/traces/_chunk-data.ts";
import { buildChunks } from "./_helpers.ts";

const fields = { service: "s", name: "n", resource: "r", traceId: 1n, spanId: 1n, start: 0, duration: 0 };

describe("registerChunksData / chunksDataOf", () => {
  test("a TraceChunks' data holds its chunks, span count and consumed flag", () => {
    const chunks = buildChunks([[{ fields }, { fields: { ...fields, spanId: 2n } }], [{ fields: { ...fields, traceId: 2n } }]]);
    const data = chunksDataOf(chunks)!;
    expect(data.chunks.map((c) => c.size)).toEqual([2, 1]);
    expect(data.spanCount).toBe(3);
    expect(data.consumed).toBe(false);
  });
  test("non-objects and unregistered objects have no data; a registered owner does", () => {
    for (const v of [undefined, null, 1, "chunks", {}]) expect(chunksDataOf(v)).toBeUndefined();
    const owner = {};
    const data: ChunksData = { chunks: [], spanCount: 0, consumed: false };
    registerChunksData(owner, data);
    expect(chunksDataOf(owner)).toBe(data);
  });
});
