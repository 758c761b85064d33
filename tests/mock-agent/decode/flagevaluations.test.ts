import { describe, expect, test } from "bun:test";
import {
  MAX_REPORTED_PROBLEMS,
  summarizeFlagEvaluations,
  validateFlagEvaluationPayload,
} from "../../../mock-agent/decode/flagevaluations.ts";
import { createMockAgent } from "../../../mock-agent/mod.ts";

const row = (over: Record<string, unknown> = {}) => ({
  timestamp: 1_700_000_060_000,
  flag: { key: "f" },
  first_evaluation: 1_700_000_000_000,
  last_evaluation: 1_700_000_000_005,
  evaluation_count: 2,
  ...over,
});

describe("validateFlagEvaluationPayload", () => {
  test("a conforming payload has no problems", () => {
    expect(validateFlagEvaluationPayload({
      context: { service: "s", env: "e" },
      flagEvaluations: [
        row({ variant: { key: "on" }, allocation: { key: "a" }, targeting_key: `sha256_${"a".repeat(64)}` }),
        row({ runtime_default_used: true, error: { message: "FLAG_NOT_FOUND" }, targeting_key: "" }),
        row({ targeting_key: "raw@example.com", context: { evaluation: { plan: "pro", n: 1, ok: true, none: null } } }),
      ],
    })).toEqual([]);
  });

  test("each departure is named with its path and rule", () => {
    const problems = validateFlagEvaluationPayload({
      context: {},
      flagEvaluations: [
        row({ evaluation_count: 0, runtime_default_used: false, variant: { key: "" }, error: { message: "boom" } }),
        row({ first_evaluation: 10, last_evaluation: 5, flag: {}, targeting_key: "alice" }),
        row({ context: { evaluation: { nested: { x: 1 } } } }),
        "nope",
      ],
    });
    expect(problems).toEqual([
      "context.service: required string",
      "flagEvaluations[0].evaluation_count: must be ≥ 1",
      "flagEvaluations[0].runtime_default_used: only ever true",
      "flagEvaluations[0].variant.key: non-empty string when present",
      "flagEvaluations[0].error.message: an allow-listed OpenFeature error code",
      "flagEvaluations[1]: first_evaluation after last_evaluation",
      "flagEvaluations[1].flag.key: required non-empty string",
      "flagEvaluations[1].targeting_key: not sha256_<hex> (a raw key is only sent with observeFullEvaluationData)",
      'flagEvaluations[2].context.evaluation["nested"]: scalar values only',
      "flagEvaluations[3]: required object",
    ]);
  });

  test("problems are bounded per payload, the rest counted", () => {
    const problems = validateFlagEvaluationPayload({ context: { service: "s" }, flagEvaluations: Array.from({ length: 500 }, () => ({})) });
    expect(problems.length).toBe(MAX_REPORTED_PROBLEMS + 1);
    expect(problems.at(-1)).toMatch(/^… \d+ more problems$/);
  });

  test("summary line counts rows and evaluations", () => {
    expect(summarizeFlagEvaluations({ flagEvaluations: [row(), row({ evaluation_count: 3 })] }, [])).toBe("2 rows / 5 evaluations");
    expect(summarizeFlagEvaluations({}, ["x"])).toBe("0 rows / 0 evaluations, 1 problem");
  });

  test("the agent records the problems and serves rows at /test/flagevaluations, also from the agentless intake", async () => {
    const agent = createMockAgent({ apiKey: "k" });
    const body = JSON.stringify({ context: { service: "s" }, flagEvaluations: [row({ error: { message: "boom" } })] });
    const headers = { "content-type": "application/json", "x-datadog-evp-subdomain": "event-platform-intake" };
    expect((await agent.fetch("http://a/evp_proxy/v2/api/v2/flagevaluation", { method: "POST", headers, body })).status).toBe(202);
    expect((await agent.fetch("http://a/api/v2/flagevaluation", { method: "POST", headers, body })).status).toBe(403);
    expect(
      (await agent.fetch("http://a/api/v2/flagevaluation", { method: "POST", headers: { ...headers, "dd-api-key": "k" }, body })).status,
    )
      .toBe(202);
    const got = await (await agent.fetch("http://a/test/flagevaluations")).json() as Array<{ path: string; problems: string[] }>;
    expect(got.map((r) => [r.path, r.problems])).toEqual([
      ["/evp_proxy/v2/api/v2/flagevaluation", ["flagEvaluations[0].error.message: an allow-listed OpenFeature error code"]],
      ["/api/v2/flagevaluation", ["flagEvaluations[0].error.message: an allow-listed OpenFeature error code"]],
    ]);
    expect(agent.store.list().map((r) => r.summary)).toContain("1 row / 2 evaluations, 1 problem");
  });
});
