/**
 * Datadog's system-tests flag-evaluation cases (tests/data/system-tests,
 * signal "flagevaluation": `tests/ffe/test_flag_eval_evp.py`, 11 cases), run
 * against flagpost through the shared interpreter (tests/support/system-tests.ts).
 *
 * Per case: a `FlagpostProvider` with the case's configuration (none for
 * `config: null`: the provider is not ready, so every evaluation is a runtime
 * default) whose `onEvaluation` feeds a `FlagEvaluationWriter`, which
 * flushes after every weblog request (the edge model: data leaves with the
 * request) to an in-process mock agent. Concurrent requests run
 * concurrently. The expectations are then checked over what the agent
 * accepted. All 11 cases apply to flagpost; none is skipped.
 */
import { describe, expect, test } from "bun:test";
import { resolveConfig } from "../../src/core/config.ts";
import { StatsRegistry } from "../../src/core/stats.ts";
import { FlagEvaluationWriter } from "../../src/flagevaluations/writer.ts";
import { FlagpostProvider } from "../../src/openfeature/provider.ts";
import { createMockAgent } from "../../mock-agent/mod.ts";
import {
  caseEnv,
  type CaseRoot,
  checkExpectation,
  evaluateCase,
  loadCases,
  type SystemTestCase,
  targetingKeysOf,
  ufcOf,
} from "../support/system-tests.ts";

interface Item {
  payload: number;
  batch: { context: unknown };
  event: Record<string, unknown>;
}

async function run(c: SystemTestCase): Promise<{ root: CaseRoot; stats: StatsRegistry; writer: FlagEvaluationWriter }> {
  const agent = createMockAgent();
  const stats = new StatsRegistry();
  const writer = new FlagEvaluationWriter(resolveConfig({ ...caseEnv(c), DD_TRACE_AGENT_URL: "http://agent.test:8126" }), {
    fetch: agent.fetch,
    stats,
  });
  const configuration = ufcOf(c.config);
  const provider = new FlagpostProvider({
    ...(configuration === undefined ? {} : { configuration }),
    onEvaluation: (r) => void writer.record(r),
  });
  const responses: Array<{ status: number }> = [];
  const serve = async (request: SystemTestCase["requests"][number]) => {
    for (const e of request.evaluations) for (const key of targetingKeysOf(e)) await evaluateCase(provider, e, key);
    responses.push({ status: 200 });
    const report = await writer.flush();
    expect(report.dropped).toEqual({});
  };
  for (const request of c.requests) {
    if (request.config !== undefined) provider.setConfiguration(ufcOf(request.config) ?? {});
    const repeat = request.repeat ?? 1;
    const concurrency = request.concurrency ?? 1;
    for (let i = 0; i < repeat; i += concurrency) {
      await Promise.all(Array.from({ length: Math.min(concurrency, repeat - i) }, () => serve(request)));
    }
  }
  const received = await (await agent.fetch("http://agent.test/test/flagevaluations")).json() as Array<{
    payload: { context: unknown; flagEvaluations: Array<Record<string, unknown>> };
    problems: string[];
  }>;
  for (const r of received) expect(r.problems).toEqual([]);
  const items: Item[] = received.flatMap((r, payload) =>
    r.payload.flagEvaluations.map((event) => ({ payload, batch: { context: r.payload.context }, event }))
  );
  const root: CaseRoot = {
    collections: { responses, flagevaluations: items },
    filter: (_collection, item, name, value) => {
      const { event } = item as Item;
      if (name === "flag") return (event.flag as { key?: string } | undefined)?.key === value;
      if (name === "degraded") return !("context" in event) && !("targeting_key" in event);
      throw new Error(`unknown filter ${name}`);
    },
  };
  return { root, stats, writer };
}

const options = { payloadOf: (i: unknown) => (i as Item).payload, projectionOf: (i: unknown) => (i as Item).event };

describe("system-tests: flagevaluation", () => {
  const cases = loadCases("flagevaluation");
  test("all 11 cases are present", () => expect(cases.length).toBe(11));
  for (const c of cases) {
    test(`${c.id}${c.gated ? " (gated upstream)" : ""}`, async () => {
      const { root, stats, writer } = await run(c);
      const failures = c.expect.map((e) => checkExpectation(root, e, options)).filter((f) => f !== undefined);
      expect(failures).toEqual([]);
      // Every evaluation was delivered: none dropped, none left pending.
      expect(stats.get("flagevaluations.sent")).toBe(stats.get("flagevaluations.recorded"));
      expect(writer.pending).toBe(0);
    });
  }

  test("the interpreter is not vacuous: a wrong count, a raw key, a leaked attribute and a missing degraded row all fail", async () => {
    const byId = (id: string) => cases.find((c) => c.id === id)!;
    const count = await run(byId("fe-count"));
    expect(
      checkExpectation(count.root, {
        kind: "sum",
        path: "flagevaluations[flag=evp-count-flag][*].event.evaluation_count",
        value: 6,
        op: "==",
      }),
    )
      .toBeDefined();
    const hashed = await run(byId("fe-observe-false-hashed"));
    expect(
      checkExpectation(hashed.root, {
        kind: "equals",
        path: "flagevaluations[flag=evp-observe-false-flag][*].event.targeting_key",
        value: "jane.doe@datadoghq.com",
        each: true,
      }),
    ).toBeDefined();
    const unhashed = await run(byId("fe-observe-true-unhashed"));
    expect(
      checkExpectation(unhashed.root, {
        kind: "excludes_text",
        path: "flagevaluations[flag=evp-observe-true-flag][*].event",
        values: ["jane.doe@datadoghq.com"],
        each: true,
      }),
    ).toBeDefined();
    expect(checkExpectation(count.root, { kind: "count", path: "flagevaluations[flag=evp-count-flag][degraded]", value: 1, op: ">=" }))
      .toBeDefined();
  });
});
