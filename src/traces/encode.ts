/**
 * The agent's trace intake formats, hand-written over `MsgpackWriter`:
 *
 * - **v0.4** (`/v0.4/traces`): an array of traces, each an array of span
 *   maps (`service, name, resource, trace_id, span_id, parent_id, start,
 *   duration, error, meta, metrics`, and `type` when not empty). Repeated
 *   strings are copied from their first encoding.
 * - **v0.5** (`/v0.5/traces`): `[stringTable, traces]`, the table starting
 *   with `""`, each span a 12-element array whose strings are table indices.
 *
 * No intermediate objects: spans go from their validated data straight to
 * bytes, ids as exact 64-bit integers, every header in its smallest form.
 * A payload over a byte cap is split into several (`encodePayloads`).
 *
 * @module
 */
import { describeValue, FlagpostError } from "../core/errors.ts";
import type { ChunkData } from "./_chunk-data.ts";
import { chunksDataOf } from "./_chunk-data.ts";
import { MsgpackWriter, putAscii, putContainerHeader, putInt32, putNumber, putUint32, putUint64, strBound } from "./_msgpack-writer.ts";
import type { SpanData } from "./_span-data.ts";
import type { TraceChunks } from "./trace-chunks.ts";
import {
  keyDuration,
  keyError,
  keyMeta,
  keyMetrics,
  keyName,
  keyParentId,
  keyResource,
  keyService,
  keySpanId,
  keyStart,
  keyTraceId,
  keyType,
} from "./_v04-keys.ts";

/**
 * A trace intake format.
 *
 * @example
 * ```ts
 * import type { TraceVersion } from "flagpost";
 * const version: TraceVersion = "v0.5";
 * console.log(`/${version}/traces`);
 * ```
 */
export type TraceVersion = "v0.4" | "v0.5";

/** Bytes a v0.4 span needs besides its strings and tags: map header, keys, ids, times, error, tag map headers. */
const V04_FIXED = 1 + 9 + 9 + 8 + 9 + 10 + 9 + 6 + 9 + 9 + 9 + 6 + 5 + 8 + 5 + 9 + 5 + 5 + 5 + 8 + 5;

/** Upper bound of a span's tags' msgpack size (strings at 3 bytes per unit, numbers at 9). */
function tagsBound(s: SpanData): number {
  let n = 0;
  const metaKeys = s.metaKeys;
  const metaValues = s.metaValues;
  for (let i = 0; i < metaKeys.length; i++) n += metaKeys[i]!.length + metaValues[i]!.length;
  const metricKeys = s.metricKeys;
  for (let i = 0; i < metricKeys.length; i++) n += metricKeys[i]!.length;
  return n * 3 + metaKeys.length * 10 + metricKeys.length * 14;
}

/** A string: ASCII inline, the rest through the writer (cache). */
function str(w: MsgpackWriter, b: Uint8Array, p: number, s: string): number {
  const end = putAscii(b, p, s);
  return end >= 0 ? end : w.putNonAscii(p, s);
}

function spanV04(w: MsgpackWriter, s: SpanData): void {
  const b = w.reserve(V04_FIXED + strBound(s.service) + strBound(s.name) + strBound(s.resource) + strBound(s.type) + tagsBound(s));
  let p = w.pos;
  b[p++] = s.type === "" ? 0x8b : 0x8c;
  p = keyTraceId(b, p);
  p = putUint64(b, p, s.traceHi, s.traceLo);
  p = keySpanId(b, p);
  p = putUint64(b, p, s.spanHi, s.spanLo);
  p = keyParentId(b, p);
  p = putUint64(b, p, s.parentHi, s.parentLo);
  p = keyStart(b, p);
  p = putUint64(b, p, s.startHi, s.startLo);
  p = keyDuration(b, p);
  p = putUint64(b, p, s.durationHi, s.durationLo);
  p = keyError(b, p);
  p = putInt32(b, p, s.error);
  p = keyService(b, p);
  p = str(w, b, p, s.service);
  p = keyName(b, p);
  p = str(w, b, p, s.name);
  p = keyResource(b, p);
  p = str(w, b, p, s.resource);
  if (s.type !== "") {
    p = keyType(b, p);
    p = str(w, b, p, s.type);
  }
  p = keyMeta(b, p);
  const metaKeys = s.metaKeys;
  const metaValues = s.metaValues;
  p = putContainerHeader(b, p, metaKeys.length, 0x80, 0xde);
  for (let i = 0; i < metaKeys.length; i++) {
    p = str(w, b, p, metaKeys[i]!);
    p = str(w, b, p, metaValues[i]!);
  }
  p = keyMetrics(b, p);
  const metricKeys = s.metricKeys;
  const metricValues = s.metricValues;
  p = putContainerHeader(b, p, metricKeys.length, 0x80, 0xde);
  for (let i = 0; i < metricKeys.length; i++) {
    p = str(w, b, p, metricKeys[i]!);
    p = putNumber(b, p, metricValues[i]!);
  }
  w.pos = p;
}

/** Writes the chunks `list[from..to)` as v0.4 traces (no outer array header); returns each chunk's end offset. */
function chunksV04(w: MsgpackWriter, list: readonly ChunkData[], from: number, to: number, ends?: number[]): void {
  for (let c = from; c < to; c++) {
    const chunk = list[c]!;
    w.arrayHeader(chunk.size);
    const spans = chunk.spans;
    for (let i = 0; i < chunk.size; i++) spanV04(w, spans[i]!);
    ends?.push(w.pos);
  }
}

/** The v0.5 string table under construction. */
class StringTable {
  readonly index = new Map<string, number>([["", 0]]);
  readonly writer: MsgpackWriter;

  constructor(capacity: number) {
    this.writer = new MsgpackWriter(capacity, false, 0, tableScratch);
    tableScratch = undefined;
    this.writer.str("");
  }

  ref(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.index.size;
      this.index.set(s, i);
      this.writer.str(s);
    }
    return i;
  }
}

function spanV05(w: MsgpackWriter, t: StringTable, s: SpanData): void {
  const service = t.ref(s.service);
  const name = t.ref(s.name);
  const resource = t.ref(s.resource);
  const type = t.ref(s.type);
  const metaKeys = s.metaKeys;
  const metaValues = s.metaValues;
  const metricKeys = s.metricKeys;
  const metricValues = s.metricValues;
  const b = w.reserve(1 + 5 * 3 + 9 * 5 + 5 + 5 + metaKeys.length * 10 + 5 + metricKeys.length * 14 + 5);
  let p = w.pos;
  b[p++] = 0x9c;
  p = putUint32(b, p, service);
  p = putUint32(b, p, name);
  p = putUint32(b, p, resource);
  p = putUint64(b, p, s.traceHi, s.traceLo);
  p = putUint64(b, p, s.spanHi, s.spanLo);
  p = putUint64(b, p, s.parentHi, s.parentLo);
  p = putUint64(b, p, s.startHi, s.startLo);
  p = putUint64(b, p, s.durationHi, s.durationLo);
  p = putInt32(b, p, s.error);
  p = putContainerHeader(b, p, metaKeys.length, 0x80, 0xde);
  for (let i = 0; i < metaKeys.length; i++) {
    p = putUint32(b, p, t.ref(metaKeys[i]!));
    p = putUint32(b, p, t.ref(metaValues[i]!));
  }
  p = putContainerHeader(b, p, metricKeys.length, 0x80, 0xde);
  for (let i = 0; i < metricKeys.length; i++) {
    p = putUint32(b, p, t.ref(metricKeys[i]!));
    p = putNumber(b, p, metricValues[i]!);
  }
  p = putUint32(b, p, type);
  w.pos = p;
}

/** Non-empty chunks of a `TraceChunks`, checked. */
function chunkList(chunks: TraceChunks): ChunkData[] {
  const data = chunksDataOf(chunks);
  if (data === undefined) {
    throw new FlagpostError("invalid_argument", `chunks=${describeValue(chunks)}: must be a TraceChunks`, { field: "chunks" });
  }
  if (data.consumed) throw new FlagpostError("consumed", "these trace chunks were already sent", { field: "chunks" });
  return data.chunks.filter((c) => c.size > 0);
}

function checkVersion(version: unknown): TraceVersion {
  if (version !== "v0.4" && version !== "v0.5") {
    throw new FlagpostError("invalid_argument", `version=${describeValue(version)}: must be "v0.4" or "v0.5"`, { field: "version" });
  }
  return version;
}

/** Array header size for `n` elements. */
function arrayHeaderSize(n: number): number {
  return n < 16 ? 1 : n < 0x10000 ? 3 : 5;
}

/** Writes an array header ending exactly at `end`; returns where it starts. */
function arrayHeaderBefore(bytes: Uint8Array, end: number, n: number): number {
  const at = end - arrayHeaderSize(n);
  putContainerHeader(bytes, at, n, 0x90, 0xdc);
  return at;
}

/**
 * Bytes per span of the last v0.4 payload: the next buffer is sized from it,
 * so a steady workload rarely grows a buffer mid-encode. Starts at a typical
 * span's size.
 */
let bytesPerSpanHint = 384;

/**
 * A work buffer kept between encodes (encoding is synchronous, so one is
 * enough): a fresh multi-megabyte buffer per payload costs its zero-fill
 * and page faults (measured a quarter of the encode time), while the
 * result, an exact-size copy, costs one `slice`. Buffers above
 * `SCRATCH_KEEP` are not kept, so a rare huge payload does not pin memory.
 */
let scratch: Uint8Array | undefined;
/** The same for the v0.5 string table. */
let tableScratch: Uint8Array | undefined;
const SCRATCH_KEEP = 4 * 1024 * 1024;

/** A writer over the kept work buffer (taken, so a nested encode could never share it). */
function borrowWriter(capacity: number, cacheStrings: boolean): MsgpackWriter {
  const buffer = scratch;
  scratch = undefined;
  return new MsgpackWriter(capacity, cacheStrings, 5, buffer);
}

/** Copies `[from, w.pos)` out of the writer, then keeps its buffer for the next encode. */
function finish(w: MsgpackWriter, from: number): Uint8Array {
  const out = w.bytes.slice(from, w.pos);
  if (w.bytes.length <= SCRATCH_KEEP) scratch = w.bytes;
  return out;
}

/** A size guess for pre-sizing the buffer. */
function capacityFor(list: readonly ChunkData[], from: number, to: number): number {
  return Math.min(spansIn(list, from, to) * bytesPerSpanHint + 64, 64 * 1024 * 1024);
}

/** Learns the bytes per span of a finished v0.4 payload (with 1/8 headroom). */
function learnSize(bytes: number, spans: number): void {
  if (spans > 0) bytesPerSpanHint = Math.min(Math.max(64, Math.ceil((bytes / spans) * 1.125)), 64 * 1024);
}

function encodeV04Range(list: readonly ChunkData[], from: number, to: number): Uint8Array {
  const w = borrowWriter(capacityFor(list, from, to), true);
  chunksV04(w, list, from, to);
  learnSize(w.pos, spansIn(list, from, to));
  return finish(w, arrayHeaderBefore(w.bytes, 5, to - from));
}

function encodeV05Range(list: readonly ChunkData[], from: number, to: number): Uint8Array {
  const capacity = capacityFor(list, from, to);
  const table = new StringTable(capacity >>> 2);
  const w = borrowWriter(capacity, false);
  for (let c = from; c < to; c++) {
    const chunk = list[c]!;
    w.arrayHeader(chunk.size);
    for (let i = 0; i < chunk.size; i++) spanV05(w, table, chunk.spans[i]!);
  }
  const tableBytes = table.writer.result();
  const tracesStart = arrayHeaderBefore(w.bytes, 5, to - from);
  const tableHeader = arrayHeaderSize(table.index.size);
  const out = new Uint8Array(1 + tableHeader + tableBytes.length + (w.pos - tracesStart));
  out[0] = 0x92;
  arrayHeaderBefore(out, 1 + tableHeader, table.index.size);
  out.set(tableBytes, 1 + tableHeader);
  out.set(w.bytes.subarray(tracesStart, w.pos), 1 + tableHeader + tableBytes.length);
  if (w.bytes.length <= SCRATCH_KEEP) scratch = w.bytes;
  if (table.writer.bytes.length <= SCRATCH_KEEP) tableScratch = table.writer.bytes;
  return out;
}

/**
 * Encodes every non-empty chunk as one `/v0.4/traces` or `/v0.5/traces`
 * payload. Does not consume the chunks (sending does). Throws
 * `FlagpostError`: `invalid_argument` for a bad version or a non-`TraceChunks`,
 * `consumed` for chunks already sent.
 *
 * @example
 * ```ts
 * import { decode } from "@msgpack/msgpack";
 * import { encodeTraces, SpanBuilder, TraceChunks } from "flagpost";
 * const chunks = new TraceChunks().beginChunk(1);
 * chunks.pushSpan(new SpanBuilder({ service: "s", name: "n", resource: "r", traceId: 2n ** 64n - 1n, spanId: 1n, start: 0, duration: 5 }));
 * const bytes = encodeTraces(chunks, "v0.4");
 * const [[span]] = decode(bytes, { useBigInt64: true }) as Array<Array<{ trace_id: bigint }>>;
 * console.log(span!.trace_id); // 18446744073709551615n
 * ```
 */
export function encodeTraces(chunks: TraceChunks, version: TraceVersion): Uint8Array {
  const v = checkVersion(version);
  const list = chunkList(chunks);
  return v === "v0.4" ? encodeV04Range(list, 0, list.length) : encodeV05Range(list, 0, list.length);
}

/** One request's worth of chunks. */
export interface TracePayload {
  readonly bytes: Uint8Array;
  /** Chunks (traces) in it: the `X-Datadog-Trace-Count` header. */
  readonly chunkCount: number;
  readonly spanCount: number;
  /** The chunk range `[from, to)` of the encoded list. */
  readonly from: number;
  readonly to: number;
}

/** Payloads for a list of chunks, each at most `maxBytes`; chunks that alone exceed it are returned apart. */
export interface SplitPayloads {
  readonly payloads: TracePayload[];
  /** Chunks too large for any payload, with their span counts. */
  readonly tooLarge: Array<{ bytes: number; spanCount: number }>;
}

function spansIn(list: readonly ChunkData[], from: number, to: number): number {
  let n = 0;
  for (let c = from; c < to; c++) n += list[c]!.size;
  return n;
}

/**
 * Encodes `list` into payloads of at most `maxBytes` each (the agent's
 * request limit). v0.4 encodes once and cuts between chunks; v0.5 (one
 * string table per payload) halves the chunk range until each part fits.
 */
export function encodePayloads(list: readonly ChunkData[], version: TraceVersion, maxBytes: number): SplitPayloads {
  const payloads: TracePayload[] = [];
  const tooLarge: Array<{ bytes: number; spanCount: number }> = [];
  if (list.length === 0) return { payloads, tooLarge };
  if (version === "v0.4") {
    const w = borrowWriter(capacityFor(list, 0, list.length), true);
    const ends: number[] = [];
    chunksV04(w, list, 0, list.length, ends);
    learnSize(w.pos, spansIn(list, 0, list.length));
    if (arrayHeaderSize(list.length) + w.pos - 5 <= maxBytes) {
      payloads.push({
        bytes: finish(w, arrayHeaderBefore(w.bytes, 5, list.length)),
        chunkCount: list.length,
        spanCount: spansIn(list, 0, list.length),
        from: 0,
        to: list.length,
      });
      return { payloads, tooLarge };
    }
    let from = 0;
    while (from < list.length) {
      const startByte = from === 0 ? 5 : ends[from - 1]!;
      let to = from;
      while (to < list.length && arrayHeaderSize(to + 1 - from) + ends[to]! - startByte <= maxBytes) to++;
      if (to === from) {
        tooLarge.push({ bytes: 1 + ends[from]! - startByte, spanCount: list[from]!.size });
        from++;
        continue;
      }
      const header = arrayHeaderSize(to - from);
      const out = new Uint8Array(header + ends[to - 1]! - startByte);
      arrayHeaderBefore(out, header, to - from);
      out.set(w.bytes.subarray(startByte, ends[to - 1]!), header);
      payloads.push({ bytes: out, chunkCount: to - from, spanCount: spansIn(list, from, to), from, to });
      from = to;
    }
    if (w.bytes.length <= SCRATCH_KEEP) scratch = w.bytes;
    return { payloads, tooLarge };
  }
  const split = (from: number, to: number): void => {
    const bytes = encodeV05Range(list, from, to);
    if (bytes.length <= maxBytes) {
      payloads.push({ bytes, chunkCount: to - from, spanCount: spansIn(list, from, to), from, to });
    } else if (to - from === 1) {
      tooLarge.push({ bytes: bytes.length, spanCount: list[from]!.size });
    } else {
      const mid = from + Math.floor((to - from) / 2);
      split(from, mid);
      split(mid, to);
    }
  };
  split(0, list.length);
  return { payloads, tooLarge };
}

/**
 * Takes the chunks for sending: checks them, marks them consumed (a second
 * send is a `consumed` error) and returns the non-empty ones.
 */
export function takeChunks(chunks: TraceChunks): ChunkData[] {
  const list = chunkList(chunks);
  chunksDataOf(chunks)!.consumed = true;
  return list;
}
