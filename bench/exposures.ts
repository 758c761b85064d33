/**
 * Exposures: flagpost's `ExposureWriter.add()` + payload encoding against
 * the peers, side by side in one run, on the same 1,000 evaluations from
 * bench/_records.ts (seeded: 20 flags × 100 subjects, ~5 % defaults, ~2 %
 * errors, ~90 % doLog).
 *
 * Contestants, each starting from empty state every pass (dedupe caches
 * cleared), network left out:
 * - flagpost, whole path: `add(record)` ×1,000 (validation, dedupe, per-event
 *   encoding, size caps) then `flush()` into a stub fetch that answers 202
 *   (so the request body is built and handed over, the sender included).
 * - (b) dd-trace-js `ExposuresWriter` (packages/dd-trace/src/openfeature/
 *   writers/exposures.js): an event object per logged record, `append()`,
 *   then its `flush()` with `_sendPayload` stubbed (it builds `makePayload`
 *   + `JSON.stringify`; we add the UTF-8 encoding the socket would do).
 *   Its periodic timer and beforeExit hook are stubbed/cleared.
 * - (c) @datadog/flagging-core: `createExposureEvent()` per record with its
 *   `LRUInMemoryAssignmentCache` (has/set), as its OpenFeature providers do.
 *   It does no encoding at all.
 * - dd-trace-js as deployed: (c) then (b), as its provider's `handleExposure`
 *   does, then the writer's flush.
 * Encoding alone: `encodeExposurePayload(context, events)` against the
 * floor, `JSON.stringify` + `TextEncoder` of the same event objects.
 *
 * usage: bun bench/exposures.ts [--rounds 10] [--iterations 200]
 * (`npm run bench` installs bench/'s own dependencies first.)
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { resolveConfig } from "../src/core/config.ts";
import type { EvaluationRecord } from "../src/core/evaluation.ts";
import { ExposureCache } from "../src/exposures/cache.ts";
import { encodeExposurePayload } from "../src/exposures/encode.ts";
import { type ExposureEvent, exposureEvent } from "../src/exposures/event.ts";
import { ExposureWriter } from "../src/exposures/writer.ts";
import { type Clock, type Contestant, cpuClock, measure, numberOption } from "./_measure.ts";
import { generateRecords } from "./_records.ts";

const rounds = numberOption("rounds", 10);
const iterations = numberOption("iterations", 200);

const records: EvaluationRecord[] = generateRecords(1000);
const config = resolveConfig({
  DD_SERVICE: "bench-service",
  DD_ENV: "prod",
  DD_VERSION: "1.0.0",
  DD_AGENT_HOST: "localhost",
});
const context = { service: "bench-service", env: "prod", version: "1.0.0" };
const logged = records.filter((r) => r.doLog && r.variant !== undefined && r.allocationKey !== undefined);
const events: ExposureEvent[] = logged.map(exposureEvent);

let sink = 0;

// ---- flagpost -------------------------------------------------------------------------------
const cache = new ExposureCache(config.limits.exposureCacheSize);
const accepted = new Response(null, { status: 202 });
const writer = new ExposureWriter(config, {
  cache,
  fetch: ((_url: string, init: RequestInit) => {
    sink += (init.body as Uint8Array).byteLength;
    return Promise.resolve(accepted.clone());
  }) as typeof fetch,
});
/** add() alone: what runs on the flag-evaluation path (a fresh writer per pass, built outside the timed region). */
function runFlagpostAdd(n: number, clock: Clock): number {
  let ms = 0;
  for (let k = 0; k < n; k++) {
    cache.clear();
    const fresh = new ExposureWriter(config, { cache });
    const started = clock();
    for (let i = 0; i < records.length; i++) fresh.add(records[i]!);
    ms += clock() - started;
    sink += fresh.pending;
  }
  return ms;
}
/** add() in steady state: the cache already holds every exposure of the traffic (all duplicates), as in a long-lived isolate. */
const warmWriter = new ExposureWriter(config);
for (const r of records) warmWriter.add(r);
function runFlagpostAddWarm(n: number): void {
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < records.length; i++) warmWriter.add(records[i]!);
  }
  sink += warmWriter.pending;
}
async function runFlagpost(n: number): Promise<void> {
  for (let k = 0; k < n; k++) {
    cache.clear();
    for (let i = 0; i < records.length; i++) writer.add(records[i]!);
    sink += (await writer.flush()).sent;
  }
}

function runEncode(n: number): void {
  for (let k = 0; k < n; k++) {
    sink += encodeExposurePayload(context, events).byteLength;
  }
}
const floorEncoder = new TextEncoder();
function runFloor(n: number): void {
  for (let k = 0; k < n; k++) {
    sink += floorEncoder.encode(JSON.stringify({ context, exposures: events }))
      .byteLength;
  }
}

// ---- (b) dd-trace-js ExposuresWriter ----------------------------------------------------------
const ddTraceRoot = join(import.meta.dirname, "node_modules/dd-trace");
const ddTraceVersion = JSON.parse(
  readFileSync(join(ddTraceRoot, "package.json"), "utf8"),
).version as string;
const ddGlobal = Symbol.for("dd-trace");
(globalThis as Record<symbol, unknown>)[ddGlobal] ??= {
  beforeExitHandlers: new Set(),
};
const requireDd = createRequire(join(ddTraceRoot, "package.json"));
/** The part of dd-trace-js's ExposuresWriter this benchmark drives. */
interface DdWriter {
  setEnabled(enabled: boolean): void;
  append(events: unknown): void;
  flush(): void;
  destroy(): void;
  _sendPayload: (payload: string, count: number) => void;
  _buffer: unknown[];
  _bufferSize: number;
}
const DdExposuresWriter = requireDd(
  "./packages/dd-trace/src/openfeature/writers/exposures.js",
) as new (config: Record<string, unknown>) => DdWriter;
const ddWriter = new DdExposuresWriter({
  service: "bench-service",
  env: "prod",
  version: "1.0.0",
  url: new URL("http://localhost:8126"),
});
ddWriter.setEnabled(true);
const ddEncoder = new TextEncoder();
ddWriter._sendPayload = (payload: string, count: number) => {
  sink += ddEncoder.encode(payload).byteLength + count;
};
function ddAppend(): void {
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (!r.doLog || r.variant === undefined || r.allocationKey === undefined) {
      continue;
    }
    ddWriter.append({
      timestamp: r.timestamp,
      allocation: { key: r.allocationKey },
      flag: { key: r.flagKey },
      variant: { key: r.variant },
      subject: { id: r.targetingKey ?? "", attributes: r.attributes },
      serial_id: r.serialId,
    });
  }
}
/** append() alone: what runs on dd-trace's evaluation path (emptying its buffer between passes is not timed). */
function runDdAppend(n: number, clock: Clock): number {
  let ms = 0;
  for (let k = 0; k < n; k++) {
    const started = clock();
    ddAppend();
    ms += clock() - started;
    ddWriter._buffer = [];
    ddWriter._bufferSize = 0;
  }
  return ms;
}
function runDdTrace(n: number): void {
  for (let k = 0; k < n; k++) {
    ddAppend();
    ddWriter.flush();
  }
}

// ---- (c) @datadog/flagging-core ---------------------------------------------------------------
interface FlaggingCore {
  createExposureEvent(
    context: Record<string, unknown>,
    details: unknown,
  ): Record<string, unknown> | undefined;
  LRUInMemoryAssignmentCache: new (
    max: number,
  ) => { has(e: unknown): boolean; set(e: unknown): void; clear(): void };
}
const coreSpecifier = "@datadog/flagging-core";
const core = (await import(coreSpecifier)) as FlaggingCore;
const coreVersion = JSON.parse(
  readFileSync(
    join(
      import.meta.dirname,
      "node_modules/@datadog/flagging-core/package.json",
    ),
    "utf8",
  ),
)
  .version as string;
// 50,000: the size dd-trace-js's vendored @datadog/openfeature-node-server provider uses.
const coreCache = new core.LRUInMemoryAssignmentCache(50_000);
const coreInputs = records.map((r) => ({
  context: { targetingKey: r.targetingKey, ...r.attributes },
  details: {
    flagKey: r.flagKey,
    value: r.value,
    variant: r.variant,
    reason: r.reason,
    flagMetadata: {
      doLog: r.doLog,
      allocationKey: r.allocationKey,
      __dd_split_serial_id: r.serialId,
    },
  },
  timestamp: r.timestamp,
}));
function runCore(n: number): void {
  for (let k = 0; k < n; k++) {
    coreCache.clear();
    for (let i = 0; i < coreInputs.length; i++) {
      const input = coreInputs[i]!;
      const event = core.createExposureEvent(input.context, input.details);
      if (event === undefined) continue;
      if (coreCache.has(event)) continue;
      coreCache.set(event);
      sink += ({ ...event, timestamp: input.timestamp }).timestamp > 0 ? 1 : 0;
    }
  }
}

/** (c) in steady state: its cache already holds every exposure of the traffic. */
const coreWarmCache = new core.LRUInMemoryAssignmentCache(50_000);
function runCoreWarm(n: number): void {
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < coreInputs.length; i++) {
      const input = coreInputs[i]!;
      const event = core.createExposureEvent(input.context, input.details);
      if (event === undefined || coreWarmCache.has(event)) continue;
      coreWarmCache.set(event);
    }
  }
}

/**
 * dd-trace-js as deployed: its provider (vendored @datadog/openfeature-node-server,
 * `handleExposure`) runs (c) — createExposureEvent, the LRU has/set — and
 * publishes `{...event, timestamp}` on the exposure channel, whose
 * subscriber is (b) `ExposuresWriter.append`; then the writer's flush.
 */
function runDdPipeline(n: number): void {
  for (let k = 0; k < n; k++) {
    coreCache.clear();
    for (let i = 0; i < coreInputs.length; i++) {
      const input = coreInputs[i]!;
      const event = core.createExposureEvent(input.context, input.details);
      if (event === undefined || coreCache.has(event)) continue;
      ddWriter.append({ ...event, timestamp: input.timestamp });
      coreCache.set(event);
    }
    ddWriter.flush();
  }
}

// ---- agreement: the same traffic gives the same exposures ------------------------------------
cache.clear();
for (const r of records) writer.add(r);
const ours = writer.stats().queued;
await writer.flush();
coreCache.clear();
let theirs = 0;
for (const input of coreInputs) {
  const e = core.createExposureEvent(input.context, input.details);
  if (e !== undefined && !coreCache.has(e)) {
    coreCache.set(e);
    theirs++;
  }
}

// ---- timing: bench/_measure.ts's warm-up and interleaved rounds; medians per pass ---------------
// CPU time of this process (cpuClock), not wall time: other processes on a busy machine stretch wall time.
// The median of the rounds, not the total, so that a burst of load from another process during one
// round does not decide a ratio. Each contestant runs `iterations` passes over the 1,000 records.
const pass = (run: (n: number) => unknown): Omit<Contestant, "name"> => ({
  ops: iterations,
  run: () => run(iterations),
});
const selfTimedPass = (
  run: (n: number, clock: Clock) => number,
): Omit<Contestant, "name"> => ({
  ops: iterations,
  selfTimed: true,
  run: (clock) => run(iterations, clock),
});
const contestants = {
  flagpost: pass(runFlagpost),
  add: selfTimedPass(runFlagpostAdd),
  addWarm: pass(runFlagpostAddWarm),
  coreWarm: pass(runCoreWarm),
  ddtrace: pass(runDdTrace),
  append: selfTimedPass(runDdAppend),
  core: pass(runCore),
  pipeline: pass(runDdPipeline),
  encode: pass(runEncode),
  floor: pass(runFloor),
};
const nsPerPass = await measure(
  Object.entries(contestants).map(([name, c]) => ({ ...c, name })),
  rounds,
  1,
  cpuClock,
);
ddWriter.destroy();
/** Milliseconds per pass, by contestant. */
const m = Object.fromEntries(
  [...nsPerPass].map(([name, ns]) => [name, ns / 1e6]),
) as Record<keyof typeof contestants, number>;
const us = (ms: number) => (ms * 1000).toFixed(1).padStart(9);
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const runtime = typeof Bun !== "undefined" ? `bun ${Bun.version}` : `node ${process.versions.node}`;
const rows: Array<[string, number | undefined, number | undefined, string]> = [
  [
    "flagpost ExposureWriter: add() | add() + flush()",
    m.add,
    m.flagpost,
    `${ours} after dedupe`,
  ],
  [
    `(b) dd-trace ${ddTraceVersion} ExposuresWriter: append() | + flush()`,
    m.append,
    m.ddtrace,
    `${logged.length}, no dedupe`,
  ],
  [
    `(c) @datadog/flagging-core ${coreVersion}: createExposureEvent + LRU`,
    m.core,
    undefined,
    `${theirs} after dedupe`,
  ],
  [
    "dd-trace-js as deployed: (c), then (b) append + flush",
    undefined,
    m.pipeline,
    `${theirs} after dedupe`,
  ],
  [
    "steady state (cache warm) flagpost add()",
    m.addWarm,
    undefined,
    "all duplicates",
  ],
  [
    "steady state (cache warm) (c) flagging-core",
    m.coreWarm,
    undefined,
    "all duplicates",
  ],
];
console.log(
  `exposures over ${records.length} evaluations, ${logged.length} to log (${runtime}; median of ${rounds} interleaved rounds × ${iterations} passes, CPU time)`,
);
console.log(
  `  µs per pass of ${records.length} evaluations`.padEnd(72) +
    "record path".padStart(12) + "+ payload".padStart(12),
);
for (const [label, a, b, note] of rows) {
  console.log(
    `  ${label}`.padEnd(72) + (a === undefined ? "" : us(a)).padStart(12) +
      (b === undefined ? "" : us(b)).padStart(12) + `   ${note}`,
  );
}
console.log(`  µs per payload of ${events.length} events`);
console.log(
  `  encodeExposurePayload (validates)`.padEnd(72) + us(m.encode).padStart(12),
);
console.log(
  `  (a) JSON.stringify + TextEncoder (floor)`.padEnd(72) +
    us(m.floor).padStart(12),
);
console.log("  ratios");
const ratio = (label: string, value: string, target = "") =>
  console.log(
    `  ${label}`.padEnd(72) + value.padStart(12) +
      (target ? `   ${target}` : ""),
  );
ratio("encodeExposurePayload / floor", x(m.encode, m.floor), "(target ≤ 1.5×)");
ratio(
  "(b) dd-trace append() / flagpost add(), cold cache",
  x(m.append, m.add),
  "(target ≥ 3×)",
);
ratio(
  "(b) dd-trace append() / flagpost add(), steady state",
  x(m.append, m.addWarm),
  "(target ≥ 3×)",
);
ratio(
  "(b) dd-trace append() + flush / flagpost add() + flush, cold",
  x(m.ddtrace, m.flagpost),
);
ratio(
  "(c) flagging-core / flagpost add(), cold cache",
  x(m.core, m.add),
  "(target ≥ 5×)",
);
ratio(
  "(c) flagging-core / flagpost add(), steady state",
  x(m.coreWarm, m.addWarm),
  "(target ≥ 5×)",
);
ratio(
  "dd-trace-js as deployed / flagpost add() + flush, cold",
  x(m.pipeline, m.flagpost),
);
if (sink < 0) console.log(sink);
