/**
 * The mock agent on every runtime. On Node (dist/), Deno and Bun it listens
 * on real sockets (`startMockAgent({ port: 0, otlpPort: 0 })`); on workerd it
 * runs in-process through `createMockAgent().app.fetch`. Either way it must
 * answer the same: EVP without subdomain → 502 empty, msgpack traces decoded
 * with exact 64-bit ids, gzip inflated, the shared OTLP vector decoded and
 * summed, a truncated protobuf → 400, a dropped connection → a rejected
 * fetch, and `/info` still answering after all that.
 */
import { encode } from "@msgpack/msgpack";
import type { Runtime, ScenarioInputs, ScenarioPart } from "../types.ts";

type Call = (port: "apm" | "otlp", path: string, init?: RequestInit) => Promise<Response>;

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const TRACE_ID = 0xfedcba9876543210n;
const EXPOSURES = JSON.stringify({
  context: { service: "svc" },
  exposures: [{
    timestamp: 1_700_000_000_000,
    allocation: { key: "a" },
    flag: { key: "f" },
    variant: { key: "on" },
    subject: { id: "u", attributes: {} },
  }],
});

async function observe(call: Call, inputs: ScenarioInputs): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const evp = "/evp_proxy/v2/api/v2/exposures";

  let res = await call("apm", evp, { method: "POST", headers: { "content-type": "application/json" }, body: EXPOSURES });
  out["evp.noSubdomain"] = [res.status, await res.text()];

  res = await call("apm", evp, {
    method: "POST",
    headers: { "content-type": "application/json", "content-encoding": "gzip", "x-datadog-evp-subdomain": "event-platform-intake" },
    body: (await gzip(EXPOSURES)) as BodyInit,
  });
  await res.body?.cancel();
  const exposures = (await (await call("apm", "/test/exposures")).json()) as Array<{ problems: string[] }>;
  out["evp.gzip"] = [res.status, exposures.length, exposures[0]?.problems];

  const spans = [{
    service: "svc",
    name: "op",
    resource: "r",
    trace_id: TRACE_ID,
    span_id: 1n,
    parent_id: 0,
    start: 1_700_000_000_000_000_000n,
    duration: 5,
    meta: { k: "v" },
    metrics: { m: 1 },
    type: "web",
  }];
  res = await call("apm", "/v0.4/traces", {
    method: "PUT",
    headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "1" },
    body: encode([spans], { useBigInt64: true }) as BodyInit,
  });
  out["traces.v04"] = [res.status, await res.json()];
  res = await call("apm", "/v0.5/traces", {
    method: "PUT",
    headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "1" },
    body: encode([["", "svc", "op"], [[[1, 2, 2, 7, 2, 1, 10, 5, 0, {}, {}, 0]]]]) as BodyInit,
  });
  await res.body?.cancel();
  res = await call("apm", "/v0.4/traces", {
    method: "PUT",
    headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "1" },
    body: new Uint8Array([0x91, 0xc1]) as BodyInit,
  });
  out["traces.malformed"] = [res.status, (await res.text()).startsWith("invalid msgpack: ")];
  const traces = (await (await call("otlp", "/test/traces")).json()) as Array<Array<{ trace_id: string; start: string }>>;
  out["traces.decoded"] = traces.map((t) => t.map((s) => [s.trace_id, s.start]));

  const vector = hexToBytes(inputs.otlpVectorHex);
  res = await call("otlp", "/v1/metrics", {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body: vector as BodyInit,
  });
  out["otlp.vector"] = [res.status, (await res.arrayBuffer()).byteLength];
  res = await call("otlp", "/v1/metrics", {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body: vector.slice(0, 100) as BodyInit,
  });
  await res.body?.cancel();
  out["otlp.truncated"] = res.status;
  res = await call("otlp", "/v1/metrics", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
  await res.body?.cancel();
  out["otlp.wrongType"] = res.status;
  const metrics = (await (await call("apm", "/test/metrics")).json()) as { evaluations: unknown[] };
  out["otlp.evaluations"] = metrics.evaluations;

  await (await call("apm", "/test/faults", { method: "POST", body: JSON.stringify({ path: "/v0.4/traces", dropConnection: true }) })).body
    ?.cancel();
  try {
    const r = await call("apm", "/v0.4/traces", {
      method: "PUT",
      headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "0" },
      body: encode([]) as BodyInit,
    });
    out["fault.drop"] = `answered ${r.status}`;
  } catch {
    out["fault.drop"] = "rejected";
  }

  res = await call("apm", "/info");
  const info = await res.text();
  out["info.after"] = [
    res.status,
    res.headers.get("datadog-agent-state") === (await sha256Hex(info)),
    (JSON.parse(info) as { endpoints: string[] }).endpoints,
  ];
  const stats = (await (await call("apm", "/test/stats")).json()) as { received: number; faulted: number };
  out["stats"] = [stats.received, stats.faulted];
  return out;
}

export const part: ScenarioPart = {
  name: "mock-agent",

  async run({ runtime, modules: { mockAgent }, inputs }) {
    if (runtime === "workerd") {
      const agent = mockAgent.createMockAgent();
      const call: Call = async (port, path, init) => {
        const app = port === "apm" ? agent.apmApp : agent.otlpApp;
        return await app.fetch(new Request(`http://agent.test${path}`, init));
      };
      return { ...(await observe(call, inputs)), "server": "in-process" };
    }
    const agent = await mockAgent.startMockAgent({ port: 0, otlpPort: 0 });
    try {
      const call: Call = (port, path, init) => fetch(`${port === "apm" ? agent.url : agent.otlpUrl}${path}`, init);
      return { ...(await observe(call, inputs)), "server": agent.server };
    } finally {
      await agent.close();
    }
  },

  expected(_inputs: ScenarioInputs, runtime: Runtime) {
    return {
      "evp.noSubdomain": [502, ""],
      "evp.gzip": [202, 1, []],
      "traces.v04": [200, { rate_by_service: { "service:,env:": 1 } }],
      "traces.malformed": [400, true],
      "traces.decoded": [[[TRACE_ID.toString(), "1700000000000000000"]], [["7", "10"]]],
      "otlp.vector": [200, 0],
      "otlp.truncated": 400,
      "otlp.wrongType": 415,
      "otlp.evaluations": [
        {
          resource: { "service.name": "svc" },
          scope: "ddtrace.openfeature",
          attributes: { "feature_flag.key": "f", "feature_flag.result.variant": "on" },
          count: 2,
          points: 1,
        },
      ],
      "fault.drop": "rejected",
      "info.after": [200, true, ["/v0.4/traces", "/v0.5/traces", "/evp_proxy/v2/", "/evp_proxy/v4/"]],
      "stats": [10, 1],
      "server": runtime === "workerd" ? "in-process" : runtime === "bun" ? "bun" : "node-http",
    };
  },
};
