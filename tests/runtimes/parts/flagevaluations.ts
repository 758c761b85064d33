/**
 * Flag-evaluation rows on every runtime: the same evaluations, recorded by
 * `FlagEvaluationWriter` and delivered to an in-process mock agent, give
 * the same rows (hashed subjects through each runtime's `crypto.subtle`,
 * consent, runtime defaults, allow-listed errors), a retained window after
 * a 503 that is delivered once on the next flush, and the same counters.
 */
import type { EvaluationRecord } from "../../../src/core/evaluation.ts";
import { evaluationRecord, T0 } from "../../support/records.ts";
import type { ScenarioPart } from "../types.ts";

function records(): EvaluationRecord[] {
  const base = evaluationRecord({ attributes: { plan: "pro", org: { id: 7 } } });
  return [
    base,
    { ...base, timestamp: T0 + 5, doLog: false },
    { ...base, targetingKey: "日本語-ユーザー" },
    { ...base, targetingKey: "" },
    { ...base, targetingKey: "jane.doe@datadoghq.com", observeFullEvaluationData: true },
    { ...base, variant: undefined, allocationKey: undefined, reason: "DEFAULT", value: "fallback" },
    { ...base, flagKey: "missing", variant: undefined, allocationKey: undefined, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" },
    { ...base, flagKey: "odd", variant: undefined, allocationKey: undefined, reason: "ERROR", errorCode: "not-an-openfeature-code" },
  ];
}

export const part: ScenarioPart = {
  name: "flagevaluations",

  async run({ modules: { flagpost, mockAgent } }) {
    const out: Record<string, unknown> = {};
    const agent = mockAgent.createMockAgent();
    const stats = new flagpost.StatsRegistry();
    const config = flagpost.resolveConfig({ DD_SERVICE: "shop", DD_ENV: "prod", DD_TRACE_AGENT_URL: "http://agent.test:8126" });
    const writer = new flagpost.FlagEvaluationWriter(config, { fetch: agent.fetch, stats, now: () => T0 + 60_000 });
    for (const r of records()) writer.record(r);
    const first = await writer.flush();
    out["flush.first"] = { sent: first.sent, rows: first.rows, requests: first.requests, dropped: first.dropped };

    // A 503 for every attempt: the window is kept, then delivered once.
    agent.faults.add({ path: "/evp_proxy/v2/api/v2/flagevaluation", status: 503, retryAfter: 0, times: 3 });
    writer.record(records()[0]!);
    const kept = await writer.flush();
    writer.record({ ...records()[0]!, timestamp: T0 + 9 });
    const second = await writer.flush();
    out["flush.retained"] = { sent: kept.sent, pending: kept.pending, dropped: kept.dropped };
    out["flush.second"] = { sent: second.sent, rows: second.rows, pending: second.pending };

    const received = await (await agent.fetch("http://agent.test/test/flagevaluations")).json() as Array<
      { payload: { context: unknown; flagEvaluations: unknown[] }; problems: string[] }
    >;
    out["rows"] = received.map((r) => r.payload);
    out["problems"] = received.flatMap((r) => r.problems);
    out["stats"] = writer.stats();
    return out;
  },

  expected() {
    const sha = (hex: string) => `sha256_${hex}`;
    const alice = sha("2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90");
    const at = T0 + 60_000;
    const row = (extra: Record<string, unknown>) => ({
      timestamp: at,
      flag: { key: "checkout" },
      first_evaluation: T0,
      last_evaluation: T0,
      evaluation_count: 1,
      ...extra,
    });
    const served = { variant: { key: "on" }, allocation: { key: "beta" } };
    return {
      "flush.first": { sent: 8, rows: 7, requests: 1, dropped: {} },
      "flush.retained": { sent: 0, pending: 1, dropped: {} },
      "flush.second": { sent: 2, rows: 1, pending: 0 },
      "rows": [
        {
          context: { service: "shop", env: "prod" },
          flagEvaluations: [
            row({ last_evaluation: T0 + 5, evaluation_count: 2, ...served, targeting_key: alice }),
            row({ ...served, targeting_key: sha("13477ae82bfc12a51a80f1377a5dccf29092f1540fa2e9071116885e73cfe497") }),
            row({ ...served, targeting_key: "" }),
            row({
              ...served,
              targeting_key: "jane.doe@datadoghq.com",
              context: { evaluation: { "org.id": 7, plan: "pro" } },
            }),
            row({ runtime_default_used: true, targeting_key: alice }),
            row({ flag: { key: "missing" }, runtime_default_used: true, error: { message: "FLAG_NOT_FOUND" }, targeting_key: alice }),
            row({ flag: { key: "odd" }, runtime_default_used: true, error: { message: "GENERAL" }, targeting_key: alice }),
          ],
        },
        {
          context: { service: "shop", env: "prod" },
          flagEvaluations: [row({ last_evaluation: T0 + 9, evaluation_count: 2, ...served, targeting_key: alice })],
        },
      ],
      "problems": [],
      "stats": {
        "flagevaluations.recorded": { "": 10 },
        "flagevaluations.retained": { http_503: 1 },
        "flagevaluations.sent": { "": 10 },
      },
    };
  },
};
