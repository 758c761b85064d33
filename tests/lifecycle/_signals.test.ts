/** wireSignals: which signals an instance gets from its Config, in flush-report order, and that traces are the scopes' queue. */
import { describe, expect, test } from "bun:test";
import { resolveConfig } from "../../src/core/config.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { StatsRegistry } from "../../src/core/stats.ts";
import { wireSignals } from "../../src/lifecycle/_signals.ts";
import { TraceQueue } from "../../src/lifecycle/trace-queue.ts";

const options = () => ({ stats: new StatsRegistry(), logger: silentLogger() });

describe("wireSignals", () => {
  test("defaults: exposures, flag-evaluation rows and traces (metrics are opt-in)", () => {
    const { signals, traces } = wireSignals(resolveConfig({}), options());
    expect(signals.map((s) => s.name)).toEqual(["exposures", "flagevaluations", "traces"]);
    expect(traces).toBeInstanceOf(TraceQueue);
  });
  test("every switch on: exposures, metrics, flagevaluations, traces in that order", () => {
    const config = resolveConfig({ DD_METRICS_OTEL_ENABLED: "true" });
    expect(wireSignals(config, options()).signals.map((s) => s.name)).toEqual(["exposures", "metrics", "flagevaluations", "traces"]);
  });
  test("switches off: exposures stay (they have no gate); no trace queue", () => {
    const config = resolveConfig({}, { metricsEnabled: false, flagEvaluationsEnabled: false, tracesEnabled: false });
    const { signals, traces } = wireSignals(config, options());
    expect(signals.map((s) => s.name)).toEqual(["exposures"]);
    expect(traces).toBeUndefined();
  });
  test("the traces signal reports the queue's size as pending and takes no evaluations", () => {
    const { signals, traces } = wireSignals(resolveConfig({}), options());
    const signal = signals.find((s) => s.name === "traces")!;
    expect(signal.record).toBeUndefined();
    expect(signal.pending!()).toBe(0);
    traces!.push([]);
    expect(signal.pending!()).toBe(traces!.size);
    expect(signal.pending!()).toBe(1);
  });
  test("every signal with pending() starts empty", () => {
    const config = resolveConfig({ DD_METRICS_OTEL_ENABLED: "true" });
    for (const s of wireSignals(config, options()).signals) expect(s.pending?.() ?? 0).toBe(0);
  });
});
