/**
 * Span enrichment, flagpost side by side with dd-trace-js 6.21 in one run:
 *
 *  1. `add()` per evaluation (ns): flagpost's `SpanEnrichment.add(record)` vs what
 *     dd-trace-js's `SpanEnrichmentHook.finally` does per evaluation on its
 *     `SpanEnrichmentState` (addSerialId, addSubject — which hashes there —, addDefault);
 *  2. `toTags()` at full caps (200 ids, 10 subjects × 20 ids, 5 defaults of 64
 *     characters) vs `SpanEnrichmentState.toSpanTags()`, and the whole span (adds + tags);
 *  3. `encodeSerialIds` of 200 ids vs dd-trace-js's `encodeDeltaVarint` (openfeature/encoding.js);
 *  4. an OpenFeature evaluation (`@openfeature/server-sdk`, its `InMemoryProvider`
 *     with Datadog's flag metadata added) with no hook, and with flagpost's enrichment
 *     recording through a `finally` hook into the request's accumulator — the overhead
 *     enrichment adds to one evaluation.
 *
 * Rounds interleave the contenders (order alternating) after a warm-up; each
 * figure is the median over rounds. Same records for both sides (bench/_records.ts).
 *
 * usage: bun bench/enrichment.ts [--rounds 15]
 * (`npm run bench` installs bench/'s own dependencies first.)
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  type EvaluationDetails,
  type FlagValue,
  type Hook,
  type HookContext,
  InMemoryProvider,
  OpenFeature,
} from "@openfeature/server-sdk";
import type { EvaluationRecord } from "../src/core/evaluation.ts";
import { encodeSerialIds } from "../src/enrichment/serial-ids.ts";
import { SpanEnrichment } from "../src/enrichment/span-enrichment.ts";
import { generateRecords } from "./_records.ts";

const args = process.argv.slice(2);
const roundsArg = args.indexOf("--rounds");
const ROUNDS = roundsArg === -1 ? 15 : Number(args[roundsArg + 1]);

// ---- peers (bench/node_modules/dd-trace) -------------------------------------------------------
const requirePeer = createRequire(join(import.meta.dirname, "package.json"));
const base = "dd-trace/packages/dd-trace/src/openfeature/";
const ddVersion =
  (requirePeer("dd-trace/package.json") as { version: string }).version;
interface DdState {
  addSerialId(id: number): boolean;
  addSubject(key: string, id: number): boolean;
  addDefault(flag: string, value: unknown): boolean;
  toSpanTags(): Record<string, string>;
}
const { SpanEnrichmentState } = requirePeer(`${base}span-enrichment.js`) as {
  SpanEnrichmentState: new () => DdState;
};
const { encodeDeltaVarint } = requirePeer(`${base}encoding.js`) as {
  encodeDeltaVarint(ids: Set<number>): string;
};

/** dd-trace-js's per-evaluation logic (span-enrichment-hook.js `finally`), minus finding the root span. */
function ddAdd(state: DdState, r: EvaluationRecord): void {
  if (r.serialId != null) {
    state.addSerialId(r.serialId);
    if (r.doLog && r.targetingKey) state.addSubject(r.targetingKey, r.serialId);
  } else if (r.variant === undefined) {
    state.addDefault(r.flagKey, r.value);
  }
}

// ---- timing ------------------------------------------------------------------------------------
let sink = 0;
const consume = (v: unknown) => {
  sink = (sink + (typeof v === "string" ? v.length : 1)) | 0;
};

type Case = { name: string; ops: number; run: () => void | Promise<void> };

async function measure(cases: Case[]): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (const c of cases) for (let i = 0; i < 3; i++) await c.run(); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    for (const c of order) {
      const t0 = Bun.nanoseconds();
      await c.run();
      samples.get(c.name)!.push((Bun.nanoseconds() - t0) / c.ops);
    }
  }
  const medians = new Map<string, number>();
  for (const [name, list] of samples) {
    medians.set(
      name,
      list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!,
    );
  }
  return medians;
}

const rows: Array<[string, string, string]> = [];
const fmt = (
  ns: number,
) => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(1)} ns`);
function row(
  what: string,
  ours: number,
  theirs: number | undefined,
  ratioLabel: string,
) {
  rows.push([what, fmt(ours), theirs === undefined ? "" : fmt(theirs)]);
  if (theirs !== undefined) {
    ratios.push(`${what}: ${ratioLabel} ${(theirs / ours).toFixed(2)}×`);
  }
}
const ratios: string[] = [];
const overhead: string[] = [];

// ---- 1. add() per evaluation -------------------------------------------------------------------
const PER_SPAN = 40;
const SPANS = 500;
const traffic = generateRecords(PER_SPAN * SPANS, { seed: 12, subjects: 8 });
{
  const m = await measure([
    {
      name: "flagpost",
      ops: traffic.length,
      run: () => {
        for (let s = 0; s < SPANS; s++) {
          const e = new SpanEnrichment();
          for (let i = s * PER_SPAN; i < (s + 1) * PER_SPAN; i++) {
            e.add(traffic[i]!);
          }
          consume(e);
        }
      },
    },
    {
      name: "dd-trace",
      ops: traffic.length,
      run: () => {
        for (let s = 0; s < SPANS; s++) {
          const state = new SpanEnrichmentState();
          for (let i = s * PER_SPAN; i < (s + 1) * PER_SPAN; i++) {
            ddAdd(state, traffic[i]!);
          }
          consume(state);
        }
      },
    },
  ]);
  row(
    `add() per evaluation (${PER_SPAN}/span, new accumulator per span)`,
    m.get("flagpost")!,
    m.get("dd-trace")!,
    "flagpost faster by",
  );
}

// ---- 2. toTags() at full caps --------------------------------------------------------------------
function fullCapsRecords(): EvaluationRecord[] {
  const out: EvaluationRecord[] = [];
  const rec = (o: Partial<EvaluationRecord>): EvaluationRecord => ({
    flagKey: "f",
    variant: "on",
    value: true,
    reason: "SPLIT",
    errorCode: undefined,
    allocationKey: "a",
    serialId: undefined,
    doLog: true,
    targetingKey: undefined,
    attributes: {},
    timestamp: 0,
    ...o,
  });
  for (let s = 0; s < 10; s++) {
    for (let j = 0; j < 20; j++) {
      out.push(rec({ serialId: 1000 + s * 20 + j, targetingKey: `user-${s}` }));
    }
  }
  for (let d = 0; d < 5; d++) {
    out.push(
      rec({
        flagKey: `missing-${d}`,
        variant: undefined,
        value: `${"v".repeat(60)}-${d}-日本語`,
      }),
    );
  }
  return out;
}
const full = fullCapsRecords();
{
  const K = 200;
  let ours: SpanEnrichment[] = [];
  let theirs: DdState[] = [];
  const refill = () => {
    ours = Array.from({ length: K }, () => {
      const e = new SpanEnrichment();
      for (const r of full) e.add(r);
      return e;
    });
    theirs = Array.from({ length: K }, () => {
      const s = new SpanEnrichmentState();
      for (const r of full) ddAdd(s, r);
      return s;
    });
  };
  const check = new SpanEnrichment();
  for (const r of full) check.add(r);
  const sample = await check.toTags();
  const ddState = new SpanEnrichmentState();
  for (const r of full) ddAdd(ddState, r);
  const identical =
    JSON.stringify(sample) === JSON.stringify(ddState.toSpanTags());
  // Fresh accumulators every round (a second toTags() is cached and would measure nothing);
  // filling them is not timed.
  const samples = { flagpost: [] as number[], dd: [] as number[] };
  for (let round = 0; round < ROUNDS + 3; round++) {
    refill();
    const timeOurs = async () => {
      const t0 = Bun.nanoseconds();
      for (const e of ours) consume((await e.toTags()).ffe_subjects_enc);
      return (Bun.nanoseconds() - t0) / K;
    };
    const timeTheirs = () => {
      const t0 = Bun.nanoseconds();
      for (const st of theirs) consume(st.toSpanTags().ffe_subjects_enc);
      return (Bun.nanoseconds() - t0) / K;
    };
    const [o, t] = round % 2 === 0 ? [await timeOurs(), timeTheirs()] : [0, 0];
    const [t2, o2] = round % 2 === 1
      ? [timeTheirs(), await timeOurs()]
      : [t, o];
    if (round >= 3) {
      samples.flagpost.push(o2);
      samples.dd.push(t2);
    }
  }
  const median = (l: number[]) =>
    l.sort((a, b) => a - b)[Math.floor(l.length / 2)]!;
  row(
    "toTags() at full caps (flagpost hashes here; dd-trace hashed in add)",
    median(samples.flagpost),
    median(samples.dd),
    "ratio",
  );
  rows.push([
    "  tags byte-identical to dd-trace-js at full caps",
    String(identical),
    "",
  ]);

  const whole = await measure([
    {
      name: "flagpost",
      ops: 1,
      run: async () => {
        const e = new SpanEnrichment();
        for (const r of full) e.add(r);
        consume((await e.toTags()).ffe_flags_enc);
      },
    },
    {
      name: "dd-trace",
      ops: 1,
      run: () => {
        const s = new SpanEnrichmentState();
        for (const r of full) ddAdd(s, r);
        consume(s.toSpanTags().ffe_flags_enc);
      },
    },
  ]);
  row(
    "whole span at full caps (205 adds + tags)",
    whole.get("flagpost")!,
    whole.get("dd-trace")!,
    "flagpost faster by",
  );
}

// ---- 3. encodeSerialIds of 200 ids ---------------------------------------------------------------
{
  const ids = new Set<number>();
  let x = 17;
  while (ids.size < 200) {
    x = (x * 1103515245 + 12345) % 2147483648;
    ids.add(x % 1_000_000);
  }
  const list = [...ids];
  if (encodeSerialIds(ids) !== encodeDeltaVarint(ids)) {
    throw new Error("encoders disagree");
  }
  const N = 2000;
  const m = await measure([
    {
      name: "flagpost Set",
      ops: N,
      run: () => {
        for (let i = 0; i < N; i++) consume(encodeSerialIds(ids));
      },
    },
    {
      name: "flagpost array",
      ops: N,
      run: () => {
        for (let i = 0; i < N; i++) consume(encodeSerialIds(list));
      },
    },
    {
      name: "dd-trace",
      ops: N,
      run: () => {
        for (let i = 0; i < N; i++) consume(encodeDeltaVarint(ids));
      },
    },
  ]);
  row(
    "encodeSerialIds, 200 ids (Set)",
    m.get("flagpost Set")!,
    m.get("dd-trace")!,
    "throughput vs dd-trace-js",
  );
  row(
    "encodeSerialIds, 200 ids (array, with dedupe)",
    m.get("flagpost array")!,
    m.get("dd-trace")!,
    "throughput vs dd-trace-js",
  );
}

// ---- 4. OpenFeature evaluation: no hook vs enrichment recording --------------------------------
{
  const FLAGS = 20;
  const config: Record<
    string,
    {
      variants: Record<string, boolean>;
      defaultVariant: string;
      disabled: boolean;
    }
  > = {};
  for (let f = 0; f < FLAGS; f++) {
    config[`flag-${f}`] = {
      variants: { on: true, off: false },
      defaultVariant: "on",
      disabled: false,
    };
  }
  /** The SDK's InMemoryProvider, plus the flag metadata Datadog's providers return (serial id, doLog). */
  class DatadogMetadataProvider extends InMemoryProvider {
    override resolveBooleanEvaluation(
      ...a: Parameters<InMemoryProvider["resolveBooleanEvaluation"]>
    ) {
      const details = super.resolveBooleanEvaluation(...a);
      const serial = 1000 + Number(a[0].slice(5));
      return details.then((d) => ({
        ...d,
        flagMetadata: { __dd_split_serial_id: serial, __dd_do_log: true },
      }));
    }
  }
  await OpenFeature.setProviderAndWait(
    "bench",
    new DatadogMetadataProvider(config),
  );
  let current: SpanEnrichment | undefined; // the request scope's accumulator
  /** What flagpost's hook does for enrichment: details → EvaluationRecord → the request's accumulator. */
  const enrichmentHook: Hook = {
    finally(
      hookContext: Readonly<HookContext>,
      details: EvaluationDetails<FlagValue>,
    ) {
      const meta = details.flagMetadata;
      const serial = meta.__dd_split_serial_id;
      const { targetingKey, ...attributes } = hookContext.context;
      current?.add({
        flagKey: details.flagKey,
        variant: details.variant,
        value: details.value,
        reason: details.reason ?? "UNKNOWN",
        errorCode: details.errorCode,
        allocationKey: undefined,
        serialId: typeof serial === "number" ? serial : undefined,
        doLog: meta.__dd_do_log === true,
        targetingKey: typeof targetingKey === "string"
          ? targetingKey
          : undefined,
        attributes,
        timestamp: Date.now(),
      });
    },
  };
  const plain = OpenFeature.getClient("bench");
  const enriched = OpenFeature.getClient("bench");
  enriched.addHooks(enrichmentHook);
  // The SDK's own cost of running any hook, to tell it apart from what enrichment adds.
  const emptyHooked = OpenFeature.getClient("bench");
  emptyHooked.addHooks({ finally() {} });
  const contexts = Array.from(
    { length: 8 },
    (_, i) => ({ targetingKey: `user-${i}`, country: i % 2 ? "FR" : "US" }),
  );
  const REQUESTS = 100;
  const PER_REQUEST = 20;
  const m = await measure([
    {
      name: "no hook",
      ops: REQUESTS * PER_REQUEST,
      run: async () => {
        for (let r = 0; r < REQUESTS; r++) {
          for (let i = 0; i < PER_REQUEST; i++) {
            consume(
              await plain.getBooleanValue(`flag-${i}`, false, contexts[r % 8]),
            );
          }
        }
      },
    },
    {
      name: "empty hook",
      ops: REQUESTS * PER_REQUEST,
      run: async () => {
        for (let r = 0; r < REQUESTS; r++) {
          for (let i = 0; i < PER_REQUEST; i++) {
            consume(
              await emptyHooked.getBooleanValue(
                `flag-${i}`,
                false,
                contexts[r % 8],
              ),
            );
          }
        }
      },
    },
    {
      name: "enrichment",
      ops: REQUESTS * PER_REQUEST,
      run: async () => {
        for (let r = 0; r < REQUESTS; r++) {
          current = new SpanEnrichment();
          for (let i = 0; i < PER_REQUEST; i++) {
            consume(
              await enriched.getBooleanValue(
                `flag-${i}`,
                false,
                contexts[r % 8],
              ),
            );
          }
        }
      },
    },
    {
      name: "enrichment + tags",
      ops: REQUESTS * PER_REQUEST,
      run: async () => {
        for (let r = 0; r < REQUESTS; r++) {
          current = new SpanEnrichment();
          for (let i = 0; i < PER_REQUEST; i++) {
            consume(
              await enriched.getBooleanValue(
                `flag-${i}`,
                false,
                contexts[r % 8],
              ),
            );
          }
          consume((await current.toTags()).ffe_flags_enc);
        }
      },
    },
  ]);
  const base = m.get("no hook")!;
  const empty = m.get("empty hook")!;
  const pct = (x: number, of: number) => `${((x / of - 1) * 100).toFixed(1)}%`;
  rows.push(["OpenFeature evaluation, no hook", fmt(base), ""]);
  rows.push(["OpenFeature evaluation + an empty finally hook", fmt(empty), ""]);
  rows.push([
    "OpenFeature evaluation + enrichment hook",
    fmt(m.get("enrichment")!),
    "",
  ]);
  rows.push([
    `  … + toTags() once per request (${PER_REQUEST} evaluations)`,
    fmt(m.get("enrichment + tags")!),
    "",
  ]);
  overhead.push(
    `enrichment overhead per OpenFeature evaluation: ${
      pct(m.get("enrichment")!, base)
    } vs no hook ` +
      `(the SDK's hook machinery alone: ${
        pct(empty, base)
      }; enrichment itself over an empty hook: ${
        pct(m.get("enrichment")!, empty)
      })`,
    `with toTags() (10 SHA-256 via crypto.subtle at most) amortized over ${PER_REQUEST} evaluations: ${
      pct(m.get("enrichment + tags")!, base)
    } vs no hook`,
  );
}

// ---- report --------------------------------------------------------------------------------------
const w0 = Math.max(...rows.map((r) => r[0].length), 10);
console.log(
  `span enrichment — flagpost vs dd-trace-js ${ddVersion}, ${ROUNDS} rounds, median (${
    process.versions.bun ? `bun ${Bun.version}` : ""
  })`,
);
console.log(
  `${"".padEnd(w0)}  ${"flagpost".padStart(12)}  ${"dd-trace-js".padStart(12)}`,
);
for (const [what, ours, theirs] of rows) {
  console.log(
    `${what.padEnd(w0)}  ${ours.padStart(12)}  ${theirs.padStart(12)}`,
  );
}
console.log("");
for (const r of ratios) console.log(r);
for (const o of overhead) console.log(o);
if (sink === 42) console.log("");
