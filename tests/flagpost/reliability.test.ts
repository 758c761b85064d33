/**
 * Reliability scenarios of the whole product (facade + every signal + a server adapter) against
 * the mock agent's faults, with the accounting invariant after each: every evaluation and every
 * trace is delivered, or counted under a reason, or still pending — never lost silently.
 *
 *  - the agent is down for the whole run: responses to the host are unaffected, every flush
 *    returns by its deadline, every event is counted with its reason;
 *  - the agent answers 503 for a while, then recovers: exposures, metrics and traces arrive, none twice.
 * (A hung agent on a worker is in tests/adapters/cloudflare/mod.test.ts.)
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { EvaluationRecord, FlushReport, StatsSnapshot } from "../../mod.ts";
import { createMockAgent, sumEvaluations } from "../../mock-agent/mod.ts";
import { createFlagpost, flagpostHandler } from "../../src/adapters/node/mod.ts";

setDefaultTimeout(60_000);

const REQUESTS = 40;
const FLAGS = 3;

function record(i: number, f: number): EvaluationRecord {
  return {
    flagKey: `flag-${f}`,
    variant: i % 2 === 0 ? "on" : "off",
    value: i % 2 === 0,
    reason: "SPLIT",
    errorCode: undefined,
    allocationKey: "alloc",
    serialId: f * 10 + (i % 2),
    doLog: true,
    targetingKey: `user-${i % 25}`, // 25 subjects: later requests repeat exposures (deduplicated)
    attributes: {},
    timestamp: 1_700_000_000_000,
  };
}

const sum = (byReason: Record<string, number> | undefined) => Object.values(byReason ?? {}).reduce((a, b) => a + b, 0);

/** added = duplicate + not_logged + invalid + sent + dropped (+ queued, 0 after the final flush). */
function exposuresAccounted(stats: StatsSnapshot): boolean {
  const added = sum(stats["exposures.added"]);
  const settled = sum(stats["exposures.duplicate"]) + sum(stats["exposures.not_logged"]) + sum(stats["exposures.invalid"]) +
    sum(stats["exposures.sent"]) + sum(stats["exposures.dropped"]);
  return added === REQUESTS * FLAGS && settled === added;
}

async function serveTraffic(env: Record<string, string>, fetchImpl: typeof fetch) {
  const flagpost = createFlagpost({ env, fetch: fetchImpl, metricsEnabled: true, flushDeadlineMs: 1_000, scopeStore: undefined });
  const reports: FlushReport[] = [];
  const handler = flagpostHandler(flagpost, (_request, scope) => {
    const i = Number(new URL(_request.url).searchParams.get("i"));
    for (let f = 0; f < FLAGS; f++) flagpost.recordEvaluation(record(i, f), scope);
    return new Response(`ok ${i}`);
  }, { flushIntervalMs: 60_000 });
  const statuses: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const res = await handler(new Request(`http://shop.test/?i=${i}`));
    statuses.push(res.status);
    await res.text();
    if (i % 10 === 9) reports.push(await flagpost.flush());
  }
  handler.stop();
  reports.push(await flagpost.shutdown());
  return { flagpost, reports, statuses };
}

describe("reliability", () => {
  test("agent down for the whole run: the host is unaffected, flushes end by their deadline, every event is counted", async () => {
    const agent = createMockAgent();
    const down = { dropConnection: true, times: 1_000_000 };
    for (const path of ["/evp_proxy/*", "/v0.4/traces", "/v0.5/traces", "/v1/metrics", "/info"]) agent.faults.add({ path, ...down });
    const { flagpost, reports, statuses } = await serveTraffic(
      { DD_SERVICE: "down", DD_TRACE_AGENT_URL: "http://agent.test:8126" },
      agent.fetch,
    );

    expect(statuses).toEqual(Array.from({ length: REQUESTS }, () => 200));
    for (const report of reports) expect(report.durationMs).toBeLessThanOrEqual(report.deadlineMs + 50);
    expect(agent.store.list().filter((r) => r.status >= 200 && r.status < 300 && r.kind !== "info")).toEqual([]);

    const stats = flagpost.stats();
    expect(exposuresAccounted(stats)).toBe(true);
    expect(sum(stats["exposures.sent"])).toBe(0);
    expect(Object.keys(stats["exposures.dropped"]!)).toEqual(["network"]);
    expect(stats["traces.dropped"]).toEqual({ network: REQUESTS });
    expect(sum(stats["traces.queued"])).toBe(REQUESTS);
    // Metric counts survive retryable failures: still pending after the last flush, and said so.
    const last = reports.at(-1)!;
    expect(last.signals.metrics!.pending).toBeGreaterThan(0);
    expect(sum(stats["metrics.evaluations.sent"])).toBe(0);
    expect(sum(stats["metrics.evaluations.received"])).toBe(REQUESTS * FLAGS);
    expect(last.ok).toBe(false);
  });

  test("503 for a while, then recovery: exposures, metrics and traces arrive, none twice", async () => {
    const agent = createMockAgent();
    const busy = { status: 503, retryAfter: 0, times: 6 };
    for (const path of ["/evp_proxy/*", "/v0.4/traces", "/v1/metrics"]) agent.faults.add({ path, ...busy });
    const { flagpost, reports, statuses } = await serveTraffic(
      { DD_SERVICE: "flaky", DD_TRACE_AGENT_URL: "http://agent.test:8126" },
      agent.fetch,
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(agent.store.list().some((r) => r.status === 503)).toBe(true); // the faults did happen

    const stats = flagpost.stats();
    expect(exposuresAccounted(stats)).toBe(true);

    // Exposures: every (flag, subject, variant) that was sent arrived exactly once…
    const delivered = agent.store.list().flatMap((r) =>
      r.decoded?.kind === "exposures" && r.status < 300
        ? ((r.decoded.payload as { exposures: Array<{ flag: { key: string }; subject: { id: string }; variant: { key: string } }> })
          .exposures)
        : []
    ).map((e) => `${e.flag.key}|${e.subject.id}|${e.variant.key}`);
    expect(new Set(delivered).size).toBe(delivered.length);
    // … what was delivered is what the writer counted as sent, and the rest is counted as dropped
    // (a failed exposure leaves the dedupe cache, so its next occurrence was sent again: still once).
    expect(delivered.length).toBe(sum(stats["exposures.sent"]));
    expect(delivered.length).toBeGreaterThan(0);
    expect(Object.keys(stats["exposures.dropped"] ?? {}).every((reason) => reason === "http_503")).toBe(true);
    expect(reports.some((r) => r.retried > 0)).toBe(true);

    // Metrics: counts merged across retries, delivered once in total.
    const sums = sumEvaluations(
      agent.store.list().flatMap((r) => (r.decoded?.kind === "metrics" && r.status < 300 ? [r.decoded.request] : [])),
    );
    const total = sums.reduce((n, row) => n + row.count, 0);
    expect(total + reports.at(-1)!.signals.metrics!.pending).toBe(REQUESTS * FLAGS);
    expect(total).toBe(REQUESTS * FLAGS);

    // Traces: every request's trace arrived once, or was counted.
    const traces = agent.store.list().flatMap((r) => (r.decoded?.kind === "traces" && r.status < 300 ? r.decoded.traces : []));
    const ids = traces.map((t) => t[0]!.trace_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length + sum(stats["traces.dropped"])).toBe(REQUESTS);
    expect(ids.length).toBeGreaterThan(0);
  });
});
