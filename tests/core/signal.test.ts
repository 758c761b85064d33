import { describe, expect, test } from "bun:test";
import {
  type Config,
  EvaluationMetrics,
  ExposureWriter,
  FlagEvaluationWriter,
  type FlushOptions,
  generateId,
  resolveConfig,
  SpanBuilder,
  StatsRegistry,
  TraceChunks,
  TraceExporter,
} from "../../mod.ts";
import { flushDeadlineMs, signalDependencies, type SignalOptions } from "../../src/core/signal.ts";
import { createMockAgent } from "../../mock-agent/mod.ts";
import { flagpostErrorOf } from "../support/errors.ts";
import { evaluationRecord } from "../support/records.ts";

const API_KEY = "0123456789abcdef0123456789abcdef";

/** Every signal built from (config, SignalOptions), enabled so that nothing short-circuits. */
const SIGNALS: Array<[string, (config: Config, options?: SignalOptions) => unknown]> = [
  ["ExposureWriter", (c, o) => new ExposureWriter(c, o)],
  ["EvaluationMetrics", (c, o) => new EvaluationMetrics(c, { enabled: true, ...o })],
  ["FlagEvaluationWriter", (c, o) => new FlagEvaluationWriter(c, { enabled: true, ...o })],
  ["TraceExporter", (c, o) => new TraceExporter(c, o)],
];

describe("signalDependencies", () => {
  test("fills the defaults: a private registry, a silent logger, Date.now, fetch left to the sender", () => {
    const deps = signalDependencies(resolveConfig({}), undefined);
    expect(deps.fetch).toBeUndefined();
    expect(deps.stats).toBeInstanceOf(StatsRegistry);
    expect(deps.now).toBe(Date.now);
    expect(() => deps.logger.error("nothing printed")).not.toThrow();
  });

  test("keeps what was given; the logger is wrapped so that a throwing one is contained", () => {
    const stats = new StatsRegistry();
    const fetch = (() => Promise.resolve(new Response(null))) as unknown as typeof globalThis.fetch;
    const now = () => 42;
    const lines: string[] = [];
    const logger = {
      debug: () => {
        throw new Error("broken logger");
      },
      warn: (m: string) => void lines.push(m),
      error: () => {},
    };
    const deps = signalDependencies(resolveConfig({}), { stats, fetch, now, logger });
    expect([deps.stats, deps.fetch, deps.now]).toEqual([stats, fetch, now]);
    expect(() => deps.logger.debug("x")).not.toThrow();
    deps.logger.warn("agent http://u:hunter2@agent:8126 down");
    expect(lines).toEqual(["agent http://u:***@agent:8126 down"]);
  });

  test("options that are not an object are a FlagpostError naming options", () => {
    for (const bad of [null, "fast", 3]) {
      const error = flagpostErrorOf(() => signalDependencies(resolveConfig({}), bad as never));
      expect([error.code, error.field]).toEqual(["invalid_argument", "options"]);
    }
  });
});

describe("every signal checks its constructor arguments the same way", () => {
  for (const [name, build] of SIGNALS) {
    test(`${name}: a config not from resolveConfig() is a FlagpostError naming config`, () => {
      for (const bad of [undefined, null, {}, "config"]) {
        const error = flagpostErrorOf(() => build(bad as never));
        expect([error.code, error.field]).toEqual(["invalid_argument", "config"]);
      }
    });

    test(`${name}: a bad option is a FlagpostError naming it (before, a bad clock made flush() reject)`, () => {
      const config = resolveConfig({});
      const cases: Array<[string, SignalOptions]> = [
        ["options.fetch", { fetch: "http://agent" as never }],
        ["options.now", { now: 1_700_000_000_000 as never }],
        ["options.stats", { stats: {} as never }],
        ["options.logger", { logger: "console" as never }],
      ];
      for (const [field, options] of cases) {
        const error = flagpostErrorOf(() => build(config, options));
        expect([error.code, error.field]).toEqual(["invalid_argument", field]);
      }
    });

    test(`${name}: the error for a malformed config never shows the API key it holds`, () => {
      const config = resolveConfig({ DD_API_KEY: API_KEY, DD_TRACE_AGENT_URL: "http://a:1" });
      for (const bad of [{ ...config, limits: undefined }, { ...config, otlpMetrics: undefined }, { apiKey: API_KEY }]) {
        let message = "";
        try {
          build(bad as never);
        } catch (error) {
          message = String(error);
        }
        expect(message).not.toContain(API_KEY.slice(0, 8));
      }
    });
  }
});

describe("flushDeadlineMs", () => {
  test("a positive finite deadlineMs is kept; anything else is the configured deadline, as createFlagpost().flush() does", () => {
    expect(flushDeadlineMs({ deadlineMs: 250 }, 5_000)).toBe(250);
    expect(flushDeadlineMs({ deadlineMs: 0.5 }, 5_000)).toBe(0.5);
    for (const bad of [undefined, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, "100" as never]) {
      expect(flushDeadlineMs({ deadlineMs: bad }, 5_000)).toBe(5_000);
    }
    expect(flushDeadlineMs(undefined, 5_000)).toBe(5_000);
    expect(flushDeadlineMs(null as never, 5_000)).toBe(5_000);
  });
});

/** One event through each signal to an in-process mock agent; how many it delivered. */
const DELIVERIES: Array<[string, (config: Config, fetch: typeof globalThis.fetch, options: FlushOptions) => Promise<number>]> = [
  ["ExposureWriter", async (config, fetch, options) => {
    const writer = new ExposureWriter(config, { fetch });
    writer.add(evaluationRecord());
    return (await writer.flush(options)).sent;
  }],
  ["EvaluationMetrics", async (config, fetch, options) => {
    const metrics = new EvaluationMetrics(config, { fetch, enabled: true });
    metrics.record(evaluationRecord());
    return (await metrics.flush(options)).sent;
  }],
  ["FlagEvaluationWriter", async (config, fetch, options) => {
    const writer = new FlagEvaluationWriter(config, { fetch, enabled: true });
    writer.record(evaluationRecord());
    return (await writer.flush(options)).sent;
  }],
  ["TraceExporter", async (config, fetch, options) => {
    const chunks = new TraceChunks().beginChunk(1);
    const start = 1_700_000_000_000n * 1_000_000n;
    chunks.pushSpan(
      new SpanBuilder({
        service: "shop",
        name: "web.request",
        resource: "GET /",
        traceId: generateId(),
        spanId: generateId(),
        start,
        duration: 1_000,
      }),
    );
    return (await new TraceExporter(config, { fetch }).send(chunks, options)).sentChunks;
  }],
];

describe("every signal bounds its flush the same way", () => {
  for (const [name, deliver] of DELIVERIES) {
    test(`${name}: a 0, negative or NaN deadlineMs (or null options) means the configured deadline, not "give up at once"`, async () => {
      const config = resolveConfig({ DD_SERVICE: "shop", DD_TRACE_AGENT_URL: "http://agent.test:8126" });
      for (const options of [{ deadlineMs: 0 }, { deadlineMs: -1 }, { deadlineMs: Number.NaN }, null as never]) {
        const agent = createMockAgent();
        expect([String(options?.deadlineMs), await deliver(config, agent.fetch, options)]).toEqual([String(options?.deadlineMs), 1]);
      }
    });
  }
});
