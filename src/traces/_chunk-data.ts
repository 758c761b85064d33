/**
 * The spans held by a `TraceChunks`, as the encoders and the exporter read
 * them, and whether the exporter has taken them (sent chunks are consumed).
 *
 * @module
 */
import type { SpanData } from "./_span-data.ts";

/** One trace chunk: `spans[0 .. size)` (the array may be pre-sized past `size`). */
export interface ChunkData {
  spans: SpanData[];
  size: number;
}

/** All chunks of a `TraceChunks`. */
export interface ChunksData {
  chunks: ChunkData[];
  spanCount: number;
  /** Set when sent. */
  consumed: boolean;
}

let registry: WeakMap<object, ChunksData> | undefined;

/** Associates a `TraceChunks` with its data. */
export function registerChunksData(owner: object, data: ChunksData): void {
  (registry ??= new WeakMap()).set(owner, data);
}

/** The data of a `TraceChunks`, or `undefined` for any other value. */
export function chunksDataOf(owner: unknown): ChunksData | undefined {
  return owner !== null && typeof owner === "object" ? registry?.get(owner) : undefined;
}
