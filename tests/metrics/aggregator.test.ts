import { describe, expect, test } from "bun:test";
import { EvaluationAggregator, OVERFLOW_VALUE } from "../../src/metrics/aggregator.ts";
import { evaluation } from "./_helpers.ts";

const T0 = 1_700_000_000_000;
const byAttrs = (agg: EvaluationAggregator, now = T0 + 1) =>
  (agg.drain(now)?.points ?? []).map((p) => [Object.fromEntries(p.attributes), p.count] as const);

describe("EvaluationAggregator", () => {
  test("identical attribute sets aggregate into one counter; TARGETING_MATCH and targeting_match are the same point", () => {
    const agg = new EvaluationAggregator({ maxSeries: 10 }, T0);
    expect(agg.add(evaluation({ reason: "TARGETING_MATCH" }))).toBe("aggregated");
    agg.add(evaluation({ reason: "targeting_match" }));
    agg.add(evaluation({ reason: " Targeting_Match " }));
    agg.add(evaluation({ variant: "off" }));
    agg.add(evaluation({ flagKey: "other" }));
    expect(agg.size).toBe(3);
    expect(agg.evaluations).toBe(5);
    expect(byAttrs(agg).map(([a, n]) => [a["feature_flag.key"], a["feature_flag.result.variant"], n])).toEqual([
      ["checkout", "on", 3],
      ["checkout", "off", 1],
      ["other", "on", 1],
    ]);
  });

  test("attribute sets that differ only in error.type or allocation key are distinct series", () => {
    const agg = new EvaluationAggregator({ maxSeries: 10 }, T0);
    agg.add(evaluation({ reason: "ERROR", errorCode: "PARSE_ERROR", variant: undefined }));
    agg.add(evaluation({ reason: "ERROR", errorCode: "TYPE_MISMATCH", variant: undefined }));
    agg.add(evaluation({ allocationKey: "a" }));
    agg.add(evaluation({ allocationKey: "b" }));
    agg.add(evaluation({ allocationKey: undefined }));
    expect(agg.size).toBe(5);
  });

  test("an empty flag key is rejected, not counted", () => {
    const agg = new EvaluationAggregator({ maxSeries: 10 }, T0);
    expect(agg.add(evaluation({ flagKey: "" }))).toBe("invalid");
    expect(agg.evaluations).toBe(0);
    expect(agg.drain(T0 + 1)).toBeUndefined();
  });

  test("past maxSeries: a per-flag __overflow__ series, then past maxOverflowFlags the global overflow series", () => {
    const agg = new EvaluationAggregator({ maxSeries: 3, maxOverflowFlags: 2 }, T0);
    for (let i = 0; i < 3; i++) expect(agg.add(evaluation({ variant: `v${i}` }))).toBe("aggregated");
    expect(agg.add(evaluation({ variant: "v3" }))).toBe("overflow_flag");
    expect(agg.add(evaluation({ variant: "v4" }))).toBe("overflow_flag");
    expect(agg.add(evaluation({ variant: "v0" }))).toBe("aggregated"); // an existing series still counts normally
    expect(agg.add(evaluation({ flagKey: "b", variant: "x" }))).toBe("overflow_flag");
    expect(agg.add(evaluation({ flagKey: "c", variant: "x" }))).toBe("overflow_global");
    expect(agg.add(evaluation({ flagKey: "d", variant: "x" }))).toBe("overflow_global");
    expect(agg.size).toBe(3 + 2 + 1);
    expect(agg.evaluations).toBe(9);
    const rows = byAttrs(agg);
    expect(rows.slice(3)).toEqual([
      [{ "feature_flag.key": "checkout", "feature_flag.result.variant": OVERFLOW_VALUE, "feature_flag.result.reason": OVERFLOW_VALUE }, 2],
      [{ "feature_flag.key": "b", "feature_flag.result.variant": OVERFLOW_VALUE, "feature_flag.result.reason": OVERFLOW_VALUE }, 1],
      [
        { "feature_flag.key": OVERFLOW_VALUE, "feature_flag.result.variant": OVERFLOW_VALUE, "feature_flag.result.reason": OVERFLOW_VALUE },
        2,
      ],
    ]);
    expect(rows.reduce((n, [, c]) => n + c, 0)).toBe(9);
  });

  test("over-long attribute values go to overflow instead of into memory", () => {
    const agg = new EvaluationAggregator({ maxSeries: 100, maxAttributeLength: 16 }, T0);
    expect(agg.add(evaluation({ variant: "v".repeat(17) }))).toBe("overflow_flag");
    expect(agg.add(evaluation({ allocationKey: "a".repeat(17) }))).toBe("overflow_flag");
    expect(agg.add(evaluation({ reason: "r".repeat(17) }))).toBe("overflow_flag");
    expect(agg.add(evaluation({ flagKey: "f".repeat(17) }))).toBe("overflow_global");
    expect(agg.size).toBe(2);
  });

  test("drain starts a new window at the flush time; merge puts a failed window back with its older start", () => {
    const agg = new EvaluationAggregator({ maxSeries: 10 }, T0);
    agg.add(evaluation());
    agg.add(evaluation({ variant: "off" }));
    const first = agg.drain(T0 + 10_000)!;
    expect(first.window).toEqual({ startMs: T0, endMs: T0 + 10_000 });
    expect(first.evaluations).toBe(2);
    expect(agg.startMs).toBe(T0 + 10_000);
    agg.add(evaluation());
    agg.merge(first);
    expect(agg.startMs).toBe(T0);
    expect(agg.evaluations).toBe(3);
    expect(byAttrs(agg, T0 + 20_000).map(([a, n]) => [a["feature_flag.result.variant"], n])).toEqual([["on", 2], ["off", 1]]);
  });

  test("merge respects the series cap: counts that find no room go to overflow, none are lost", () => {
    const agg = new EvaluationAggregator({ maxSeries: 2, maxOverflowFlags: 1 }, T0);
    agg.add(evaluation({ variant: "a" }));
    agg.add(evaluation({ variant: "b" }));
    const failed = agg.drain(T0 + 1)!;
    agg.add(evaluation({ variant: "c" }));
    agg.add(evaluation({ variant: "d" }));
    agg.add(evaluation({ flagKey: "z", variant: "d" })); // cap full: takes the only per-flag overflow slot
    agg.merge(failed);
    expect(agg.size).toBeLessThanOrEqual(2 + 1 + 1);
    expect(agg.evaluations).toBe(5);
    const drained = agg.drain(T0 + 2)!;
    expect(drained.points.reduce((n, p) => n + p.count, 0)).toBe(5);
  });

  test("memory stays flat with 100,000 distinct variants and allocation keys", () => {
    const agg = new EvaluationAggregator({ maxSeries: 2_000 }, T0);
    const heapUsed = () => {
      Bun.gc(true);
      return process.memoryUsage().heapUsed;
    };
    // Warm up: fill the cap so the baseline already holds the 2,000 series.
    for (let i = 0; i < 2_000; i++) agg.add(evaluation({ variant: `warm-${i}` }));
    const before = heapUsed();
    for (let i = 0; i < 100_000; i++) {
      agg.add(evaluation({ flagKey: `flag-${i % 50}`, variant: `variant-${i}-${"x".repeat(40)}`, allocationKey: `alloc-${i}` }));
    }
    const after = heapUsed();
    expect(agg.size).toBe(2_000 + 50);
    expect(agg.evaluations).toBe(102_000);
    // 100,000 retained series would cost well over 20 MB; a flat aggregator stays within a few MB of noise.
    expect(after - before).toBeLessThan(4 * 1024 * 1024);
  });
});
