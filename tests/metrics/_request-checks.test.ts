/** The OTLP encoders' shared input checks: resource attributes in wire order, exact nanoseconds, counts and attribute pairs; bad input is a FlagpostError naming the field. */
import { describe, expect, test } from "bun:test";
import { checkAttributes, checkCount, millisToNanos, resourceAttributes, windowNanos } from "../../src/metrics/_request-checks.ts";
import type { MetricResource, MetricWindow } from "../../src/metrics/otlp-request.ts";
import { flagpostErrorOf } from "../support/errors.ts";

describe("resourceAttributes", () => {
  test("service, env, version in wire order; empty and absent ones left out", () => {
    expect(resourceAttributes({ version: "9", env: "prod", service: "shop" })).toEqual([
      ["service.name", "shop"],
      ["deployment.environment.name", "prod"],
      ["service.version", "9"],
    ]);
    expect(resourceAttributes({ service: "", env: undefined })).toEqual([]);
  });
  test("a non-object resource or a non-string value is refused with its field", () => {
    expect(flagpostErrorOf(() => resourceAttributes(null as unknown as MetricResource)).field).toBe("resource");
    const e = flagpostErrorOf(() => resourceAttributes({ env: 3 } as unknown as MetricResource));
    expect([e.code, e.field]).toEqual(["invalid_argument", "resource.env"]);
    expect(e.message).toMatch(/^resource\.env: 3 must be a string/);
  });
});

describe("millisToNanos / windowNanos", () => {
  test("whole milliseconds are exact; a fraction is kept to the microsecond", () => {
    expect(millisToNanos("t", 1_700_000_000_123)).toBe(1_700_000_000_123_000_000n);
    expect(millisToNanos("t", 0)).toBe(0n);
    expect(millisToNanos("t", 1.5)).toBe(1_500_000n);
  });
  test("negative, non-finite and non-number instants are refused with the field", () => {
    for (const bad of [-1, Number.NaN, Infinity, "5" as unknown as number]) {
      expect(flagpostErrorOf(() => millisToNanos("window.startMs", bad)).field).toBe("window.startMs");
    }
  });
  test("a window gives both instants; an end before the start is refused", () => {
    expect(windowNanos({ startMs: 1, endMs: 2 })).toEqual({ start: 1_000_000n, end: 2_000_000n });
    expect(flagpostErrorOf(() => windowNanos({ startMs: 2, endMs: 1 })).field).toBe("window.endMs");
    expect(flagpostErrorOf(() => windowNanos(null as unknown as MetricWindow)).field).toBe("window");
  });
});

describe("checkCount / checkAttributes", () => {
  test("counts: non-negative safe integers and bigints up to 2^63 - 1", () => {
    for (const ok of [0, 3, Number.MAX_SAFE_INTEGER, 0n, (1n << 63n) - 1n]) expect(() => checkCount(0, ok)).not.toThrow();
    for (const bad of [-1, 1.5, 2 ** 53, -1n, 1n << 63n, "1", null]) {
      expect(flagpostErrorOf(() => checkCount(4, bad)).field).toBe("points[4].count");
    }
  });
  test("attributes: an array of [string, string] pairs; the bad pair is named", () => {
    expect(() => checkAttributes(0, [])).not.toThrow();
    expect(() => checkAttributes(0, [["k", "v"], ["k2", ""]])).not.toThrow();
    expect(flagpostErrorOf(() => checkAttributes(1, "k=v")).field).toBe("points[1].attributes");
    expect(flagpostErrorOf(() => checkAttributes(1, [["k", "v"], ["k", 2]])).field).toBe("points[1].attributes[1]");
    expect(flagpostErrorOf(() => checkAttributes(1, [["k"]])).field).toBe("points[1].attributes[0]");
  });
});
