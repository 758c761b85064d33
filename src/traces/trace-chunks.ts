/**
 * `TraceChunks`: spans grouped into trace chunks (one chunk = the spans of
 * one trace that are sent together), with single ownership: a span is
 * consumed when pushed, the chunks are consumed when sent. Reuse is a
 * `FlagpostError` with `code: "consumed"`, never a span sent twice.
 *
 * Bounded: at most `maxChunks` chunks (default 1,000, the config's
 * `limits.maxQueuedTraceChunks`) and `maxSpans` spans (default 100,000);
 * past either, the call throws `FlagpostError` (`queue_full`) and the span
 * is still consumed.
 *
 * @module
 */
import { DEFAULT_LIMITS } from "../core/config.ts";
import { describeValue, FlagpostError } from "../core/errors.ts";
import { type ChunkData, type ChunksData, registerChunksData } from "./_chunk-data.ts";
import { spanDataOf } from "./_span-data.ts";
import type { SpanBuilder } from "./span-builder.ts";

/**
 * Caps of a `TraceChunks`.
 *
 * @example
 * ```ts
 * import { TraceChunks, type TraceChunksOptions } from "flagpost";
 * const options: TraceChunksOptions = { maxChunks: 10, maxSpans: 1_000 };
 * console.log(new TraceChunks(options).chunkCount); // 0
 * ```
 */
export interface TraceChunksOptions {
  /** Default 1,000. */
  readonly maxChunks?: number;
  /** Default 100,000 spans over all chunks. */
  readonly maxSpans?: number;
}

/** Default cap on spans held by one `TraceChunks`. */
export const DEFAULT_MAX_SPANS = 100_000;

function positive(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new FlagpostError("invalid_argument", `${field}=${describeValue(value)}: must be a positive integer`, { field });
  }
  return value;
}

/**
 * Trace chunks under construction. `beginChunk()` starts a chunk;
 * `pushSpan(span)` moves a span into the current chunk.
 *
 * @example
 * ```ts
 * import { generateId, SpanBuilder, TraceChunks } from "flagpost";
 * const chunks = new TraceChunks();
 * const traceId = generateId();
 * chunks.beginChunk(2);
 * for (const name of ["parent", "child"]) {
 *   chunks.pushSpan(new SpanBuilder({ service: "shop", name, resource: name, traceId, spanId: generateId(), start: 0, duration: 1 }));
 * }
 * console.log(chunks.chunkCount, chunks.spanCount); // 1 2
 * ```
 */
export class TraceChunks {
  readonly #data: ChunksData = { chunks: [], spanCount: 0, consumed: false };
  readonly #maxChunks: number;
  readonly #maxSpans: number;
  #current: ChunkData | undefined;

  constructor(options: TraceChunksOptions = {}) {
    this.#maxChunks = positive("maxChunks", options.maxChunks, DEFAULT_LIMITS.maxQueuedTraceChunks);
    this.#maxSpans = positive("maxSpans", options.maxSpans, DEFAULT_MAX_SPANS);
    registerChunksData(this, this.#data);
  }

  #live(): ChunksData {
    if (this.#data.consumed) throw new FlagpostError("consumed", "these trace chunks were already sent; build a new TraceChunks");
    return this.#data;
  }

  /**
   * Starts a new chunk; later spans go into it. `capacity` (how many spans
   * you expect, at most `maxSpans`) pre-sizes its storage.
   *
   * @example
   * ```ts
   * import { TraceChunks } from "flagpost";
   * const chunks = new TraceChunks();
   * chunks.beginChunk(10);
   * console.log(chunks.chunkCount); // 1
   * ```
   */
  beginChunk(capacity?: number): this {
    const data = this.#live();
    if (capacity !== undefined) {
      if (typeof capacity !== "number" || !Number.isSafeInteger(capacity) || capacity < 0 || capacity > this.#maxSpans) {
        throw new FlagpostError(
          "invalid_argument",
          `capacity=${describeValue(capacity)}: must be an integer from 0 to ${this.#maxSpans}`,
          { field: "capacity" },
        );
      }
    }
    if (data.chunks.length >= this.#maxChunks) {
      throw new FlagpostError("queue_full", `maxChunks=${this.#maxChunks} reached: send these chunks first`, { field: "maxChunks" });
    }
    const chunk: ChunkData = { spans: capacity ? new Array(capacity) : [], size: 0 };
    data.chunks.push(chunk);
    this.#current = chunk;
    return this;
  }

  /**
   * Moves `span` into the current chunk: the span is consumed, even when
   * this throws (no chunk begun, `maxSpans` reached, chunks already sent).
   * Pushing a span twice throws `FlagpostError` (`consumed`).
   *
   * @example
   * ```ts
   * import { FlagpostError, SpanBuilder, TraceChunks } from "flagpost";
   * const span = new SpanBuilder({ service: "s", name: "n", resource: "r", traceId: 1n, spanId: 2n, start: 0, duration: 1 });
   * const chunks = new TraceChunks().beginChunk();
   * chunks.pushSpan(span);
   * try {
   *   chunks.pushSpan(span);
   * } catch (e) {
   *   console.log(e instanceof FlagpostError && e.code); // "consumed"
   * }
   * ```
   */
  pushSpan(span: SpanBuilder): this {
    const spanData = span !== null && typeof span === "object" ? spanDataOf(span) : undefined;
    if (spanData === undefined) {
      throw new FlagpostError("invalid_argument", `span=${describeValue(span)}: must be a SpanBuilder`, { field: "span" });
    }
    if (spanData.consumed) {
      throw new FlagpostError("consumed", "this span was already pushed into a trace chunk; build a new SpanBuilder", { field: "span" });
    }
    spanData.consumed = true;
    const data = this.#live();
    const chunk = this.#current;
    if (chunk === undefined) {
      throw new FlagpostError("invalid_argument", "pushSpan before beginChunk: call beginChunk() first (the span was consumed)", {
        field: "chunk",
      });
    }
    if (data.spanCount >= this.#maxSpans) {
      throw new FlagpostError("queue_full", `maxSpans=${this.#maxSpans} reached: the span was dropped`, { field: "maxSpans" });
    }
    if (chunk.size < chunk.spans.length) chunk.spans[chunk.size] = spanData;
    else chunk.spans.push(spanData);
    chunk.size++;
    data.spanCount++;
    return this;
  }

  /** Chunks begun so far (an empty chunk is not sent). */
  get chunkCount(): number {
    return this.#data.chunks.length;
  }

  /** Spans pushed so far. */
  get spanCount(): number {
    return this.#data.spanCount;
  }

  /** True once the chunks were sent. */
  get consumed(): boolean {
    return this.#data.consumed;
  }
}
