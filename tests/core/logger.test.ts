/** Loggers: level filtering and the [flagpost] prefix; a throwing user logger never breaks the library. */
import { describe, expect, test } from "bun:test";
import { consoleLogger, safeLogger, silentLogger } from "../../src/core/logger.ts";

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
