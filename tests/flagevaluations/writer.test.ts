import { afterEach, describe, expect, test } from "bun:test";
import { type ConfigOverrides, type EnvRecord, resolveConfig } from "../../src/core/config.ts";
import { StatsRegistry } from "../../src/core/stats.ts";
import { FlagEvaluationWriter, type FlagEvaluationWriterOptions } from "../../src/flagevaluations/writer.ts";
import type { EvaluationRecord } from "../../src/core/evaluation.ts";
import { createMockAgent, type MockAgent, startMockAgent } from "../../mock-agent/mod.ts";
import { evaluationRecord as record, T0 } from "../support/records.ts";
import { cutOffFetch } from "../support/cut-off-fetch.ts";

interface Row {
  timestamp: number;
  flag: { key: string };
  first_evaluation: number;
  last_evaluation: number;
  evaluation_count: number;
  runtime_default_used?: true;
  variant?: { key: string };
  allocation?: { key: string };
  error?: { message: string };
  targeting_key?: string;
  context?: { evaluation: Record<string, unknown> };
}

function setup(env: EnvRecord = {}, overrides: ConfigOverrides = {}, options: FlagEvaluationWriterOptions = {}) {
  const agent = createMockAgent();
  const stats = new StatsRegistry();
  const config = resolveConfig({ DD_SERVICE: "shop", DD_ENV: "prod", DD_VERSION: "1.2.3", ...env }, overrides);
  const writer = new FlagEvaluationWriter(config, { fetch: agent.fetch, stats, now: () => T0 + 60_000, ...options });
  return { agent, stats, writer };
}

async function received(agent: MockAgent): Promise<Array<{ payload: { context: unknown; flagEvaluations: Row[] }; problems: string[] }>> {
  const res = await agent.app.fetch(new Request("http://agent.test/test/flagevaluations"));
  return await res.json();
}
async function rows(agent: MockAgent): Promise<Row[]> {
  return (await received(agent)).flatMap((r) => r.payload.flagEvaluations);
}

/** The accounting invariant: every recorded evaluation is sent, dropped (with a reason) or pending. */
function expectAccounted(writer: FlagEvaluationWriter, stats: StatsRegistry) {
  const recorded = stats.get("flagevaluations.recorded");
  const sent = stats.get("flagevaluations.sent");
  const dropped = stats.get("flagevaluations.dropped");
  expect(sent + dropped + writer.pending).toBe(recorded);
}

const addFault = (agent: MockAgent, spec: unknown) =>
  agent.app.fetch(new Request("http://agent.test/test/faults", { method: "POST", body: JSON.stringify(spec) }));

describe("FlagEvaluationWriter against the mock agent", () => {
  test("a mixed sequence: one row per subject and dimensions, counts, first/last, headers and context", async () => {
    const { agent, stats, writer } = setup();
    writer.record(record({ timestamp: T0 + 5 }));
    writer.record(record({ timestamp: T0 + 1 }));
    writer.record(record({ timestamp: T0 + 9, doLog: false })); // doLog does not matter here: every evaluation counts
    writer.record(record({ variant: undefined, value: "fallback", reason: "DEFAULT", allocationKey: undefined, serialId: undefined }));
    writer.record(
      record({ variant: undefined, reason: "ERROR", errorCode: "FLAG_NOT_FOUND", allocationKey: undefined, flagKey: "missing" }),
    );
    writer.record(record({ targetingKey: "" }));
    writer.record(record({ targetingKey: undefined }));
    expectAccounted(writer, stats);
    const report = await writer.flush();
    expect(report).toMatchObject({ sent: 7, rows: 5, requests: 1, retried: 0, dropped: {}, pending: 0 });
    expectAccounted(writer, stats);

    const [request] = agent.store.list();
    expect(request!.path).toBe("/evp_proxy/v2/api/v2/flagevaluation");
    expect(request!.headers["x-datadog-evp-subdomain"]).toBe("event-platform-intake");
    expect(request!.headers["content-type"]).toBe("application/json");
    const [{ payload, problems }] = (await received(agent)) as [
      { payload: { context: unknown; flagEvaluations: Row[] }; problems: string[] },
    ];
    expect(problems).toEqual([]);
    expect(payload.context).toEqual({ service: "shop", env: "prod", version: "1.2.3" });
    const alice = "sha256_2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90";
    expect(payload.flagEvaluations).toEqual([
      {
        timestamp: T0 + 60_000,
        flag: { key: "checkout" },
        first_evaluation: T0 + 1,
        last_evaluation: T0 + 9,
        evaluation_count: 3,
        variant: { key: "on" },
        allocation: { key: "beta" },
        targeting_key: alice,
      },
      {
        timestamp: T0 + 60_000,
        flag: { key: "checkout" },
        first_evaluation: T0,
        last_evaluation: T0,
        evaluation_count: 1,
        runtime_default_used: true,
        targeting_key: alice,
      },
      {
        timestamp: T0 + 60_000,
        flag: { key: "missing" },
        first_evaluation: T0,
        last_evaluation: T0,
        evaluation_count: 1,
        runtime_default_used: true,
        error: { message: "FLAG_NOT_FOUND" },
        targeting_key: alice,
      },
      {
        timestamp: T0 + 60_000,
        flag: { key: "checkout" },
        first_evaluation: T0,
        last_evaluation: T0,
        evaluation_count: 1,
        variant: { key: "on" },
        allocation: { key: "beta" },
        targeting_key: "",
      },
      {
        timestamp: T0 + 60_000,
        flag: { key: "checkout" },
        first_evaluation: T0,
        last_evaluation: T0,
        evaluation_count: 1,
        variant: { key: "on" },
        allocation: { key: "beta" },
      },
    ]);
    // A second flush with nothing recorded sends nothing.
    expect(await writer.flush()).toMatchObject({ sent: 0, requests: 0 });
    expect(agent.store.list().length).toBe(1);
  });

  test("consent (observeFullEvaluationData) sends the raw key and the flattened context; without it, neither", async () => {
    const { agent, stats, writer } = setup();
    const attributes = { org: { id: 1234, tier: "gold" }, user_email: "jane.doe@datadoghq.com" };
    writer.record(record({ targetingKey: "jane.doe@datadoghq.com", attributes, observeFullEvaluationData: true }));
    writer.record(record({ targetingKey: "jane.doe@datadoghq.com", attributes, observeFullEvaluationData: false }));
    writer.record(record({ targetingKey: "jane.doe@datadoghq.com", attributes }));
    await writer.flush();
    const [withConsent, without] = await rows(agent);
    expect(withConsent!.targeting_key).toBe("jane.doe@datadoghq.com");
    expect(withConsent!.context).toEqual({ evaluation: { "org.id": 1234, "org.tier": "gold", user_email: "jane.doe@datadoghq.com" } });
    expect(without!.targeting_key).toMatch(/^sha256_[0-9a-f]{64}$/);
    expect(without!.evaluation_count).toBe(2);
    expect(without).not.toHaveProperty("context");
    expect(JSON.stringify(agent.store.list().map((r) => r.path))).not.toContain("jane");
    expectAccounted(writer, stats);
  });

  test("error codes outside the allow-list become GENERAL; error messages never travel", async () => {
    const { agent, writer } = setup();
    writer.record(record({ variant: undefined, reason: "ERROR", errorCode: "SOMETHING_NEW" }));
    writer.record(record({ variant: undefined, reason: "ERROR", errorCode: "TYPE_MISMATCH" }));
    await writer.flush();
    expect((await rows(agent)).map((r) => r.error?.message)).toEqual(["GENERAL", "TYPE_MISMATCH"]);
  });

  test("per-flag and global caps degrade to rows without subject, then drop with a count; memory stays flat", async () => {
    const { agent, stats, writer } = setup({}, {
      limits: { maxFlagEvaluationRows: 50, maxFlagEvaluationRowsPerFlag: 10, maxDegradedFlagEvaluationRows: 3 },
    });
    for (let i = 0; i < 20; i++) expect(writer.record(record({ targetingKey: `u${i}` })).status).toBe(i < 10 ? "counted" : "degraded");
    // Flags 0-3 fill the window's 50 subject rows; flag-4 then degrades.
    for (let flag = 0; flag < 5; flag++) {
      for (let i = 0; i < 10; i++) writer.record(record({ flagKey: `flag-${flag}`, targetingKey: `u${i}` }));
    }
    expect(writer.record(record({ flagKey: "late", targetingKey: "x" })).status).toBe("degraded");
    expect(writer.record(record({ flagKey: "later", targetingKey: "x" })).status).toBe("dropped");
    for (let i = 0; i < 1_000; i++) writer.record(record({ flagKey: `f${i}`, targetingKey: "y" }));
    expect(stats.get("flagevaluations.dropped", "degraded_cap")).toBe(1_001);
    expectAccounted(writer, stats);
    const report = await writer.flush();
    const got = await rows(agent);
    expect(got.length).toBe(53);
    const degraded = got.filter((r) => r.targeting_key === undefined);
    expect(degraded.map((r) => [r.flag.key, r.evaluation_count])).toEqual([["checkout", 10], ["flag-4", 10], ["late", 1]]);
    expect(report.sent).toBe(20 + 50 + 1);
    expectAccounted(writer, stats);
  });

  test("a window larger than 5 MiB is split into several bodies, every row delivered once", async () => {
    const { agent, stats, writer } = setup();
    const n = 15_000;
    for (let i = 0; i < n; i++) {
      writer.record(
        record({
          flagKey: `flag-${i % 3}`,
          targetingKey: `subject-${i}-${"k".repeat(300)}`,
          observeFullEvaluationData: true,
          attributes: {},
        }),
      );
    }
    const report = await writer.flush();
    expect(report.requests).toBeGreaterThan(1);
    expect(report.sent).toBe(n);
    for (const r of agent.store.list()) expect(r.body.byteLength).toBeLessThanOrEqual(5 * 1024 * 1024);
    const got = await rows(agent);
    expect(got.length).toBe(n);
    expect(new Set(got.map((r) => r.targeting_key)).size).toBe(n);
    expectAccounted(writer, stats);
  });

  test("503 then 200: delivered once within the flush, with the retry reported", async () => {
    const { agent, stats, writer } = setup();
    await addFault(agent, { path: "/evp_proxy/v2/api/v2/flagevaluation", status: 503, retryAfter: 0 });
    writer.record(record());
    const report = await writer.flush();
    expect(report).toMatchObject({ sent: 1, retried: 1 });
    expect((await rows(agent)).map((r) => r.evaluation_count)).toEqual([1]);
    expectAccounted(writer, stats);
  });

  test("an agent that keeps answering 503: the window is kept and merged into the next flush, counted once", async () => {
    const { agent, stats, writer } = setup();
    await addFault(agent, { path: "/evp_proxy/v2/api/v2/flagevaluation", status: 503, retryAfter: 0, times: 3 });
    writer.record(record({ timestamp: T0 }));
    const first = await writer.flush();
    expect(first).toMatchObject({ sent: 0, pending: 1 });
    expect(writer.pending).toBe(1);
    expectAccounted(writer, stats);
    writer.record(record({ timestamp: T0 + 10 }));
    const second = await writer.flush();
    expect(second).toMatchObject({ sent: 2, pending: 0 });
    expect(await rows(agent)).toMatchObject([{ evaluation_count: 2, first_evaluation: T0, last_evaluation: T0 + 10 }]);
    expectAccounted(writer, stats);
  });

  test("400 is not retried: dropped and counted as http_400", async () => {
    const { agent, stats, writer } = setup();
    await addFault(agent, { path: "/evp_proxy/v2/api/v2/flagevaluation", status: 400 });
    writer.record(record());
    writer.record(record({ targetingKey: "bob" }));
    const report = await writer.flush();
    expect(report).toMatchObject({ sent: 0, dropped: { http_400: 2 }, requests: 1, retried: 0, pending: 0 });
    expect(agent.store.list().length).toBe(1);
    expect(stats.get("flagevaluations.dropped", "http_400")).toBe(2);
    expectAccounted(writer, stats);
  });

  test("a hung agent: flush returns by its deadline and the evaluations are counted, never lost silently", async () => {
    const { agent, stats, writer } = setup();
    await addFault(agent, { path: "/evp_proxy/v2/api/v2/flagevaluation", delayMs: 5_000 });
    writer.record(record());
    const started = Date.now();
    const report = await writer.flush({ deadlineMs: 200 });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(report.sent).toBe(0);
    expect(Object.values(report.dropped).reduce((a, b) => a + b, 0) + report.pending).toBe(1);
    expectAccounted(writer, stats);
  });

  test("agentless: DD-API-KEY to /api/v2/flagevaluation; a key over plain HTTP to another host is refused at construction", async () => {
    const agent = createMockAgent({ apiKey: "secret" });
    const config = resolveConfig({ DD_API_KEY: "secret", DD_SERVICE: "shop" });
    const writer = new FlagEvaluationWriter(config, { fetch: agent.fetch, agentlessBaseUrl: "http://127.0.0.1:1" });
    writer.record(record());
    expect((await writer.flush()).sent).toBe(1);
    const [request] = agent.store.list();
    expect(request!.path).toBe("/api/v2/flagevaluation");
    expect(request!.headers["dd-api-key"]).toBe("secret");
    expect(() => new FlagEvaluationWriter(config, { agentlessBaseUrl: "http://intake.example" })).toThrow(/only sent over https/);
  });

  test("DD_FLAGGING_EVALUATION_COUNTS_ENABLED=false turns the signal off; the option overrides it", async () => {
    const off = setup({ DD_FLAGGING_EVALUATION_COUNTS_ENABLED: "false" });
    expect(off.writer.enabled).toBe(false);
    expect(off.writer.record(record())).toEqual({ status: "disabled" });
    expect(await off.writer.flush()).toMatchObject({ sent: 0, requests: 0 });
    expect(off.agent.store.list()).toEqual([]);
    expect(off.stats.snapshot()).toEqual({});
    const on = setup({ DD_FLAGGING_EVALUATION_COUNTS_ENABLED: "false" }, {}, { enabled: true });
    on.writer.record(record());
    expect((await on.writer.flush()).sent).toBe(1);
  });

  test("record never throws: hostile records are counted, not propagated", () => {
    const { stats, writer } = setup();
    const hostile = new Proxy({}, {
      get() {
        throw new Error("boom");
      },
    }) as EvaluationRecord;
    const getterContext = {};
    Object.defineProperty(getterContext, "x", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    expect(writer.record(hostile).status).toBe("dropped");
    expect(writer.record(record({ flagKey: "" })).reason).toMatch(/^invalid: flagKey/);
    expect(writer.record(record({ flagKey: "\ud800" })).status).toBe("dropped");
    expect(writer.record(record({ timestamp: 1.5 })).reason).toMatch(/timestamp/);
    expect(writer.record(record({ targetingKey: "\udc00" })).status).toBe("counted"); // the key is omitted, the count kept
    expect(writer.record(record({ attributes: getterContext, observeFullEvaluationData: true })).status).toBe("counted");
    expect(writer.record(record({ attributes: null as unknown as Record<string, unknown>, observeFullEvaluationData: true })).status)
      .toBe("counted");
    expect(stats.get("flagevaluations.targeting_key_omitted")).toBe(1);
    expectAccounted(writer, stats);
  });
});

describe("FlagEvaluationWriter over a real socket", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });
  test("rows reach a listening mock agent through the global fetch", async () => {
    const running = await startMockAgent({ host: "127.0.0.1", port: 0, otlpPort: 0 });
    close = () => running.close();
    const stats = new StatsRegistry();
    const writer = new FlagEvaluationWriter(resolveConfig({ DD_TRACE_AGENT_URL: running.url, DD_SERVICE: "shop" }), { stats });
    for (let i = 0; i < 10; i++) writer.record(record({ targetingKey: `u${i % 3}` }));
    const report = await writer.flush();
    expect(report).toMatchObject({ sent: 10, rows: 3, requests: 1 });
    const got = await (await fetch(`${running.url}/test/flagevaluations`)).json() as Array<{ payload: { flagEvaluations: Row[] } }>;
    expect(got[0]!.payload.flagEvaluations.map((r) => r.evaluation_count)).toEqual([4, 3, 3]);
    expectAccounted(writer, stats);
  });
});

describe("FlagEvaluationWriter through createFlagpost", () => {
  test("one recordEvaluation feeds the rows once; FlushReport and stats() show them; the gate removes the signal", async () => {
    const { createFlagpost } = await import("../../src/flagpost.ts");
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: { DD_SERVICE: "shop", DD_TRACE_ENABLED: "false" }, fetch: agent.fetch });
    flagpost.recordEvaluation(record());
    flagpost.recordEvaluation(record({ variant: undefined, reason: "ERROR", errorCode: "FLAG_NOT_FOUND", allocationKey: undefined }));
    const report = await flagpost.flush();
    expect(report.signals.flagevaluations).toMatchObject({ sent: 2, requests: 1, dropped: {} });
    expect(flagpost.stats()["flagevaluations.sent"]).toEqual({ "": 2 });
    expect((await rows(agent)).map((r) => r.evaluation_count)).toEqual([1, 1]);

    const off = createFlagpost({ env: { DD_FLAGGING_EVALUATION_COUNTS_ENABLED: "false", DD_TRACE_ENABLED: "false" }, fetch: agent.fetch });
    off.recordEvaluation(record());
    expect(Object.keys((await off.flush()).signals)).not.toContain("flagevaluations");
  });
});

describe("FlagEvaluationWriter deadlines", () => {
  test("a flush queued behind a slow one still answers by its own deadline; its rows are kept and delivered once later", async () => {
    const agent = createMockAgent();
    const stats = new StatsRegistry();
    const writer = new FlagEvaluationWriter(resolveConfig({ DD_SERVICE: "shop" }), { fetch: agent.fetch, stats });
    agent.faults.add({ path: "/evp_proxy/v2/api/v2/flagevaluation", delayMs: 1_500 });
    writer.record(record());
    const first = writer.flush({ deadlineMs: 2_000 }); // held ~1.5 s by the agent
    await new Promise((r) => setTimeout(r, 20));
    writer.record(record({ targetingKey: "bob" }));
    const started = Date.now();
    const second = await writer.flush({ deadlineMs: 300 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1_200); // answered at its 300 ms deadline, not after the first flush's 1.5 s
    expect(second).toMatchObject({ sent: 0, requests: 0, pending: 2 });
    expect((await first).sent).toBe(1);
    expectAccounted(writer, stats);
    const third = await writer.flush();
    expect(third.sent).toBe(1); // bob's row, kept by the queued flush (no time left), sent once now
    expect(stats.get("flagevaluations.sent")).toBe(2);
    expectAccounted(writer, stats);
  });

  test("an answer cut off after a 2xx counts as delivered: the rows are never sent twice", async () => {
    const stats = new StatsRegistry();
    const cutOff = cutOffFetch(202);
    const writer = new FlagEvaluationWriter(resolveConfig({ DD_SERVICE: "shop" }), { fetch: cutOff.fetch, stats });
    writer.record(record());
    expect(await writer.flush()).toMatchObject({ sent: 1, pending: 0, dropped: {} });
    expect(await writer.flush()).toMatchObject({ sent: 0, requests: 0 });
    expect(cutOff.calls()).toBe(1);
    expectAccounted(writer, stats);
  });
});
