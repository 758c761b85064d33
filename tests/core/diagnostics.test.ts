import { describe, expect, test } from "bun:test";
import { describeValue, FlagpostError } from "../../src/core/errors.ts";
import { consoleLogger, safeLogger, silentLogger } from "../../src/core/logger.ts";
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

describe("loggers", () => {
  function sink() {
    const lines: Array<[string, unknown[]]> = [];
    return {
      lines,
      debug: (...a: unknown[]) => lines.push(["debug", a]),
      warn: (...a: unknown[]) => lines.push(["warn", a]),
      error: (...a: unknown[]) => lines.push(["error", a]),
    };
  }
  test("consoleLogger filters below its level and prefixes lines", () => {
    const s = sink();
    const log = consoleLogger("warn", s);
    log.debug("hidden");
    log.warn("shown", { n: 1 });
    log.error("also shown");
    expect(s.lines).toEqual([["warn", ["[flagpost] shown", { n: 1 }]], ["error", ["[flagpost] also shown"]]]);
  });
  test("silentLogger drops everything; safeLogger swallows a throwing logger", () => {
    const thrower = {
      debug: () => {},
      warn: () => {
        throw new Error("logger down");
      },
      error: () => {},
    };
    expect(() => safeLogger(thrower).warn("x")).not.toThrow();
    expect(() => thrower.warn()).toThrow("logger down");
    expect(() => silentLogger().error("x")).not.toThrow();
  });
});

describe("FlagpostError", () => {
  test("carries code, field, cause and a name", () => {
    const cause = new Error("root");
    const e = new FlagpostError("invalid_argument", "span.name: must be a non-empty string", { field: "span.name", cause });
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.code, e.field, e.cause]).toEqual(["FlagpostError", "invalid_argument", "span.name", cause]);
  });
  test("describeValue quotes strings and cuts long values", () => {
    expect(describeValue("a")).toBe('"a"');
    expect(describeValue(3)).toBe("3");
    expect(describeValue(10n)).toBe("10n");
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue("x".repeat(200)).length).toBe(80);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe("[object Object]");
  });
});
