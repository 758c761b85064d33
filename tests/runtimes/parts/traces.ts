/**
 * Traces on every runtime: one trace (a root span with a 2^64 − 1 span id,
 * a 128-bit trace id, unicode meta and metrics, and a child with empty
 * tags) built with `SpanBuilder`, pushed into `TraceChunks` and sent by
 * `TraceExporter` to the mock agent (real sockets on node/deno/bun,
 * in-process on workerd), which must decode it identically everywhere in
 * v0.5 and, after a 404 on v0.5, in v0.4. Also: the
 * `Datadog-Meta-Lang-Interpreter` header names the runtime (read from
 * `navigator.userAgent`), a second send is a `consumed` error, and
 * `generateId` gives non-zero 64-bit ids.
 */
import type { TraceChunks } from "../../../src/traces/trace-chunks.ts";
import type { Runtime, ScenarioModules, ScenarioPart } from "../types.ts";

const TRACE_ID = (0x0123456789abcdefn << 64n) | 0xfedcba9876543210n;
const U64_MAX = (1n << 64n) - 1n;
const START = 1_700_000_000_123_456_789n;

function buildTrace(flagpost: ScenarioModules["flagpost"]): TraceChunks {
  const root = new flagpost.SpanBuilder({
    service: "shop",
    name: "web.request",
    resource: "GET /cart",
    type: "web",
    traceId: TRACE_ID,
    spanId: U64_MAX,
    start: START,
    duration: 1_500_000,
  });
  root.setMeta("ffe_flags_enc", "ZAgUAg==").setMeta("usr.name", "Zoë 日本 😀").setMetric("_sampling_priority_v1", 1).setMetric(
    "_dd.agent_psr",
    0.75,
  );
  const child = new flagpost.SpanBuilder({
    service: "shop",
    name: "flag.evaluate",
    resource: "checkout",
    traceId: TRACE_ID,
    spanId: "00000000000000ff",
    parentId: U64_MAX,
    start: START + 1_000n,
    duration: 250,
    error: true,
  });
  return new flagpost.TraceChunks().beginChunk(2).pushSpan(root).pushSpan(child);
}

interface Recorded {
  path: string;
  status: number;
  headers: Record<string, string>;
  decoded?: { kind: string; traces?: Array<Array<Record<string, unknown>>> };
}

function spansOf(records: Recorded[]): unknown[] {
  return records.flatMap((r) =>
    r.decoded?.kind === "traces"
      ? (r.decoded.traces ?? []).map((t) =>
        t.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])))
      )
      : []
  );
}

export const part: ScenarioPart = {
  name: "traces",

  async run({ runtime, modules: { flagpost, mockAgent } }) {
    const out: Record<string, unknown> = {};
    const ids = Array.from({ length: 200 }, () => flagpost.generateId());
    out["generateId"] = ids.every((id) => typeof id === "bigint" && id > 0n && id <= U64_MAX);

    // One trace to a real agent (in-process on workerd).
    let store: { list(): Recorded[] };
    let close = async () => {};
    let exporter: InstanceType<typeof flagpost.TraceExporter>;
    if (runtime === "workerd") {
      const agent = mockAgent.createMockAgent();
      store = agent.store as unknown as { list(): Recorded[] };
      exporter = new flagpost.TraceExporter(flagpost.resolveConfig({}, { agentUrl: "http://agent.test:8126" }), { fetch: agent.fetch });
    } else {
      const agent = await mockAgent.startMockAgent({ port: 0, otlpPort: 0 });
      store = agent.store as unknown as { list(): Recorded[] };
      close = () => agent.close();
      exporter = new flagpost.TraceExporter(flagpost.resolveConfig({}, { agentUrl: agent.url }));
    }
    try {
      const chunks = buildTrace(flagpost);
      const result = await exporter.send(chunks);
      out["send"] = { ok: result.ok, status: result.status, version: result.version, sent: result.sentChunks, rates: result.rateByService };
      const again = await exporter.send(chunks);
      out["send.again"] = [again.ok, again.error?.code, again.requests];
      const traceRequests = store.list().filter((r) => r.path.endsWith("/traces"));
      out["agent.v05"] = spansOf(traceRequests);
      const h = traceRequests[0]?.headers ?? {};
      out["headers"] = {
        type: h["content-type"],
        count: h["x-datadog-trace-count"],
        lang: h["datadog-meta-lang"],
        interpreter: h["datadog-meta-lang-interpreter"],
        realStatus: h["datadog-send-real-http-status"],
        tracerVersion: typeof h["datadog-meta-tracer-version"],
      };
    } finally {
      await close();
    }

    // 404 on v0.5: the same chunks as v0.4, decoded identically.
    const agent = mockAgent.createMockAgent();
    agent.faults.add({ path: "/v0.5/traces", status: 404 });
    const fallback = new flagpost.TraceExporter(flagpost.resolveConfig({}, { agentUrl: "http://agent.test:8126" }), { fetch: agent.fetch });
    const result = await fallback.send(buildTrace(flagpost));
    out["fallback"] = { ok: result.ok, version: result.version, requests: result.requests };
    const records = agent.store.list() as unknown as Recorded[];
    out["fallback.paths"] = records.filter((r) => r.path.endsWith("/traces")).map((r) => `${r.path} ${r.status}`);
    out["agent.v04"] = spansOf(records.filter((r) => r.path === "/v0.4/traces"));
    return out;
  },

  expected(_inputs, runtime: Runtime) {
    const spans = [[
      {
        service: "shop",
        name: "web.request",
        resource: "GET /cart",
        trace_id: (TRACE_ID & U64_MAX).toString(),
        span_id: U64_MAX.toString(),
        parent_id: "0",
        start: START.toString(),
        duration: "1500000",
        error: 0,
        meta: { "_dd.p.tid": "0123456789abcdef", "ffe_flags_enc": "ZAgUAg==", "usr.name": "Zoë 日本 😀" },
        metrics: { "_sampling_priority_v1": 1, "_dd.agent_psr": 0.75 },
        type: "web",
      },
      {
        service: "shop",
        name: "flag.evaluate",
        resource: "checkout",
        trace_id: (TRACE_ID & U64_MAX).toString(),
        span_id: "255",
        parent_id: U64_MAX.toString(),
        start: (START + 1_000n).toString(),
        duration: "250",
        error: 1,
        meta: { "_dd.p.tid": "0123456789abcdef" },
        metrics: {},
        type: "",
      },
    ]];
    return {
      "generateId": true,
      "send": { ok: true, status: 200, version: "v0.5", sent: 1, rates: { "service:,env:": 1 } },
      "send.again": [false, "consumed", 0],
      "agent.v05": spans,
      "headers": {
        type: "application/msgpack",
        count: "1",
        lang: "javascript",
        interpreter: runtime === "workerd" ? "workerd" : runtime,
        realStatus: "1",
        tracerVersion: "string",
      },
      "fallback": { ok: true, version: "v0.4", requests: 2 },
      "fallback.paths": ["/v0.5/traces 404", "/v0.4/traces 200"],
      "agent.v04": spans,
    };
  },
};
