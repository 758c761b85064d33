/**
 * flagpost/cloudflare in workerd (miniflare, nodejs_compat) against the mock agent on a real
 * socket: each request's telemetry leaves through ctx.waitUntil *after* the response (nothing has
 * reached the agent when the client holds the whole response; everything arrives afterwards), a
 * hung agent never holds the worker past the flush deadline (every event is counted under a
 * reason), a throwing handler still gets its trace, and concurrent requests never mix tags.
 */
import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { decodeSpanTags, FlagpostError } from "../../../mod.ts";
import { type RunningMockAgent, startMockAgent } from "../../../mock-agent/mod.ts";
import { MAX_WORKER_FLUSH_DEADLINE_MS, withFlagpost } from "../../../src/adapters/cloudflare/mod.ts";
import { bundleWorker } from "../../../scripts/_worker-bundle.ts";

setDefaultTimeout(60_000);

let agent: RunningMockAgent;
let mf: Miniflare;

beforeAll(async () => {
  agent = await startMockAgent({ port: 0, otlpPort: 0, maxRequests: 50_000 });
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker(join(import.meta.dir, "../_worker.ts")),
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    bindings: {
      DD_SERVICE: "cf-test",
      DD_TRACE_AGENT_URL: agent.url,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${agent.otlpUrl}/v1/metrics`,
    },
  });
});

afterAll(async () => {
  await mf?.dispose();
  await agent?.close();
});

afterEach(() => {
  agent.faults.clear();
  agent.store.clear();
});

const intake = () => agent.store.list().filter((r) => r.kind === "exposures" || r.kind === "metrics" || r.kind === "traces");

async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  limitMs = 15_000,
  describe?: () => unknown,
): Promise<T> {
  const end = performance.now() + limitMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}${describe ? `: ${JSON.stringify(await describe())}` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Counters that changed between two snapshots, by how much. */
function delta(before: Record<string, Record<string, number>>, after: Record<string, Record<string, number>>) {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, byReason] of Object.entries(after)) {
    for (const [reason, n] of Object.entries(byReason)) {
      const d = n - (before[name]?.[reason] ?? 0);
      if (d > 0) (out[name] ??= {})[reason] = d;
    }
  }
  return out;
}

async function workerStats(): Promise<Record<string, Record<string, number>>> {
  return await (await mf.dispatchFetch("http://worker.test/__stats")).json() as Record<string, Record<string, number>>;
}

describe("withFlagpost", () => {
  test("refuses a deadline beyond the waitUntil budget and a handler without fetch", () => {
    expect(() => withFlagpost({ fetch: () => new Response() }, { deadlineMs: MAX_WORKER_FLUSH_DEADLINE_MS + 1 })).toThrow(FlagpostError);
    expect(() => withFlagpost({ fetch: () => new Response() }, { deadlineMs: 0 })).toThrow(FlagpostError);
    expect(() => withFlagpost({} as never)).toThrow(FlagpostError);
  });

  test("works with a plain ExecutionContext in-process: waitUntil receives the flush", async () => {
    const pending: Promise<unknown>[] = [];
    const worker = withFlagpost({ fetch: (_r, _e, _c, { scope }) => scope.span("work", () => new Response("ok")) }, {
      service: "in-process",
      tracesEnabled: false,
    });
    const res = await worker.fetch(new Request("http://x/"), { DD_ENV: "t" }, { waitUntil: (p) => pending.push(p) });
    expect(await res.text()).toBe("ok");
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect(worker.flagpost?.config.env).toBe("t");
  });

  test("a bad variable in env never fails a request: served without telemetry, logged once (no secret), counted, not retried", async () => {
    const logged: Array<[string, Record<string, unknown> | undefined]> = [];
    const logger = {
      debug() {},
      warn() {},
      error: (message: string, details?: Record<string, unknown>) => void logged.push([message, details]),
    };
    let created = 0;
    const worker = withFlagpost({
      fetch: (_r, _e, _c, { flagpost, scope }) =>
        scope.span("work", () => {
          flagpost.recordEvaluation({
            flagKey: "f",
            variant: "on",
            value: true,
            reason: "STATIC",
            errorCode: undefined,
            allocationKey: "a",
            serialId: 1,
            doLog: true,
            targetingKey: "u",
            attributes: {},
            timestamp: Date.now(),
          }, scope);
          return new Response(`ok ${scope.traceId > 0n}`);
        }),
    }, { logger, setup: () => void created++ });
    const pending: Promise<unknown>[] = [];
    const env = { DD_TRACE_AGENT_URL: "ftp://user:hunter2@agent:8126" }; // no http(s) scheme, and a password
    for (let i = 0; i < 3; i++) {
      const res = await worker.fetch(new Request("http://x/"), env, { waitUntil: (p) => pending.push(p) });
      expect([res.status, await res.text()]).toEqual([200, "ok true"]);
    }
    expect(pending).toHaveLength(0); // nothing to flush
    expect(created).toBe(0);
    expect(worker.flagpost).toBeUndefined();
    expect(worker.configError).toBeInstanceOf(FlagpostError);
    expect((worker.configError as FlagpostError).field).toBe("DD_TRACE_AGENT_URL");
    expect(worker.stats()["flagpost.errors"]).toEqual({ config: 1 });
    expect(logged).toHaveLength(1);
    expect(logged[0]![1]?.field).toBe("DD_TRACE_AGENT_URL");
    expect(JSON.stringify(logged)).not.toContain("hunter2");
    // A new isolate (a new withFlagpost) with a fixed variable tries again, and works.
    const fixed = withFlagpost({ fetch: () => new Response("ok") }, { tracesEnabled: false });
    await fixed.fetch(new Request("http://x/"), { DD_TRACE_AGENT_URL: "http://agent:8126" }, { waitUntil: (p) => pending.push(p) });
    expect(fixed.flagpost?.config.agentUrl).toBe("http://agent:8126");
    expect(fixed.stats()["flagpost.errors"]).toBeUndefined();
  });
});

describe("in workerd", () => {
  test("delivery happens through waitUntil after the response: nothing leaves while the response is still open", async () => {
    const res = await mf.dispatchFetch("http://worker.test/stream?user=order&base=10");
    // The handler returned and its scope ended ≥ 600 ms before this response is complete (miniflare
    // hands it over whole): an early flush would have had all that time to reach the agent.
    const atResponse = intake().length;
    expect(await res.text()).toBe("ab");
    expect(atResponse).toBe(0);
    // … and then everything arrives.
    const traces = await until(() => {
      const t = agent.store.list().flatMap((r) => (r.decoded?.kind === "traces" ? r.decoded.traces.flat() : []));
      return t.length > 0 ? t : undefined;
    }, "the trace");
    expect(decodeSpanTags(traces[0]!.meta).serialIds).toEqual([11, 12, 13]);
    await until(() => (agent.store.list().some((r) => r.kind === "exposures") ? true : undefined), "the exposures");
    await until(() => (agent.store.list().some((r) => r.kind === "metrics") ? true : undefined), "the metrics");
  });

  test("a hung agent: the response is not delayed and the waitUntil work ends at its deadline with every event counted", async () => {
    const before = await workerStats();
    const hang = { delayMs: 60_000, times: 1_000 };
    for (const path of ["/evp_proxy/*", "/v0.4/traces", "/v0.5/traces", "/v1/metrics"]) agent.faults.add({ path, ...hang });
    const res = await mf.dispatchFetch("http://worker.test/?user=hung&base=100");
    expect(await res.text()).toBe("hello hung");
    // The worker's own counters say the flush ended: each signal's events dropped under a reason.
    const stats = await until(
      async () => {
        const s = delta(before, await workerStats());
        const ended = ["exposures.dropped", "metrics.evaluations.dropped", "traces.dropped"].every((name) => s[name] !== undefined);
        return ended ? s : undefined;
      },
      "the flush to give up",
      15_000,
      async () => delta(before, await workerStats()),
    );
    // Exposures, the trace and the metric counts are dropped and counted (metrics keep a window only when
    // it was not sent: a hung attempt may have been received, and keeping it could count it twice).
    expect(stats["exposures.dropped"]).toEqual({ deadline: 3 });
    expect(stats["traces.dropped"]).toEqual({ deadline: 1 });
    expect(stats["metrics.evaluations.dropped"]).toEqual({ deadline: 3 });
    expect(stats["metrics.evaluations.retained"]).toBeUndefined();
    // (Whether the facade also counts flush.timed_out depends on which timer fires first: the signals'
    // own deadlines, just before it, usually do.)
  });

  test("a handler that throws: the request fails, its trace still leaves with error=1", async () => {
    const res = await mf.dispatchFetch("http://worker.test/throw?user=boom");
    expect(res.status).toBe(500);
    await res.arrayBuffer();
    const root = await until(() => {
      const spans = agent.store.list().flatMap((r) => (r.decoded?.kind === "traces" ? r.decoded.traces.flat() : []));
      return spans.find((s) => s.resource === "GET /throw");
    }, "the failed request's trace");
    expect([root.error, root.meta["error.message"], root.meta["http.status_code"]]).toEqual([1, "handler failed", "500"]);
  });

  test("50 concurrent requests in one isolate: each root span carries its own evaluations only", async () => {
    const N = 50;
    await Promise.all(Array.from({ length: N }, async (_, i) => {
      const res = await mf.dispatchFetch(`http://worker.test/?user=u${i}&base=${i * 10}`);
      await res.arrayBuffer();
    }));
    const roots = await until(() => {
      const spans = agent.store.list().flatMap((r) => (r.decoded?.kind === "traces" ? r.decoded.traces.flat() : []));
      const roots = spans.filter((s) => s.parent_id === 0n);
      return roots.length >= N ? roots : undefined;
    }, "every trace");
    for (const root of roots) {
      const i = Number(root.meta["test.user"]!.slice(1));
      expect(decodeSpanTags(root.meta).serialIds).toEqual([i * 10 + 1, i * 10 + 2, i * 10 + 3]);
    }
  });
});

describe("in workerd without nodejs_compat (no AsyncLocalStorage)", () => {
  test("the explicit scope still gives each of 30 concurrent requests its own tags", async () => {
    const plain = new Miniflare({
      modules: true,
      script: await bundleWorker(join(import.meta.dir, "../_worker-no-compat.ts")),
      compatibilityDate: "2026-04-01",
      bindings: { DD_SERVICE: "cf-plain", DD_TRACE_AGENT_URL: agent.url },
    });
    try {
      const N = 30;
      const answers = await Promise.all(Array.from({ length: N }, async (_, i) => {
        const res = await plain.dispatchFetch(`http://worker.test/?base=${i * 10}`);
        return await res.text();
      }));
      expect(answers.every((a) => a === "true")).toBe(true); // no implicit scope in this runtime
      const roots = await until(() => {
        const spans = agent.store.list().flatMap((r) => (r.decoded?.kind === "traces" ? r.decoded.traces.flat() : []));
        const roots = spans.filter((s) => s.service === "cf-plain" && s.parent_id === 0n);
        return roots.length >= N ? roots : undefined;
      }, "every trace");
      for (const root of roots) {
        const base = Number(root.meta["test.base"]);
        expect(decodeSpanTags(root.meta).serialIds).toEqual([base + 1, base + 2]);
      }
    } finally {
      await plain.dispose();
    }
  });
});
