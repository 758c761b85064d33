import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { encode } from "@msgpack/msgpack";
import { type RunningMockAgent, startMockAgent } from "../../mock-agent/mod.ts";

describe("startMockAgent on real sockets (bun)", () => {
  let agent: RunningMockAgent;
  beforeAll(async () => {
    agent = await startMockAgent({ host: "127.0.0.1", port: 0, otlpPort: 0 });
  });
  afterAll(async () => {
    await agent.close();
  });

  test("port 0 picks free ports and /info reports the APM one", async () => {
    expect(agent.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(agent.otlpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(agent.url).not.toBe(agent.otlpUrl);
    const info = (await (await fetch(`${agent.url}/info`)).json()) as { config: { receiver_port: number } };
    expect(String(info.config.receiver_port)).toBe(new URL(agent.url).port);
  });

  test("EVP without subdomain → 502 empty; traces decoded; OTLP on its own port; both ports inspect", async () => {
    let res = await fetch(`${agent.url}/evp_proxy/v2/api/v2/exposures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(502);
    expect(await res.text()).toBe("");
    res = await fetch(`${agent.url}/v0.4/traces`, {
      method: "PUT",
      headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "1" },
      body: encode([[{ service: "s", name: "n", trace_id: 5, span_id: 6 }]]),
    });
    expect(await res.json()).toEqual({ rate_by_service: { "service:,env:": 1 } });
    res = await fetch(`${agent.otlpUrl}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array([0x0a, 0x05]),
    });
    expect(res.status).toBe(400);
    expect((await fetch(`${agent.url}/v1/metrics`, { method: "POST" })).status).toBe(404);
    const traces = (await (await fetch(`${agent.otlpUrl}/test/traces`)).json()) as unknown[][];
    expect(traces.length).toBe(1);
    expect((await fetch(`${agent.url}/info`)).status).toBe(200);
  });

  test("a dropConnection fault makes the client's fetch reject, then service resumes", async () => {
    await fetch(`${agent.url}/test/faults`, { method: "POST", body: JSON.stringify({ path: "/v0.4/traces", dropConnection: true }) });
    const attempt = fetch(`${agent.url}/v0.4/traces`, {
      method: "PUT",
      headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "0" },
      body: encode([]),
    });
    await expect(attempt).rejects.toThrow();
    const res = await fetch(`${agent.url}/v0.4/traces`, {
      method: "PUT",
      headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "0" },
      body: encode([]),
    });
    expect(res.status).toBe(200);
  });

  test("a port in use is a clear rejection; bad ports name the option", async () => {
    const port = Number(new URL(agent.url).port);
    await expect(startMockAgent({ port, otlpPort: 0 })).rejects.toThrow();
    await expect(startMockAgent({ port: 70_000 })).rejects.toThrow("port must be an integer from 0 to 65535, got 70000");
  });
});
