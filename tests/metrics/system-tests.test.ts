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
import type { EnvRecord, EvaluationRecord } from "../../mod.ts";
import { evaluateFlag, type ExpectedType, parseConfiguration } from "../../src/ufc/mod.ts";
import { createMockAgent } from "../../mock-agent/app.ts";
import { readDataJson } from "../support/data.ts";
import { agentFetch, received } from "./_helpers.ts";

interface Evaluation {
  flag: string;
  type: "STRING" | "BOOLEAN" | "INTEGER" | "NUMERIC" | "JSON";
  default: unknown;
  targetingKey: string;
  attributes: Record<string, unknown>;
}
interface Expectation {
  kind: string;
  path: string;
  value?: unknown;
  op?: string;
  each?: boolean;
}
interface Case {
  id: string;
  signal: string;
  env: EnvRecord;
  config: unknown;
  requests: Array<{ repeat?: number; evaluations: Evaluation[] }>;
  expect: Expectation[];
}

const TYPES: Record<Evaluation["type"], ExpectedType> = {
  STRING: "string",
  BOOLEAN: "boolean",
  INTEGER: "integer",
  NUMERIC: "number",
  JSON: "object",
};

const cases = readDataJson<{ cases: Case[] }>("system-tests/cases.json").cases.filter((c) => c.signal === "metrics");

/** A received series as system-tests sees it: its attributes and its points' values. */
interface Series {
  attr: Record<string, unknown>;
  points: Array<{ value: number }>;
}

const MISSING = Symbol("missing");

/** Resolves `metrics[flag=F]…` and `responses[i].status` paths; `[*]` projects to a list. */
function resolvePath(path: string, responses: Array<{ status: number }>, series: Series[]): { value: unknown; projected: boolean } {
  let rest: string;
  let current: unknown;
  const m = /^metrics\[flag=([^\]]+)\]/.exec(path);
  if (m !== null) {
    current = series.filter((s) => s.attr["feature_flag.key"] === m[1]);
    rest = path.slice(m[0].length);
  } else if (path.startsWith("responses")) {
    current = responses;
    rest = path.slice("responses".length);
  } else throw new Error(`path not supported: ${path}`);
  let projected = false;
  const step = (v: unknown, token: string): unknown => {
    if (v === MISSING || v === undefined || v === null) return MISSING;
    const index = /^\[(\d+)\]$/.exec(token);
    if (index !== null) return (v as unknown[])[Number(index[1])] ?? MISSING;
    const key = /^\["(.+)"\]$/.exec(token)?.[1] ?? token.replace(/^\./, "");
    return key in (v as object) ? (v as Record<string, unknown>)[key] : MISSING;
  };
  for (const token of rest.match(/\[\d+\]|\[\*\]|\["[^"]+"\]|\.[A-Za-z_]+/g) ?? []) {
    if (token === "[*]") {
      if (projected) current = (current as unknown[]).flat();
      projected = true;
      continue;
    }
    current = projected ? (current as unknown[]).map((v) => step(v, token)).filter((v) => v !== MISSING) : step(current, token);
  }
  if (projected) current = (current as unknown[]).flat();
  return { value: current, projected };
}

function compare(op: string, a: number, b: number): boolean {
  return op === ">=" ? a >= b : op === "<=" ? a <= b : op === ">" ? a > b : a === b;
}

function check(e: Expectation, responses: Array<{ status: number }>, series: Series[]): void {
  const { value } = resolvePath(e.path, responses, series);
  const label = `${e.kind} ${e.path}`;
  switch (e.kind) {
    case "equals":
      expect([label, value]).toEqual([label, e.value]);
      break;
    case "not_equals":
      expect([label, value === MISSING ? "<absent>" : value]).not.toEqual([label, e.value]);
      break;
    case "count":
      expect([label, compare(e.op!, (value as unknown[]).length, e.value as number)]).toEqual([label, true]);
      break;
    case "sum":
      expect([label, compare(e.op!, (value as number[]).reduce((s, n) => s + n, 0), e.value as number)]).toEqual([label, true]);
      break;
    case "lowercase":
      for (const v of value as string[]) if (v !== "") expect([label, v]).toEqual([label, v.toLowerCase()]);
      break;
    default:
      throw new Error(`expectation kind not handled: ${e.kind}`);
  }
}

describe("system-tests: test_flag_eval_metrics.py", () => {
  test("there are 17 metrics cases and every one is run below", () => {
    expect(cases.length).toBe(17);
  });

  for (const c of cases) {
    test(c.id, async () => {
      const agent = createMockAgent();
      const metrics = new EvaluationMetrics(resolveConfig(c.env), { fetch: agentFetch(agent) });
      expect(metrics.enabled).toBe(true); // DD_METRICS_OTEL_ENABLED=true in the scenario
      const config = c.config === null ? undefined : parseConfiguration(c.config as object);
      const responses: Array<{ status: number }> = [];
      const now = Date.now();
      for (const request of c.requests) {
        for (let r = 0; r < (request.repeat ?? 1); r++) {
          let status = 200;
          try {
            for (const ev of request.evaluations) {
              const context = { targetingKey: ev.targetingKey, ...ev.attributes };
              const result = evaluateFlag(config, ev.flag, TYPES[ev.type], ev.default, context as never, now);
              const record: EvaluationRecord = {
                flagKey: ev.flag,
                variant: result.variant,
                value: result.value,
                reason: result.reason,
                errorCode: result.errorCode,
                allocationKey: result.allocationKey,
                serialId: result.serialId,
                doLog: result.doLog,
                targetingKey: ev.targetingKey,
                attributes: ev.attributes,
                timestamp: now,
              };
              metrics.record(record);
            }
          } catch {
            status = 500;
          }
          responses.push({ status });
        }
      }
      const report = await metrics.flush();
      expect(report.dropped).toEqual({});
      const { evaluations } = await received(agent);
      const series: Series[] = evaluations.map((e) => ({ attr: e.attributes, points: [{ value: e.count }] }));
      for (const e of c.expect) check(e, responses, series);
    });
  }
});
