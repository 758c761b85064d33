/**
 * Trace encoding throughput and payload size: flagpost's hand-written
 * msgpack encoders (v0.4 and v0.5) against dd-trace-js's own v0.4
 * `AgentEncoder` and `@msgpack/msgpack`'s `Encoder`, on the same spans, in
 * one run: 100 traces × 10 spans, each with 8 meta tags (one non-ASCII
 * value) and 3 metrics, from a seeded generator. Warm-up first, then
 * interleaved rounds (bench/_measure.ts); the median round is reported. Only encoding is timed (spans are built beforehand, in each
 * library's own span format); a last row times flagpost's build + encode.
 *
 * usage: bun bench/traces.ts [--rounds 15] [--iterations 40]
 * (`npm run bench` installs bench/'s own dependencies, dd-trace among them.)
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { Encoder } from "@msgpack/msgpack";
import { encodeTraces } from "../src/traces/encode.ts";
import { SpanBuilder } from "../src/traces/span-builder.ts";
import { TraceChunks } from "../src/traces/trace-chunks.ts";
import { type Contestant, formatNs, measure, numberOption, printTable } from "./_measure.ts";
import { seededRandom } from "./_records.ts";

const rounds = numberOption("rounds", 15);
const iterations = numberOption("iterations", 40);
const TRACES = 100;
const SPANS = 10;

/** One span, library-neutral. */
interface PlainSpan {
  service: string;
  name: string;
  resource: string;
  type: string;
  traceId: bigint;
  spanId: bigint;
  parentId: bigint;
  start: bigint;
  duration: bigint;
  error: number;
  meta: Record<string, string>;
  metrics: Record<string, number>;
}

const random = seededRandom(7);
const u64 = () =>
  (BigInt(Math.floor(random() * 2 ** 32)) << 32n) |
    BigInt(Math.floor(random() * 2 ** 32)) || 1n;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const RESOURCES = [
  "GET /cart",
  "POST /checkout",
  "GET /products/:id",
  "GET /",
  "SELECT * FROM orders WHERE id = ?",
];
const NAMES = [
  "web.request",
  "express.middleware",
  "pg.query",
  "http.request",
  "flag.evaluate",
];
const USERS = ["Zoë Ångström", "日本語ユーザー", "Łukasz 🚀", "Ñandú"];

function generate(): PlainSpan[][] {
  const traces: PlainSpan[][] = [];
  let clock = 1_700_000_000_000_000_000n;
  for (let t = 0; t < TRACES; t++) {
    const traceId = u64();
    const rootId = u64();
    const spans: PlainSpan[] = [];
    for (let s = 0; s < SPANS; s++) {
      clock += BigInt(Math.floor(random() * 1_000_000));
      spans.push({
        service: "shop-frontend",
        name: s === 0 ? "web.request" : pick(NAMES),
        resource: pick(RESOURCES),
        type: s === 0 ? "web" : pick(["web", "sql", "http", "custom"]),
        traceId,
        spanId: s === 0 ? rootId : u64(),
        parentId: s === 0 ? 0n : rootId,
        start: clock,
        duration: BigInt(Math.floor(random() * 50_000_000)),
        error: random() < 0.05 ? 1 : 0,
        meta: {
          "env": "prod",
          "version": "1.4.2",
          "component": pick(["express", "pg", "http", "openfeature"]),
          "http.method": pick(["GET", "POST"]),
          "http.status_code": pick(["200", "201", "404", "500"]),
          "runtime-id": "2f6c5a9e-4d1b-4c3e-9a8f-0b1c2d3e4f50",
          "ffe_flags_enc": pick(["ZAgUAg==", "AQI=", "ZAE="]),
          "usr.name": s === 0 ? pick(USERS) : `user-${Math.floor(random() * 1000)}`,
        },
        metrics: {
          "_sampling_priority_v1": 1,
          "_dd.measured": s === 0 ? 1 : 0,
          "_dd.agent_psr": 0.75,
        },
      });
    }
    traces.push(spans);
  }
  return traces;
}

const plain = generate();
const spanCount = TRACES * SPANS;

// flagpost: TraceChunks built from the plain spans (not timed).
function buildChunks(): TraceChunks {
  const chunks = new TraceChunks();
  for (const trace of plain) {
    chunks.beginChunk(trace.length);
    for (const p of trace) {
      const span = new SpanBuilder({
        service: p.service,
        name: p.name,
        resource: p.resource,
        type: p.type,
        traceId: p.traceId,
        spanId: p.spanId,
        parentId: p.parentId,
        start: p.start,
        duration: p.duration,
        error: p.error,
      });
      for (const k in p.meta) span.setMeta(k, p.meta[k]!);
      for (const k in p.metrics) span.setMetric(k, p.metrics[k]!);
      chunks.pushSpan(span);
    }
  }
  return chunks;
}
const chunks = buildChunks();

// dd-trace: its internal span format (what its span_format.js hands the encoder): Identifier ids, number times.
const require = createRequire(
  join(import.meta.dir, "node_modules", "dd-trace", "package.json"),
);
const ddSrc = join(
  import.meta.dir,
  "node_modules",
  "dd-trace",
  "packages",
  "dd-trace",
  "src",
);
const { AgentEncoder } = require(join(ddSrc, "encode", "0.4.js")) as {
  AgentEncoder: new (
    writer: { flush(): void },
    limit?: number,
  ) => { encode(trace: unknown[]): void; makePayload(): Uint8Array };
};
const ddId = require(join(ddSrc, "id.js")) as (
  value: string,
  radix?: number,
) => unknown;
const hex = (v: bigint) => v.toString(16).padStart(16, "0");
function ddTraces(): unknown[][] {
  return plain.map((trace) =>
    trace.map((p) => ({
      trace_id: ddId(hex(p.traceId)),
      span_id: ddId(hex(p.spanId)),
      parent_id: ddId(hex(p.parentId)),
      name: p.name,
      resource: p.resource,
      service: p.service,
      type: p.type,
      error: p.error,
      meta: { ...p.meta },
      metrics: { ...p.metrics },
      start: Number(p.start),
      duration: Number(p.duration),
    }))
  );
}
const ddInput = ddTraces();
const ddEncoder = new AgentEncoder({ flush() {} }, 64 * 1024 * 1024);

// @msgpack/msgpack: the v0.4 span maps as plain objects, 64-bit ids as bigint.
const msgpackSpans = plain.map((trace) =>
  trace.map((p) => ({
    service: p.service,
    name: p.name,
    resource: p.resource,
    type: p.type,
    trace_id: p.traceId,
    span_id: p.spanId,
    parent_id: p.parentId,
    start: p.start,
    duration: p.duration,
    error: p.error,
    meta: p.meta,
    metrics: p.metrics,
  }))
);
const msgpackEncoder = new Encoder({ useBigInt64: true });

const payload = (
  name: string,
  run: () => Uint8Array,
): Contestant & { encode: () => Uint8Array } => ({
  name,
  ops: spanCount * iterations,
  encode: run,
  run() {
    let bytes = 0;
    for (let i = 0; i < iterations; i++) bytes += run().length;
    return bytes;
  },
});
const contestants = [
  payload("flagpost v0.4", () => encodeTraces(chunks, "v0.4")),
  payload("flagpost v0.5", () => encodeTraces(chunks, "v0.5")),
  payload("dd-trace-js AgentEncoder v0.4", () => {
    for (const trace of ddInput) ddEncoder.encode(trace);
    return ddEncoder.makePayload();
  }),
  payload("@msgpack/msgpack encode", () => msgpackEncoder.encode(msgpackSpans)),
  payload("flagpost build + v0.4", () => encodeTraces(buildChunks(), "v0.4")),
];

const sizes = new Map(contestants.map((c) => [c.name, c.encode().length]));
const nsPerSpan = await measure(contestants, rounds, 3);
const rate = new Map([...nsPerSpan].map(([name, ns]) => [name, 1e9 / ns]));

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  `traces: ${TRACES} traces × ${SPANS} spans (8 meta, 3 metrics, one non-ASCII value), ${rounds} rounds × ${iterations} payloads, median`,
);
printTable(
  ["encoder", "spans/s", "per span", "bytes"],
  contestants.map((
    c,
  ) => [
    c.name,
    fmt(rate.get(c.name)!),
    formatNs(nsPerSpan.get(c.name)!),
    fmt(sizes.get(c.name)!),
  ]),
);
const ratio = (a: string, b: string) => (rate.get(a)! / rate.get(b)!).toFixed(2);
const dd = "dd-trace-js AgentEncoder v0.4";
const mp = "@msgpack/msgpack encode";
console.log();
console.log(
  `flagpost v0.4 vs dd-trace-js:      ${ratio("flagpost v0.4", dd)}× spans/s, payload ${sizes.get("flagpost v0.4")} vs ${
    sizes.get(dd)
  } bytes`,
);
console.log(
  `flagpost v0.4 vs @msgpack/msgpack: ${ratio("flagpost v0.4", mp)}× spans/s, payload ${sizes.get("flagpost v0.4")} vs ${
    sizes.get(mp)
  } bytes`,
);
console.log(
  `flagpost v0.5 vs dd-trace-js:      ${ratio("flagpost v0.5", dd)}× spans/s, payload ${sizes.get("flagpost v0.5")} bytes`,
);
console.log(
  `flagpost v0.5 vs @msgpack/msgpack: ${ratio("flagpost v0.5", mp)}× spans/s`,
);
