/** StatsRegistry: counts by name and reason, ignores non-positive increments, snapshots are copies. */
import { describe, expect, test } from "bun:test";
import { StatsRegistry } from "../../src/core/stats.ts";

describe("StatsRegistry", () => {
  test("counts by name and reason, sums across reasons", () => {
    const s = new StatsRegistry();
    s.count("exposures.dropped", "queue_full");
    s.count("exposures.dropped", "queue_full", 2);
    s.count("exposures.dropped", "http_503");
    s.count("exposures.sent", undefined, 12);
    expect(s.get("exposures.dropped", "queue_full")).toBe(3);
    expect(s.get("exposures.dropped")).toBe(4);
    expect(s.get("exposures.sent", "")).toBe(12);
    expect(s.get("missing")).toBe(0);
    expect(s.snapshot()).toEqual({ "exposures.dropped": { http_503: 1, queue_full: 3 }, "exposures.sent": { "": 12 } });
  });
  test("ignores zero, negative and non-finite increments", () => {
    const s = new StatsRegistry();
    for (const n of [0, -1, Number.NaN, Infinity]) s.count("x", "r", n);
    expect(s.snapshot()).toEqual({});
  });
  test("snapshot is a copy; reset clears", () => {
    const s = new StatsRegistry();
    s.count("a");
    const snap = s.snapshot();
    s.count("a");
    expect(snap.a![""]).toBe(1);
    s.reset();
    expect(s.snapshot()).toEqual({});
  });
});
