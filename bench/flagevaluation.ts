/**
 * Flag-evaluation rows: flagpost's `FlagEvaluationWriter` against dd-trace-js
 * 6.21's own aggregator and payload iterator (npm `dd-trace`, bench-only),
 * side by side in one run on the same evaluations.
 *
 * 1. `record()` per evaluation: 10,000 evaluations from bench/_records.ts
 *    (100 subjects × 20 flags, so most evaluations hit an existing row).
 *    dd-trace-js: what its consumer does per event once it leaves the queue
 *    — `normalizeFlagEvaluationEvent` + `FlagEvaluationAggregator.add` (its
 *    queue and `setImmediate` hop are left out, in its favour).
 * 2. One flush-encode of 10,000 rows (10,000 distinct subjects): flagpost
 *    takes the window, hashes each subject (synchronous plain-JS SHA-256,
 *    src/core/sha256.ts) and writes the body's bytes; dd-trace-js takes its maps and runs `iterateFlagEvaluationPayloads`
 *    (Node's synchronous `createHash` per row). Network left out on both.
 *    A third row flushes the same subjects again through one writer, as the
 *    next window of a steady workload does: flagpost remembers the last
 *    10,000 subject digests, dd-trace-js hashes every row every time.
 *
 * usage: bun bench/flagevaluation.ts [--rounds 15]
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { resolveConfig } from "../src/core/config.ts";
import type { EvaluationRecord } from "../src/core/evaluation.ts";
import { FlagEvaluationWriter } from "../src/flagevaluations/writer.ts";
import { generateRecords } from "./_records.ts";
import { formatNs, measure, numberOption, printTable } from "./_measure.ts";

const rounds = numberOption("rounds", 15);

const require = createRequire(join(import.meta.dirname, "package.json"));
const WRITERS = "dd-trace/packages/dd-trace/src/openfeature/writers/";
const { FlagEvaluationAggregator } = require(
  `${WRITERS}flag-evaluation-aggregation`,
);
const { iterateFlagEvaluationPayloads } = require(
  `${WRITERS}flag-evaluation-payload`,
);
const { normalizeFlagEvaluationEvent, normalizeTargetingKey } = require(
  `${WRITERS}flag-evaluation-pii`,
);

const config = resolveConfig({
  DD_SERVICE: "bench-service",
  DD_ENV: "prod",
  DD_VERSION: "1.0.0",
});
const noNetwork = (() =>
  Promise.resolve(
    new Response(null, { status: 202 }),
  )) as unknown as typeof fetch;
let sink = 0;

function ddEvent(r: EvaluationRecord) {
  const event = {
    flagKey: r.flagKey,
    variant: r.variant,
    allocationKey: r.allocationKey,
    runtimeDefault: r.variant === undefined,
    errorCode: r.errorCode,
    targetingKey: r.targetingKey,
    attrs: undefined,
    observeFullEvaluationData: false,
    timestamp: r.timestamp,
  };
  return normalizeFlagEvaluationEvent(
    event,
    normalizeTargetingKey(event.targetingKey),
  );
}

// ---- 1. record() ------------------------------------------------------------------------------
const traffic = generateRecords(10_000);
const recordRound = await measure([
  {
    name: "flagpost record()",
    ops: traffic.length,
    run() {
      const writer = new FlagEvaluationWriter(config, { fetch: noNetwork });
      for (const r of traffic) writer.record(r);
      sink += writer.pending;
    },
  },
  {
    name: "dd-trace-js normalize + aggregator.add",
    ops: traffic.length,
    run() {
      const aggregator = new FlagEvaluationAggregator();
      for (const r of traffic) aggregator.add(ddEvent(r));
      sink += aggregator.size;
    },
  },
], rounds);

// ---- 2. flush-encode of 10,000 rows -----------------------------------------------------------
const distinct = generateRecords(10_000, { subjects: 1 }).map((r, i) => ({
  ...r,
  targetingKey: `subject-${i}`,
}));
const warm = new FlagEvaluationWriter(config, { fetch: noNetwork });
const encodeRound = await measure([
  {
    name: "flagpost flush (hash + encode, no network)",
    ops: distinct.length,
    selfTimed: true, // the record() calls that fill the window are not timed
    async run(clock) {
      const writer = new FlagEvaluationWriter(config, { fetch: noNetwork });
      for (const r of distinct) writer.record(r);
      const t0 = clock();
      const report = await writer.flush();
      sink += report.rows;
      return clock() - t0;
    },
  },
  {
    // The same writer flushes the same 10,000 subjects again: the next window of a steady workload.
    name: "flagpost flush, subjects seen in the previous window",
    ops: distinct.length,
    selfTimed: true,
    async run(clock) {
      for (const r of distinct) warm.record(r);
      const t0 = clock();
      const report = await warm.flush();
      sink += report.rows;
      return clock() - t0;
    },
  },
  {
    name: "dd-trace-js take + iterateFlagEvaluationPayloads",
    ops: distinct.length,
    selfTimed: true, // the add() calls that fill the aggregator are not timed
    run(clock) {
      const aggregator = new FlagEvaluationAggregator();
      for (const r of distinct) aggregator.add(ddEvent(r));
      const t0 = clock();
      const { full, degraded } = aggregator.take();
      for (
        const p of iterateFlagEvaluationPayloads(full, degraded, {
          service: "bench-service",
          env: "prod",
          version: "1.0.0",
        }, Date.now())
      ) {
        sink += Buffer.byteLength(p.encoded);
      }
      return clock() - t0;
    },
  },
], rounds);

const ratio = (ours: number, theirs: number) => `${(theirs / ours).toFixed(2)}×`;
const [ourRecord, ddRecord] = [...recordRound.values()] as [number, number];
const [ourFlush, ourWarmFlush, ddFlush] = [...encodeRound.values()] as [
  number,
  number,
  number,
];
console.log(
  `flag-evaluation rows: ${rounds} interleaved rounds, median per evaluation / per row\n`,
);
printTable(["contestant", "per op", "ops/s", "flagpost ÷ peer"], [
  [
    "flagpost record()",
    formatNs(ourRecord),
    (1e9 / ourRecord).toFixed(0),
    ratio(ourRecord, ddRecord),
  ],
  [
    "dd-trace-js normalize + aggregator.add",
    formatNs(ddRecord),
    (1e9 / ddRecord).toFixed(0),
    "",
  ],
  [
    "flagpost flush: 10,000 rows",
    formatNs(ourFlush),
    (1e9 / ourFlush).toFixed(0),
    ratio(ourFlush, ddFlush),
  ],
  [
    "flagpost flush: same subjects again",
    formatNs(ourWarmFlush),
    (1e9 / ourWarmFlush).toFixed(0),
    ratio(ourWarmFlush, ddFlush),
  ],
  [
    "dd-trace-js take + payload iterator",
    formatNs(ddFlush),
    (1e9 / ddFlush).toFixed(0),
    "",
  ],
]);
console.log(
  `\n(sink ${sink > 0 ? "ok" : "empty"}; target: flagpost ≥ 2× dd-trace-js on each)`,
);
