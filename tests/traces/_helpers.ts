/**
 * Shared pieces of the trace tests: a reference view of spans (what the
 * agent must decode), a random span generator, decoding through
 * `@msgpack/msgpack` with 64-bit integers exact.
 */
import { decode } from "@msgpack/msgpack";
import type { DecodedSpan } from "../../mock-agent/mod.ts";
import { SpanBuilder, type SpanFields } from "../../src/traces/span-builder.ts";
import { TraceChunks } from "../../src/traces/trace-chunks.ts";

export { seededRandom as seeded } from "../../bench/_records.ts";

/** A span as the agent sees it (the mock agent's decoded form: bigint integers, `type` "" when absent). */
export type ExpectedSpan = DecodedSpan;

/** Input of one span: builder fields plus tags. */
export interface SpanInput {
  fields: SpanFields;
  meta?: Array<[string, string]>;
  metrics?: Array<[string, number]>;
}

const big = (v: bigint | number | string): bigint => (typeof v === "string" ? BigInt(`0x${v}`) : BigInt(v));

/** What the agent must decode for `input`. */
export function expectedSpan(input: SpanInput): ExpectedSpan {
  const f = input.fields;
  const trace = big(f.traceId);
  const meta: Record<string, string> = {};
  if (trace >> 64n !== 0n) meta["_dd.p.tid"] = (trace >> 64n).toString(16).padStart(16, "0");
  for (const [k, v] of input.meta ?? []) meta[k] = v;
  const metrics: Record<string, number> = {};
  for (const [k, v] of input.metrics ?? []) metrics[k] = v;
  return {
    service: f.service,
    name: f.name,
    resource: f.resource,
    trace_id: trace & ((1n << 64n) - 1n),
    span_id: big(f.spanId),
    parent_id: f.parentId === undefined ? 0n : big(f.parentId),
    start: big(f.start),
    duration: big(f.duration),
    error: f.error === true ? 1 : f.error === false || f.error === undefined ? 0 : f.error,
    meta,
    metrics,
    type: f.type ?? "",
  };
}

/** Builds the chunks of `traces` (one chunk per inner array). */
export function buildChunks(traces: SpanInput[][]): TraceChunks {
  const chunks = new TraceChunks();
  for (const trace of traces) {
    chunks.beginChunk(trace.length);
    for (const input of trace) chunks.pushSpan(buildSpan(input));
  }
  return chunks;
}

export function buildSpan(input: SpanInput): SpanBuilder {
  const span = new SpanBuilder(input.fields);
  for (const [k, v] of input.meta ?? []) span.setMeta(k, v);
  for (const [k, v] of input.metrics ?? []) span.setMetric(k, v);
  return span;
}

function toBigInt(v: unknown): bigint {
  return typeof v === "bigint" ? v : BigInt(v as number);
}

/** Decodes a v0.4 payload with @msgpack/msgpack into the reference shape (absent `type` → ""). */
export function decodeV04(bytes: Uint8Array): ExpectedSpan[][] {
  const raw = decode(bytes, { useBigInt64: true }) as Array<Array<Record<string, unknown>>>;
  return raw.map((trace) =>
    trace.map((s) => ({
      service: s.service as string,
      name: s.name as string,
      resource: s.resource as string,
      trace_id: toBigInt(s.trace_id),
      span_id: toBigInt(s.span_id),
      parent_id: toBigInt(s.parent_id),
      start: toBigInt(s.start),
      duration: toBigInt(s.duration),
      error: Number(s.error),
      meta: { ...(s.meta as Record<string, string>) },
      metrics: Object.fromEntries(Object.entries(s.metrics as Record<string, number | bigint>).map(([k, v]) => [k, Number(v)])),
      type: (s.type as string | undefined) ?? "",
    }))
  );
}

/** Decodes a v0.5 payload with @msgpack/msgpack, resolving string-table indices. */
export function decodeV05(bytes: Uint8Array): { table: string[]; traces: ExpectedSpan[][] } {
  const [table, traces] = decode(bytes, { useBigInt64: true, mapKeyConverter: (k) => String(k) }) as [string[], unknown[][][]];
  const ref = (i: unknown) => table[Number(i)]!;
  return {
    table,
    traces: traces.map((trace) =>
      trace.map((a) => {
        if (a.length !== 12) throw new Error(`span array of ${a.length}`);
        const meta: Record<string, string> = {};
        for (const [k, v] of Object.entries(a[9] as Record<string, unknown>)) meta[ref(k)] = ref(v);
        const metrics: Record<string, number> = {};
        for (const [k, v] of Object.entries(a[10] as Record<string, unknown>)) metrics[ref(k)] = Number(v);
        return {
          service: ref(a[0]),
          name: ref(a[1]),
          resource: ref(a[2]),
          trace_id: toBigInt(a[3]),
          span_id: toBigInt(a[4]),
          parent_id: toBigInt(a[5]),
          start: toBigInt(a[6]),
          duration: toBigInt(a[7]),
          error: Number(a[8]),
          meta,
          metrics,
          type: ref(a[11]),
        };
      })
    ),
  };
}

const SAMPLE_TEXT = [
  "",
  "a",
  "GET /cart",
  "日本語",
  "Zoë",
  "😀 emoji",
  "x".repeat(31),
  "y".repeat(32),
  "é".repeat(40),
  "z".repeat(300),
  "ü".repeat(70),
];
const SAMPLE_NUMBERS = [
  0,
  1,
  -1,
  127,
  128,
  -32,
  -33,
  255,
  256,
  65535,
  65536,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 32 - 1,
  2 ** 32,
  0.5,
  -1e300,
  1.7976931348623157e308,
  Number.MIN_VALUE,
];

/** Random spans covering every msgpack size class of ids, times, strings and numbers. */
export function randomTraces(random: () => number, traces: number, maxSpans: number): SpanInput[][] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const id = (bits: number): bigint => {
    let v = 0n;
    for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(random() * 65536));
    const size = Math.min(bits, pick([1, 7, 8, 15, 16, 31, 32, 33, 63, 64, bits]));
    v &= (1n << BigInt(size)) - 1n;
    return v === 0n ? 1n : v;
  };
  const out: SpanInput[][] = [];
  for (let t = 0; t < traces; t++) {
    const traceId = random() < 0.3 ? id(128) : id(64);
    const trace: SpanInput[] = [];
    const n = 1 + Math.floor(random() * maxSpans);
    for (let s = 0; s < n; s++) {
      const meta: Array<[string, string]> = [];
      const metaCount = Math.floor(random() * 20);
      for (let i = 0; i < metaCount; i++) meta.push([`k${i}${pick(SAMPLE_TEXT).slice(0, 5)}`, pick(SAMPLE_TEXT)]);
      const metrics: Array<[string, number]> = [];
      const metricCount = Math.floor(random() * 5);
      for (let i = 0; i < metricCount; i++) metrics.push([`m${i}`, pick(SAMPLE_NUMBERS)]);
      trace.push({
        fields: {
          service: pick(["svc", "shop-frontend", "サービス"]),
          name: pick(["web.request", "op", "😀"]),
          resource: pick(SAMPLE_TEXT),
          type: pick(["", "web", "sql"]),
          traceId,
          spanId: id(64),
          parentId: random() < 0.3 ? 0n : id(64),
          start: id(62),
          duration: random() < 0.5 ? BigInt(Math.floor(random() * 1000)) : id(62),
          error: pick([0, 1, -1, 2 ** 31 - 1, -(2 ** 31)]),
        },
        meta,
        metrics,
      });
    }
    out.push(trace);
  }
  return out;
}
