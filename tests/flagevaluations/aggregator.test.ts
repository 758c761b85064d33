import { describe, expect, test } from "bun:test";
import { FlagEvaluationAggregator, type FlagEvaluationEvent } from "../../src/flagevaluations/aggregator.ts";

const event = (over: Partial<FlagEvaluationEvent> = {}): FlagEvaluationEvent => ({
  flagKey: "f",
  variant: "on",
  allocation: "a",
  runtimeDefault: false,
  error: undefined,
  targetingKey: "alice",
  context: undefined,
  consent: false,
  timestamp: 100,
  ...over,
});
const caps = { maxRows: 131_072, maxRowsPerFlag: 10_000, maxDegradedRows: 32_768 };

describe("FlagEvaluationAggregator", () => {
  test("one row per (flag, variant, allocation, default, error, subject): count, first and last", () => {
    const w = new FlagEvaluationAggregator(caps);
    w.add(event({ timestamp: 5 }));
    w.add(event({ timestamp: 9 }));
    w.add(event({ timestamp: 1 }));
    w.add(event({ targetingKey: "bob" }));
    w.add(event({ targetingKey: "" }));
    w.add(event({ targetingKey: undefined }));
    w.add(event({ variant: undefined, runtimeDefault: true }));
    w.add(event({ error: "GENERAL", variant: undefined, allocation: undefined, runtimeDefault: true }));
    expect(w.rows).toBe(6);
    expect(w.evaluations).toBe(8);
    const rows = w.take();
    expect(rows[0]).toMatchObject({ targetingKey: "alice", count: 3, first: 1, last: 9, degraded: false });
    expect(rows.map((r) => r.targetingKey)).toEqual(["alice", "bob", "", undefined, "alice", "alice"]);
    expect(w.rows).toBe(0);
    expect(w.evaluations).toBe(0);
  });

  test("identities cannot collide through separators in keys", () => {
    const w = new FlagEvaluationAggregator(caps);
    w.add(event({ flagKey: "a|b", variant: "c" }));
    w.add(event({ flagKey: "a", variant: "b|c" }));
    w.add(event({ flagKey: "1:a", variant: undefined }));
    w.add(event({ flagKey: "1", variant: ":a" }));
    expect(w.rows).toBe(4);
  });

  test("consent and context are part of the identity", () => {
    const w = new FlagEvaluationAggregator(caps);
    w.add(event({ consent: true, context: [["plan", "pro"]] }));
    w.add(event({ consent: true, context: [["plan", "free"]] }));
    w.add(event({ consent: true, context: [["plan", "pro"]] }));
    w.add(event({ consent: false }));
    expect(w.take().map((r) => r.count)).toEqual([2, 1, 1]);
  });

  test("past the per-flag cap, new subjects go to one degraded row per dimensions; known subjects keep counting", () => {
    const w = new FlagEvaluationAggregator({ maxRows: 100, maxRowsPerFlag: 3, maxDegradedRows: 10 });
    for (let i = 0; i < 6; i++) expect(w.add(event({ targetingKey: `u${i}` }))).toBe(i < 3 ? "row" : "degraded");
    expect(w.add(event({ targetingKey: "u0" }))).toBe("row");
    expect(w.add(event({ flagKey: "g", targetingKey: "u9" }))).toBe("row"); // another flag has its own budget
    const rows = w.take();
    expect(rows.map((r) => [r.flagKey, r.targetingKey, r.count, r.degraded])).toEqual([
      ["f", "u0", 2, false],
      ["f", "u1", 1, false],
      ["f", "u2", 1, false],
      ["g", "u9", 1, false],
      ["f", undefined, 3, true],
    ]);
  });

  test("past the global cap, degraded; past the degraded cap, dropped — memory stays flat", () => {
    const w = new FlagEvaluationAggregator({ maxRows: 2, maxRowsPerFlag: 10, maxDegradedRows: 2 });
    const outcomes = [];
    for (let i = 0; i < 1_000; i++) outcomes.push(w.add(event({ flagKey: `f${i % 3}`, variant: `v${i}`, targetingKey: `u${i}` })));
    expect(outcomes.slice(0, 4)).toEqual(["row", "row", "degraded", "degraded"]);
    expect(outcomes.filter((o) => o === "dropped").length).toBe(996);
    expect(w.rows).toBe(4);
    expect(w.evaluations).toBe(4);
  });

  test("merge puts a taken row back, adding to an identical new row, within the caps", () => {
    const w = new FlagEvaluationAggregator({ maxRows: 1, maxRowsPerFlag: 10, maxDegradedRows: 1 });
    w.add(event({ timestamp: 10 }));
    const [taken] = w.take();
    w.add(event({ timestamp: 20 }));
    expect(w.merge(taken!)).toBe("row");
    expect(w.take()).toMatchObject([{ count: 2, first: 10, last: 20 }]);

    w.add(event({ targetingKey: "other" }));
    expect(w.merge(taken!)).toBe("degraded"); // the window's only subject row is taken
    expect(w.merge({ ...taken!, flagKey: "zzz" })).toBe("dropped");
    expect(w.evaluations).toBe(1 + taken!.count);
  });
});
