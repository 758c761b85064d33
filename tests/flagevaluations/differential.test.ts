/**
 * Differential test: the same evaluation sequence through dd-trace-js's own
 * aggregator and payload code (npm `dd-trace` 6.21, a dev dependency) and
 * through `FlagEvaluationWriter`; the rows must be the same (order and the
 * flush timestamp aside). dd-trace's modules are the reference the wire
 * facts come from, so any divergence is ours to explain.
 *
 * Known, intended difference (not generated here): dd-trace-js sends a row
 * for an empty flag key; flagpost rejects it as invalid, like every other
 * signal does.
 */
import { createRequire } from "node:module";
import { describe, expect, test } from "bun:test";
import { resolveConfig } from "../../src/core/config.ts";
import type { EvaluationRecord } from "../../src/core/evaluation.ts";
import { FlagEvaluationWriter } from "../../src/flagevaluations/writer.ts";
import { seededRandom } from "../../bench/_records.ts";

const require = createRequire(import.meta.url);
const WRITERS = "dd-trace/packages/dd-trace/src/openfeature/writers/";
const { FlagEvaluationAggregator } = require(`${WRITERS}flag-evaluation-aggregation`);
const { iterateFlagEvaluationPayloads } = require(`${WRITERS}flag-evaluation-payload`);
const { snapshotEvaluationContext } = require(`${WRITERS}flag-evaluation-context`);
const { normalizeFlagEvaluationEvent, normalizeTargetingKey } = require(`${WRITERS}flag-evaluation-pii`);

const FLUSH_AT = 1_700_000_999_000;

/** A seeded mix of everything the rules care about. */
function sequence(n: number, seed: number): EvaluationRecord[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const keys = ["alice", "bob", "", undefined, "日本語-ユーザー", "a\ud800b", "x".repeat(300), "user-7"];
  const errors = [undefined, undefined, undefined, "FLAG_NOT_FOUND", "TYPE_MISMATCH", "custom-code", ""];
  const contexts: Array<Record<string, unknown>> = [
    {},
    { plan: "pro" },
    { plan: "pro", org: { id: 7, tags: ["a", "b"], when: new Date(Date.UTC(2026, 0, 1)) } },
    { long: "v".repeat(300), ok: true, n: null, inf: Infinity },
    { deep: { a: { b: { c: { d: { e: 1 }, f: 2 } } } } },
  ];
  const out: EvaluationRecord[] = [];
  for (let i = 0; i < n; i++) {
    const variant = pick(["on", "off", undefined, ""]);
    out.push({
      flagKey: pick(["checkout", "search", "flag-with-日本"]),
      variant,
      value: variant ?? "default",
      reason: variant === undefined ? "DEFAULT" : "TARGETING_MATCH",
      errorCode: variant === undefined ? pick(errors) : undefined,
      allocationKey: pick(["alloc-a", "alloc-b", undefined, ""]),
      serialId: undefined,
      doLog: random() < 0.5,
      targetingKey: pick(keys),
      attributes: pick(contexts),
      timestamp: 1_700_000_000_000 + i * 7,
      observeFullEvaluationData: random() < 0.4,
    });
  }
  return out;
}

/** dd-trace-js: what its OpenFeature hook and consumer do with each evaluation, then its payload iterator. */
function referenceRows(records: readonly EvaluationRecord[]): unknown[] {
  const aggregator = new FlagEvaluationAggregator();
  for (const r of records) {
    const consent = r.observeFullEvaluationData === true;
    const attrs = consent ? snapshotEvaluationContext({ ...r.attributes, targetingKey: r.targetingKey }).attrs : undefined;
    const event = {
      flagKey: r.flagKey,
      variant: r.variant,
      allocationKey: r.allocationKey,
      runtimeDefault: r.variant === undefined,
      errorCode: r.errorCode,
      targetingKey: r.targetingKey,
      attrs,
      observeFullEvaluationData: consent,
      timestamp: r.timestamp,
    };
    aggregator.add(normalizeFlagEvaluationEvent(event, normalizeTargetingKey(event.targetingKey)));
  }
  const { full, degraded } = aggregator.take();
  const rows: unknown[] = [];
  for (const payload of iterateFlagEvaluationPayloads(full, degraded, { service: "shop", env: "prod" }, FLUSH_AT)) {
    rows.push(...JSON.parse(payload.encoded).flagEvaluations);
  }
  return rows;
}

async function flagpostRows(records: readonly EvaluationRecord[]): Promise<unknown[]> {
  const bodies: string[] = [];
  const fetch = ((_url: string, init: RequestInit) => {
    bodies.push(new TextDecoder().decode(init.body as Uint8Array));
    return Promise.resolve(new Response("{}", { status: 202 }));
  }) as unknown as typeof globalThis.fetch;
  const writer = new FlagEvaluationWriter(resolveConfig({ DD_SERVICE: "shop", DD_ENV: "prod" }), { fetch, now: () => FLUSH_AT });
  for (const r of records) writer.record(r);
  const report = await writer.flush();
  expect(report.sent).toBe(records.length);
  return bodies.flatMap((b) => JSON.parse(b).flagEvaluations);
}

const canonical = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

describe("flag-evaluation rows agree with dd-trace-js 6.21's aggregator and payload", () => {
  for (const seed of [1, 2, 3]) {
    test(`seeded sequence ${seed}: 2,000 evaluations`, async () => {
      const records = sequence(2_000, seed);
      const ours = await flagpostRows(records);
      const theirs = referenceRows(records);
      expect(ours.length).toBeGreaterThan(50);
      expect(canonical(ours)).toEqual(canonical(theirs));
    });
  }
});
