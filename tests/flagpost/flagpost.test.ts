/**
 * The facade: one record feeds every signal once, scopes isolate their tags,
 * flush always resolves within its deadline with a report, shutdown refuses
 * later records, stats() holds every counter. Delivery is checked against
 * the mock agent in-process.
 */
import { describe, expect, test } from "bun:test";
import {
  createFlagpost,
  decodeSpanTags,
  type EvaluationRecord,
  FlagpostError,
  type FlagpostSignal,
  type SignalFlushReport,
} from "../../mod.ts";
import { createMockAgent } from "../../mock-agent/mod.ts";
import { record as baseRecord } from "../exposures/helpers.ts";

/** A logged evaluation (the exposures tests' builder) with this file's defaults. */
function record(overrides: Partial<EvaluationRecord> = {}): EvaluationRecord {
  return baseRecord({ allocationKey: "beta", serialId: 7, ...overrides });
}

const AGENT_ENV = { DD_SERVICE: "shop", DD_ENV: "test", DD_TRACE_AGENT_URL: "http://agent.test:8126" };

/** A signal that counts records and answers flushes as told. */
function fakeSignal(name: string, answer: (o: { deadlineMs?: number; signal?: AbortSignal }) => Promise<SignalFlushReport>) {
  const seen: EvaluationRecord[] = [];
  const signal: FlagpostSignal = { name, record: (r) => void seen.push(r), flush: answer };
  return { signal, seen };
}

const okReport = (sent: number): SignalFlushReport => ({ sent, dropped: {}, retried: 0, requests: 1, pending: 0, durationMs: 1 });

describe("createFlagpost", () => {
  test("rejects bad options with a FlagpostError naming the field", () => {
    const cases: Array<[unknown, string]> = [
      [{ now: 5 }, "now"],
      [{ fetch: "x" }, "fetch"],
      [{ scopeStore: {} }, "scopeStore"],
      [{ maxSpansPerRequest: -1 }, "maxSpansPerRequest"],
      [{ signals: [{ name: "x" }] }, "signals"],
      [{ env: { DD_TRACE_AGENT_PORT: "99999" } }, "DD_TRACE_AGENT_PORT"],
    ];
    for (const [options, field] of cases) {
      let error: unknown;
      try {
        createFlagpost(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FlagpostError);
      expect((error as FlagpostError).field).toBe(field);
    }
  });

  test("environment overrides DD_ENV; env is the variable record", () => {
    const flagpost = createFlagpost({ env: { DD_ENV: "prod", DD_SERVICE: "a" }, environment: "staging" });
    expect([flagpost.config.env, flagpost.config.service]).toEqual(["staging", "a"]);
  });

  test("two signals with one name are refused", () => {
    const a = fakeSignal("exposures", () => Promise.resolve(okReport(0)));
    expect(() => createFlagpost({ signals: [a.signal] })).toThrow(FlagpostError);
  });
});

describe("recordEvaluation", () => {
  test("feeds every signal once and counts it", () => {
    const extra = fakeSignal("extra", () => Promise.resolve(okReport(0)));
    const flagpost = createFlagpost({ env: AGENT_ENV, signals: [extra.signal] });
    const r = record();
    flagpost.recordEvaluation(r);
    expect(extra.seen).toEqual([r]);
    expect(flagpost.stats()["evaluations.recorded"]).toEqual({ "": 1 });
    expect(flagpost.stats()["exposures.added"]).toEqual({ "": 1 });
  });

  test("never throws: a throwing signal and a non-record are counted", () => {
    const throwing: FlagpostSignal = {
      name: "boom",
      record: () => {
        throw new Error("bad signal");
      },
      flush: () => Promise.resolve(okReport(0)),
    };
    const flagpost = createFlagpost({ signals: [throwing] });
    expect(() => flagpost.recordEvaluation(record())).not.toThrow();
    expect(() => flagpost.recordEvaluation(null as never)).not.toThrow();
    expect(() => flagpost.recordEvaluation({} as never)).not.toThrow();
    const stats = flagpost.stats();
    expect(stats["flagpost.errors"]).toEqual({ boom: 1 });
    expect(stats["evaluations.dropped"]).toEqual({ invalid: 2 });
  });

  test("exposures reach the mock agent with the record's fields", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: AGENT_ENV, fetch: agent.fetch });
    flagpost.recordEvaluation(record());
    flagpost.recordEvaluation(record()); // duplicate: deduplicated
    flagpost.recordEvaluation(record({ targetingKey: "user-2" }));
    const report = await flagpost.flush();
    expect(report.ok).toBe(true);
    expect(report.signals.exposures?.sent).toBe(2);
    const received = await (await agent.fetch("http://agent.test/test/exposures")).json() as Array<
      { payload: { context: unknown; exposures: Array<{ subject: { id: string }; flag: { key: string }; variant: { key: string } }> } }
    >;
    expect(received).toHaveLength(1);
    expect(received[0]!.payload.context).toEqual({ service: "shop", env: "test" });
    expect(received[0]!.payload.exposures.map((e) => [e.flag.key, e.variant.key, e.subject.id])).toEqual([
      ["new-checkout", "on", "user-1"],
      ["new-checkout", "on", "user-2"],
    ]);
  });
});

describe("shutdown", () => {
  test("flushes, then refuses records and counts them as shutdown", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: AGENT_ENV, fetch: agent.fetch });
    flagpost.recordEvaluation(record());
    const report = await flagpost.shutdown();
    expect(report.signals.exposures?.sent).toBe(1);
    expect(flagpost.isShutdown).toBe(true);
    flagpost.recordEvaluation(record({ targetingKey: "late" }));
    expect(flagpost.stats()["evaluations.dropped"]).toEqual({ shutdown: 1 });
    expect(await flagpost.shutdown()).toBe(report); // idempotent
  });

  test("what the signals keep for retry is counted as dropped{shutdown}, so every evaluation is delivered or counted", async () => {
    const agent = createMockAgent();
    for (const path of ["/evp_proxy/*", "/v1/metrics"]) agent.faults.add({ path, status: 503, times: 1_000 });
    const flagpost = createFlagpost({ env: AGENT_ENV, fetch: agent.fetch, metricsEnabled: true, tracesEnabled: false });
    for (let i = 0; i < 5; i++) flagpost.recordEvaluation(record({ targetingKey: `user-${i}` }));
    const report = await flagpost.shutdown({ deadlineMs: 1_000 });
    const metrics = report.signals.metrics!;
    const rows = report.signals.flagevaluations!;
    expect(metrics.pending).toBeGreaterThan(0); // a 503 keeps the window for the next flush — there is none
    expect(rows.pending).toBe(5);
    const stats = flagpost.stats();
    expect(stats["flagpost.dropped.metrics"]).toEqual({ shutdown: metrics.pending });
    expect(stats["flagpost.dropped.flagevaluations"]).toEqual({ shutdown: 5 });
    expect(stats["flagpost.dropped.exposures"]).toBeUndefined(); // exposures are never kept: counted by their writer
    const sum = (byReason: Record<string, number> | undefined) => Object.values(byReason ?? {}).reduce((a, b) => a + b, 0);
    // Flag-evaluation rows: recorded = sent + dropped by the writer + dropped at shutdown.
    expect(sum(stats["flagevaluations.recorded"])).toBe(
      sum(stats["flagevaluations.sent"]) + sum(stats["flagevaluations.dropped"]) + sum(stats["flagpost.dropped.flagevaluations"]),
    );
  });
});

describe("flush", () => {
  test("sends all signals concurrently and merges their reports", async () => {
    let running = 0;
    let maxRunning = 0;
    const slow = (sent: number) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return { ...okReport(sent), dropped: { http_500: 1 }, retried: 2 };
    };
    const a = fakeSignal("a", slow(3));
    const b = fakeSignal("b", slow(4));
    const flagpost = createFlagpost({ signals: [a.signal, b.signal] });
    const report = await flagpost.flush();
    expect(maxRunning).toBe(2);
    expect(report.signals.a?.sent).toBe(3);
    expect(report.signals.b?.sent).toBe(4);
    expect(report.sent).toBe(7 + (report.signals.exposures?.sent ?? 0));
    expect(report.dropped).toEqual({ http_500: 2 });
    expect(report.retried).toBe(4);
    expect(report.ok).toBe(false);
  });

  test("a hung signal: flush resolves at its deadline, reports timedOut, and aborts the signal", async () => {
    let aborted = false;
    const hung = fakeSignal("hung", (o) =>
      new Promise<SignalFlushReport>(() => {
        o.signal?.addEventListener("abort", () => aborted = true);
      }));
    const flagpost = createFlagpost({ signals: [hung.signal] });
    const started = performance.now();
    const report = await flagpost.flush({ deadlineMs: 50 });
    const elapsed = performance.now() - started;
    expect(report.timedOut).toBe(true);
    expect(report.ok).toBe(false);
    expect(report.deadlineMs).toBe(50);
    expect(aborted).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(flagpost.stats()["flush.timed_out"]?.[""]).toBeGreaterThanOrEqual(1);
  });

  test("a rejecting signal is contained and counted", async () => {
    const bad = fakeSignal("bad", () => Promise.reject(new Error("no")));
    const flagpost = createFlagpost({ signals: [bad.signal] });
    const report = await flagpost.flush();
    expect(report.dropped).toEqual({ error: 1 });
    expect(flagpost.stats()["flagpost.errors"]).toEqual({ bad: 1 });
  });

  test("concurrent flushes coalesce into one running flush and one follow-up", async () => {
    let calls = 0;
    const signal = fakeSignal("s", async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return okReport(1);
    });
    const flagpost = createFlagpost({ signals: [signal.signal] });
    const reports = await Promise.all(Array.from({ length: 50 }, () => flagpost.flush()));
    expect(calls).toBe(2);
    expect(reports.every((r) => r.signals.s?.sent === 1)).toBe(true);
  });

  test("a follow-up flush whose caller gave up still gets a fresh budget: a slow, healthy agent loses nothing", async () => {
    const agent = createMockAgent();
    agent.faults.add({ path: "/evp_proxy/*", delayMs: 1_500, times: 2 }); // slow, then answers 202
    const flagpost = createFlagpost({ env: AGENT_ENV, fetch: agent.fetch, flagEvaluationsEnabled: false, tracesEnabled: false });
    flagpost.recordEvaluation(record({ targetingKey: "first" }));
    const first = flagpost.flush({ deadlineMs: 3_000 });
    await new Promise((r) => setTimeout(r, 50)); // the first flush is waiting for the agent
    flagpost.recordEvaluation(record({ targetingKey: "second" }));
    const joined = await flagpost.flush({ deadlineMs: 500 }); // the first flush is still in flight: joins a follow-up
    expect(joined.timedOut).toBe(true);
    expect(joined.signals.exposures?.pending).toBe(1); // honest: the second exposure is still queued
    expect(joined.pending).toBe(1);
    expect((await first).signals.exposures?.sent).toBe(1);
    const last = await flagpost.flush({ deadlineMs: 5_000 }); // joins the follow-up (or runs after it)
    expect(last.timedOut).toBe(false);
    const stats = flagpost.stats();
    expect(stats["exposures.dropped"]).toBeUndefined();
    expect(stats["exposures.sent"]).toEqual({ "": 2 });
    const received = await (await agent.fetch("http://agent.test/test/exposures")).json() as Array<
      { payload: { exposures: Array<{ subject: { id: string } }> } }
    >;
    expect(received.flatMap((r) => r.payload.exposures.map((e) => e.subject.id))).toEqual(["first", "second"]);
  });

  test("coalesceFlushes: false runs every flush on its own (what workers need)", async () => {
    let calls = 0;
    const signal = fakeSignal("s", async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      return okReport(1);
    });
    const flagpost = createFlagpost({ signals: [signal.signal], coalesceFlushes: false });
    await Promise.all(Array.from({ length: 20 }, () => flagpost.flush()));
    expect(calls).toBe(20);
    expect(() => createFlagpost({ coalesceFlushes: "no" as never })).toThrow(FlagpostError);
  });

  test("an invalid deadline falls back to the configured one", async () => {
    const flagpost = createFlagpost({ flushDeadlineMs: 1234 });
    expect((await flagpost.flush({ deadlineMs: -1 })).deadlineMs).toBe(1234);
    expect((await flagpost.flush({ deadlineMs: Number.NaN })).deadlineMs).toBe(1234);
  });

  test("an already-aborted signal ends the flush at once", async () => {
    const hung = fakeSignal("hung", () => new Promise<SignalFlushReport>(() => {}));
    const flagpost = createFlagpost({ signals: [hung.signal] });
    const report = await flagpost.flush({ deadlineMs: 60_000, signal: AbortSignal.abort() });
    expect(report.timedOut).toBe(true);
  });
});

describe("request scopes", () => {
  test("startRequest validates its options", () => {
    const flagpost = createFlagpost({});
    expect(() => flagpost.startRequest({ name: "", resource: "r" })).toThrow(FlagpostError);
    expect(() => flagpost.startRequest({ name: "n", resource: 5 as never })).toThrow(FlagpostError);
    expect(() => flagpost.startRequest({ name: "n", resource: "r", service: 1 as never })).toThrow(FlagpostError);
    expect(() => flagpost.startRequest(null as never)).toThrow(FlagpostError);
  });

  test("enrichment off: the scope has no accumulator and records still count", async () => {
    const flagpost = createFlagpost({});
    const scope = flagpost.startRequest({ name: "n", resource: "r" });
    expect(scope.enrichment).toBeUndefined();
    flagpost.recordEvaluation(record(), scope);
    await scope.end();
    expect(flagpost.stats()["evaluations.recorded"]).toEqual({ "": 1 });
  });

  test("enrichment on: evaluations land in their own scope's tags only", async () => {
    const flagpost = createFlagpost({ spanEnrichmentEnabled: true });
    const a = flagpost.startRequest({ name: "n", resource: "a" });
    const b = flagpost.startRequest({ name: "n", resource: "b" });
    flagpost.recordEvaluation(record({ serialId: 1 }), a);
    flagpost.recordEvaluation(record({ serialId: 2 }), b);
    flagpost.recordEvaluation(record({ serialId: 3 }), a);
    expect(await a.enrichment!.toTags()).toHaveProperty("ffe_flags_enc");
    expect(decodeSpanTags(await a.enrichment!.toTags()).serialIds).toEqual([1, 3]);
    expect(decodeSpanTags(await b.enrichment!.toTags()).serialIds).toEqual([2]);
  });

  test("after end(), evaluations for that scope are counted, not added", async () => {
    const flagpost = createFlagpost({ spanEnrichmentEnabled: true });
    const scope = flagpost.startRequest({ name: "n", resource: "r" });
    await scope.end();
    flagpost.recordEvaluation(record(), scope);
    expect(flagpost.stats()["span_enrichment.dropped"]).toEqual({ scope_ended: 1 });
  });
});
