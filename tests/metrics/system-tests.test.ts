/**
 * Datadog's system-tests `tests/ffe/test_flag_eval_metrics.py` (17 cases,
 * signal "metrics" in tests/data/system-tests/cases.json; Apache-2.0, see
 * that folder's README), run against flagpost: each case's UFC configuration
 * is evaluated with `evaluateFlag`, every evaluation becomes an
 * `EvaluationRecord` fed to `EvaluationMetrics`, the window is flushed to the
 * mock agent over OTLP/protobuf, and the case's expectations are checked on
 * the data points the agent decoded. A weblog request maps to one
 * evaluation loop; its "status" is 200 when evaluating did not throw.
 */
import { describe, expect, test } from "bun:test";
import { EvaluationMetrics, resolveConfig } from "../../mod.ts";
import type { EvaluationRecord } from "../../mod.ts";
import { evaluateFlag, type ExpectedType, parseConfiguration } from "../../src/ufc/mod.ts";
import { createMockAgent } from "../../mock-agent/app.ts";
import {
  caseEnv,
  type CaseEvaluation,
  type CaseRoot,
  checkExpectation,
  loadCases,
  targetingKeysOf,
  ufcOf,
} from "../support/system-tests.ts";
import { agentFetch, received } from "./_helpers.ts";

const TYPES: Record<CaseEvaluation["type"], ExpectedType> = {
  STRING: "string",
  BOOLEAN: "boolean",
  INTEGER: "integer",
  NUMERIC: "number",
  JSON: "object",
};

const cases = loadCases("metrics");

/** A received series as the README's `metrics[...]` paths see it: its attributes and its points' values. */
interface Series {
  attr: Record<string, unknown>;
  points: Array<{ value: number }>;
}

describe("system-tests: test_flag_eval_metrics.py", () => {
  test("there are 17 metrics cases and every one is run below", () => {
    expect(cases.length).toBe(17);
  });

  for (const c of cases) {
    test(c.id, async () => {
      const agent = createMockAgent();
      const metrics = new EvaluationMetrics(resolveConfig(caseEnv(c)), { fetch: agentFetch(agent) });
      expect(metrics.enabled).toBe(true); // DD_METRICS_OTEL_ENABLED=true in the scenario
      const ufc = ufcOf(c.config);
      const config = ufc === undefined ? undefined : parseConfiguration(ufc);
      const responses: Array<{ status: number }> = [];
      const now = Date.now();
      for (const request of c.requests) {
        for (let r = 0; r < (request.repeat ?? 1); r++) {
          let status = 200;
          try {
            for (const ev of request.evaluations) {
              for (const targetingKey of targetingKeysOf(ev)) {
                const result = evaluateFlag(config, ev.flag, TYPES[ev.type], ev.default, { targetingKey, ...ev.attributes } as never, now);
                const record: EvaluationRecord = {
                  flagKey: ev.flag,
                  variant: result.variant,
                  value: result.value,
                  reason: result.reason,
                  errorCode: result.errorCode,
                  allocationKey: result.allocationKey,
                  serialId: result.serialId,
                  doLog: result.doLog,
                  targetingKey,
                  attributes: ev.attributes,
                  timestamp: now,
                };
                metrics.record(record);
              }
            }
          } catch {
            status = 500;
          }
          responses.push({ status });
        }
      }
      const report = await metrics.flush();
      expect(report.dropped).toEqual({});
      const series: Series[] = (await received(agent)).evaluations.map((e) => ({ attr: e.attributes, points: [{ value: e.count }] }));
      const root: CaseRoot = {
        collections: { responses, metrics: series },
        filter: (_collection, item, name, value) => {
          if (name === "flag") return (item as Series).attr["feature_flag.key"] === value;
          throw new Error(`unknown filter ${name}`);
        },
      };
      expect(c.expect.map((e) => checkExpectation(root, e)).filter((f) => f !== undefined)).toEqual([]);
    });
  }
});
