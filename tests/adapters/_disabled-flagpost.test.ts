/**
 * When a configuration cannot be used, the adapters serve requests with a disabled instance: it records and
 * flushes without sending anything, and the error is counted as flagpost.errors{config} and logged once without secrets.
 */
import { describe, expect, test } from "bun:test";
import { CONFIG_ERROR_REASON, disabledFlagpost, reportConfigError } from "../../src/adapters/_disabled-flagpost.ts";
import { resolveConfig } from "../../src/core/config.ts";
import { StatsRegistry } from "../../src/core/stats.ts";
import { FLAGPOST_COUNTERS } from "../../src/flagpost.ts";
import { flagpostErrorOf } from "../support/errors.ts";

function capture() {
  const lines: Array<[string, unknown[]]> = [];
  const logger = {
    debug: (...a: unknown[]) => void lines.push(["debug", a]),
    warn: (...a: unknown[]) => void lines.push(["warn", a]),
    error: (...a: unknown[]) => void lines.push(["error", a]),
  };
  return { lines, logger };
}

describe("disabledFlagpost", () => {
  test("serves a request scope and flushes without sending: no signal but exposures, nothing delivered", async () => {
    const flagpost = disabledFlagpost();
    expect([flagpost.config.metricsEnabled, flagpost.config.flagEvaluationsEnabled, flagpost.config.tracesEnabled]).toEqual([
      false,
      false,
      false,
    ]);
    const scope = flagpost.startRequest({ name: "http.request", resource: "GET /" });
    await scope.end({ status: 200 });
    const report = await flagpost.flush({ deadlineMs: 50 });
    expect(report.sent).toBe(0);
    expect(report.requests).toBe(0);
  });
});

describe("reportConfigError", () => {
  test("counts flagpost.errors{config} and logs the code, field and message of a FlagpostError once", () => {
    const stats = new StatsRegistry();
    const { lines, logger } = capture();
    const error = flagpostErrorOf(() => resolveConfig({ DD_TRACE_AGENT_PORT: "not-a-port" }));
    reportConfigError(error, stats, logger);
    expect(stats.get(FLAGPOST_COUNTERS.errors, CONFIG_ERROR_REASON)).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]![0]).toBe("error");
    expect(lines[0]![1][1]).toEqual({ code: error.code, field: error.field, error: error.message });
  });
  test("any other thrown value is logged by its name or type only (its message may hold a secret)", () => {
    const stats = new StatsRegistry();
    const { lines, logger } = capture();
    reportConfigError(new TypeError("api key abc123 is wrong"), stats, logger);
    reportConfigError("DD_API_KEY=abc123", stats, logger);
    expect(lines.map((l) => l[1][1])).toEqual([{ error: "TypeError" }, { error: "string" }]);
    expect(JSON.stringify(lines)).not.toContain("abc123");
    expect(stats.get(FLAGPOST_COUNTERS.errors, CONFIG_ERROR_REASON)).toBe(2);
  });
});
