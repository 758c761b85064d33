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
 *     with Datadog's flag metadata added) with no hook, with an empty hook (the SDK's
 *     own hook cost), with a hook that only builds the `EvaluationRecord`
 *     (`recordFromDetails`, flagpost's hook mapping), and with enrichment recording
 *     (that record added to the request's accumulator) — the overhead enrichment adds
 *     to one evaluation, split into its parts; and flagpost's own path, `FlagpostProvider`
 *     without and with `onEvaluation` feeding the accumulator (no SDK hook).
 *
 * Timing: bench/_measure.ts's warm-up and interleaved rounds, read with this
 * process's CPU clock (see measureCpu), median per operation. Same records for
 * both sides (bench/_records.ts).
 *
 * usage: bun bench/enrichment.ts [--rounds 61]
 * (Many short rounds: on a busy machine a short run often escapes preemption, so the median stays meaningful.)
 * (`npm run bench` installs bench/'s own dependencies first.)
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  type Client,
  type EvaluationDetails,
  type FlagValue,
  type Hook,
  type HookContext,
  InMemoryProvider,
  OpenFeature,
} from "@openfeature/server-sdk";
import type { EvaluationRecord } from "../src/core/evaluation.ts";
import { recordFromDetails } from "../src/openfeature/hook.ts";
import { FlagpostProvider } from "../src/openfeature/provider.ts";
import { encodeSerialIds } from "../src/enrichment/serial-ids.ts";
import { SpanEnrichment } from "../src/enrichment/span-enrichment.ts";
import { type Contestant, cpuClock, formatNs, measure, numberOption, printTable } from "./_measure.ts";
import { generateRecords } from "./_records.ts";

const ROUNDS = numberOption("rounds", 61);

// ---- peers (bench/node_modules/dd-trace) -------------------------------------------------------
const requirePeer = createRequire(join(import.meta.dirname, "package.json"));
const base = "dd-trace/packages/dd-trace/src/openfeature/";
const ddVersion = (requirePeer("dd-trace/package.json") as { version: string }).version;
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

/**
 * bench/_measure.ts's interleaved rounds, read with the CPU clock instead of
 * the wall clock: on a busy machine (other processes preempting this one)
 * wall time swings by several times, CPU time does not. Median per operation.
 */
const measureCpu = (contestants: readonly Contestant[]) => measure(contestants, ROUNDS, 3, cpuClock);

let sink = 0;
const consume = (v: unknown) => {
  sink = (sink + (typeof v === "string" ? v.length : 1)) | 0;
};

const rows: string[][] = [];
const notes: string[] = [];
function row(
  what: string,
  ours: number,
  theirs: number | undefined,
  ratio?: string,
): void {
  rows.push([
    what,
    formatNs(ours),
    theirs === undefined ? "" : formatNs(theirs),
  ]);
  if (theirs !== undefined && ratio !== undefined) {
    notes.push(`${what}: ${ratio} ${(theirs / ours).toFixed(2)}×`);
  }
}

// ---- 1. add() per evaluation -------------------------------------------------------------------
const PER_SPAN = 40;
const SPANS = 50;
const traffic = generateRecords(PER_SPAN * SPANS, { seed: 12, subjects: 8 });
{
  const m = await measureCpu([
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
const full: EvaluationRecord[] = [];
{
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
      full.push(
        rec({ serialId: 1000 + s * 20 + j, targetingKey: `user-${s}` }),
      );
    }
  }
  for (let d = 0; d < 5; d++) {
    full.push(
      rec({
        flagKey: `missing-${d}`,
        variant: undefined,
        value: `${"v".repeat(60)}-${d}-日本語`,
      }),
    );
  }
}
const filledOurs = () => {
  const e = new SpanEnrichment();
  for (const r of full) e.add(r);
  return e;
};
const filledTheirs = () => {
  const s = new SpanEnrichmentState();
  for (const r of full) ddAdd(s, r);
  return s;
};
{
  const identical = JSON.stringify(await filledOurs().toTags()) ===
    JSON.stringify(filledTheirs().toSpanTags());
  // Fresh accumulators every round (a second toTags() is cached and would measure nothing); filling them is not timed.
  const K = 20;
  const toTags = await measureCpu([
    {
      name: "flagpost",
      ops: K,
      selfTimed: true,
      async run(clock) {
        const ours = Array.from({ length: K }, filledOurs);
        const t0 = clock();
        for (const e of ours) consume((await e.toTags()).ffe_subjects_enc);
        return clock() - t0;
      },
    },
    {
      name: "dd-trace",
      ops: K,
      selfTimed: true,
      run(clock) {
        const theirs = Array.from({ length: K }, filledTheirs);
        const t0 = clock();
        for (const st of theirs) consume(st.toSpanTags().ffe_subjects_enc);
        return clock() - t0;
      },
    },
  ]);
  row(
    "toTags() at full caps (flagpost hashes here, dd-trace-js in add)",
    toTags.get("flagpost")!,
    toTags.get("dd-trace")!,
  );
  rows.push([
    "  tags byte-identical to dd-trace-js at full caps",
    String(identical),
    "",
  ]);

  const whole = await measureCpu([
    {
      name: "flagpost",
      ops: 1,
      run: async () => consume((await filledOurs().toTags()).ffe_flags_enc),
    },
    {
      name: "dd-trace",
      ops: 1,
      run: () => consume(filledTheirs().toSpanTags().ffe_flags_enc),
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
  const N = 200;
  const times = (f: () => string) => () => {
    for (let i = 0; i < N; i++) consume(f());
  };
  const m = await measureCpu([
    { name: "flagpost Set", ops: N, run: times(() => encodeSerialIds(ids)) },
    { name: "flagpost array", ops: N, run: times(() => encodeSerialIds(list)) },
    { name: "dd-trace", ops: N, run: times(() => encodeDeltaVarint(ids)) },
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
  const config: Record<
    string,
    {
      variants: Record<string, boolean>;
      defaultVariant: string;
      disabled: boolean;
    }
  > = {};
  for (let f = 0; f < 20; f++) {
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
      const serial = 1000 + Number(a[0].slice(5));
      return super.resolveBooleanEvaluation(...a).then((d) => ({
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
  /** What flagpost's hook does for enrichment: details → EvaluationRecord (flagpost's own mapping) → the request's accumulator. */
  const enrichmentHook: Hook = {
    finally(
      hookContext: Readonly<HookContext>,
      details: EvaluationDetails<FlagValue>,
    ) {
      current?.add(recordFromDetails(hookContext, details, Date.now()));
    },
  };
  /** The same hook without the accumulator: what building the record costs alone. */
  const recordOnlyHook: Hook = {
    finally(
      hookContext: Readonly<HookContext>,
      details: EvaluationDetails<FlagValue>,
    ) {
      consume(recordFromDetails(hookContext, details, Date.now()));
    },
  };
  const client = (hook?: Hook): Client => {
    const c = OpenFeature.getClient("bench");
    if (hook !== undefined) c.addHooks(hook);
    return c;
  };
  const contexts = Array.from(
    { length: 8 },
    (_, i) => ({ targetingKey: `user-${i}`, country: i % 2 ? "FR" : "US" }),
  );
  const REQUESTS = 50;
  const PER_REQUEST = 20;
  /** REQUESTS requests of PER_REQUEST evaluations through `c`; a fresh accumulator per request when `enrich`. */
  const requests = (c: Client, enrich: "none" | "add" | "add+tags") => async () => {
    for (let r = 0; r < REQUESTS; r++) {
      current = enrich === "none" ? undefined : new SpanEnrichment();
      for (let i = 0; i < PER_REQUEST; i++) {
        consume(await c.getBooleanValue(`flag-${i}`, false, contexts[r % 8]));
      }
      if (enrich === "add+tags") {
        consume((await current!.toTags()).ffe_flags_enc);
      }
    }
  };
  const ops = REQUESTS * PER_REQUEST;

  // flagpost's own path: FlagpostProvider (UFC evaluation) builds the record and hands it to
  // onEvaluation, no SDK hook. Same 20 flags (serial ids 1000…, doLog true), without and with enrichment.
  const flags: Record<string, unknown> = {};
  for (let f = 0; f < PER_REQUEST; f++) {
    flags[`flag-${f}`] = {
      key: `flag-${f}`,
      enabled: true,
      variationType: "BOOLEAN",
      variations: { on: { key: "on", value: true } },
      allocations: [{
        key: "all",
        doLog: true,
        splits: [{ variationKey: "on", shards: [], serialId: 1000 + f }],
      }],
    };
  }
  const ufc = { format: "SERVER", environment: { name: "bench" }, flags };
  await OpenFeature.setProviderAndWait(
    "bench-flagpost-plain",
    new FlagpostProvider({ configuration: ufc }),
  );
  await OpenFeature.setProviderAndWait(
    "bench-flagpost-enriched",
    new FlagpostProvider({
      configuration: ufc,
      onEvaluation: (record) => current?.add(record),
    }),
  );
  const flagpostPlain = OpenFeature.getClient("bench-flagpost-plain");
  const flagpostEnriched = OpenFeature.getClient("bench-flagpost-enriched");
  const native = await measureCpu([
    { name: "plain", ops, run: requests(flagpostPlain, "none") },
    { name: "enriched", ops, run: requests(flagpostEnriched, "add") },
  ]);

  const m = await measureCpu([
    { name: "no hook", ops, run: requests(client(), "none") },
    {
      name: "empty hook",
      ops,
      run: requests(client({ finally() {} }), "none"),
    },
    {
      name: "record only",
      ops,
      run: requests(client(recordOnlyHook), "none"),
    },
    { name: "enrichment", ops, run: requests(client(enrichmentHook), "add") },
    {
      name: "enrichment + tags",
      ops,
      run: requests(client(enrichmentHook), "add+tags"),
    },
  ]);
  const plain = m.get("no hook")!;
  const empty = m.get("empty hook")!;
  const recordOnly = m.get("record only")!;
  const enriched = m.get("enrichment")!;
  const tagged = m.get("enrichment + tags")!;
  const pct = (x: number, of: number) => `${((x / of - 1) * 100).toFixed(1)}%`;
  row("OpenFeature evaluation, no hook", plain, undefined);
  row("OpenFeature evaluation + an empty finally hook", empty, undefined);
  row(
    "OpenFeature evaluation + hook building the EvaluationRecord",
    recordOnly,
    undefined,
  );
  row("OpenFeature evaluation + enrichment hook", enriched, undefined);
  row(
    `  … + toTags() once per request (${PER_REQUEST} evaluations)`,
    tagged,
    undefined,
  );
  row(
    "FlagpostProvider evaluation (no onEvaluation)",
    native.get("plain")!,
    undefined,
  );
  row(
    "FlagpostProvider evaluation, onEvaluation → add()",
    native.get("enriched")!,
    undefined,
  );
  notes.push(
    `enrichment overhead per FlagpostProvider evaluation (record built by the provider, add() in onEvaluation): ${
      pct(native.get("enriched")!, native.get("plain")!)
    }`,
    `enrichment overhead per OpenFeature evaluation: ${pct(enriched, plain)} vs no hook`,
    `  parts: the SDK running any hook ${pct(empty, plain)}; building the EvaluationRecord ${
      pct(recordOnly, empty)
    } more; add() into the accumulator ${pct(enriched, recordOnly)} more`,
    `  with toTags() (one subject's SHA-256 via crypto.subtle) once per request of ${PER_REQUEST} evaluations: ${
      pct(tagged, plain)
    } vs no hook`,
  );
}

// ---- report --------------------------------------------------------------------------------------
console.log(
  `span enrichment — flagpost vs dd-trace-js ${ddVersion}, ${ROUNDS} rounds, medians, bun ${Bun.version}`,
);
printTable(["", "flagpost", "dd-trace-js"], rows);
console.log("");
for (const n of notes) console.log(n);
if (sink === 42) console.log("");
