/**
 * The product end to end on every runtime: createFlagpost with every signal on, 20 concurrent
 * request scopes recording through the facade and through its OpenFeature hook (driven with
 * EvaluationDetails, no SDK needed), one flush into the in-process mock agent — the same
 * exposures, metric sums and root-span ffe_* tags everywhere — then a hung agent: the flush still
 * resolves by its deadline and counts what it could not send.
 * (The example apps themselves run on Node, Deno, Bun and workerd in tests/examples/.)
 */
import type { EvaluationRecord } from "../../../mod.ts";
import type { Runtime, ScenarioInputs, ScenarioPart } from "../types.ts";

const REQUESTS = 20;

function record(i: number, serialId: number): EvaluationRecord {
  return {
    flagKey: `flag-${serialId % 2}`,
    variant: serialId % 2 === 0 ? "on" : "off",
    value: serialId % 2 === 0,
    reason: "SPLIT",
    errorCode: undefined,
    allocationKey: "alloc",
    serialId,
    doLog: true,
    targetingKey: `user-${i % 10}`, // 10 subjects
    attributes: { plan: "pro" },
    timestamp: 1_700_000_000_000,
  };
}

export const part: ScenarioPart = {
  name: "e2e",

  async run({ modules: { flagpost, mockAgent } }) {
    const out: Record<string, unknown> = {};
    const agent = mockAgent.createMockAgent();
    const env = {
      DD_SERVICE: "e2e",
      DD_TRACE_AGENT_URL: "http://agent.test:8126",
      DD_METRICS_OTEL_ENABLED: "true",
      DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED: "true",
      // Flag-evaluation rows have their own part (flagevaluations.ts); leave them out of these counts.
      DD_FLAGGING_EVALUATION_COUNTS_ENABLED: "false",
    };
    const fp = flagpost.createFlagpost({ env, fetch: agent.fetch });
    await Promise.all(Array.from({ length: REQUESTS }, async (_, i) => {
      const scope = fp.startRequest({ name: "http.request", resource: `GET /r/${i}` });
      await new Promise((r) => setTimeout(r, i % 3));
      fp.recordEvaluation(record(i, i * 2), scope);
      // The same kind of evaluation, reported through the hook (another provider's details).
      fp.hook({ scope }).finally(
        { flagKey: "flag-1", context: { targetingKey: `user-${i % 10}`, plan: "pro" } } as never,
        {
          flagKey: "flag-1",
          value: false,
          variant: "off",
          reason: "SPLIT",
          flagMetadata: { __dd_allocation_key: "alloc", __dd_do_log: true, __dd_split_serial_id: i * 2 + 1 },
        },
      );
      await scope.span("work", () => new Promise((r) => setTimeout(r, 1)));
      await scope.end({ status: 200 });
    }));
    const report = await fp.flush();
    out["flush"] = {
      ok: report.ok,
      timedOut: report.timedOut,
      sent: report.sent,
      dropped: report.dropped,
      signals: Object.keys(report.signals),
    };

    const records = agent.store.list();
    const exposures = records.flatMap((r) =>
      r.decoded?.kind === "exposures"
        ? ((r.decoded.payload as { exposures: Array<{ flag: { key: string }; subject: { id: string }; serial_id?: number }> }).exposures)
        : []
    );
    out["exposures"] = exposures.map((e) => `${e.flag.key}|${e.subject.id}|${e.serial_id}`).sort();
    const sums = mockAgent.sumEvaluations(records.flatMap((r) => (r.decoded?.kind === "metrics" ? [r.decoded.request] : [])));
    out["metrics"] = sums.map((s) => `${s.attributes["feature_flag.key"]}|${s.attributes["feature_flag.result.variant"]}=${s.count}`)
      .sort();
    const spans = records.flatMap((r) => (r.decoded?.kind === "traces" ? r.decoded.traces.flat() : []));
    const roots = spans.filter((s) => s.parent_id === 0n);
    out["traces"] = { spans: spans.length, roots: roots.length };
    out["rootTags"] = roots
      .map((s) => `${s.resource} ${JSON.stringify(flagpost.decodeSpanTags(s.meta).serialIds)} ${s.meta["ffe_subjects_enc"]?.length}`)
      .sort();
    const stats = fp.stats();
    out["stats"] = {
      recorded: stats["evaluations.recorded"],
      exposuresSent: stats["exposures.sent"],
      tracesSent: stats["traces.sent"],
      metricsSent: stats["metrics.evaluations.sent"],
    };

    // A hung agent: the flush resolves by its deadline and counts what it could not send.
    const hungAgent = mockAgent.createMockAgent();
    for (const path of ["/evp_proxy/*", "/v0.4/traces", "/v0.5/traces", "/v1/metrics"]) {
      hungAgent.faults.add({ path, delayMs: 30_000, times: 100 });
    }
    const hung = flagpost.createFlagpost({ env, fetch: hungAgent.fetch });
    hung.recordEvaluation(record(0, 0));
    await hung.startRequest({ name: "n", resource: "r" }).end();
    const cut = await hung.flush({ deadlineMs: 400 });
    const hungStats = hung.stats();
    out["hung"] = {
      timedOut: cut.timedOut,
      ok: cut.ok,
      exposures: hungStats["exposures.dropped"],
      traces: hungStats["traces.dropped"],
      metrics: hungStats["metrics.evaluations.dropped"], // a hung attempt may have been received: dropped, never kept (M3)
    };
    await hung.shutdown({ deadlineMs: 200 });
    return out;
  },

  expected(_inputs: ScenarioInputs, _runtime: Runtime) {
    const exposures: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < REQUESTS; i++) {
      for (const serialId of [i * 2, i * 2 + 1]) {
        const key = `flag-${serialId % 2}|user-${i % 10}`;
        if (seen.has(`${key}|${serialId}`)) continue;
        seen.add(`${key}|${serialId}`);
        exposures.push(`${key}|${serialId}`); // a changed serial id logs again
      }
    }
    return {
      flush: { ok: true, timedOut: false, sent: 40 + 2 + 20, dropped: {}, signals: ["exposures", "metrics", "traces"] },
      exposures: exposures.sort(),
      metrics: ["flag-0|on=20", "flag-1|off=20"],
      traces: { spans: 40, roots: 20 },
      rootTags: Array.from({ length: REQUESTS }, (_, i) => `GET /r/${i} ${JSON.stringify([i * 2, i * 2 + 1])} 75`).sort(),
      stats: { recorded: { "": 40 }, exposuresSent: { "": 40 }, tracesSent: { "": 20 }, metricsSent: { "": 40 } },
      hung: { timedOut: true, ok: false, exposures: { deadline: 1 }, traces: { deadline: 1 }, metrics: { deadline: 1 } },
    };
  },
};
