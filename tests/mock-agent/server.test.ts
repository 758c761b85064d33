/**
 * startMockAgent (mock-agent/server.ts) on real sockets: first in this process on Bun,
 * then under hostile and faulty clients, on real sockets, on all
 * three listeners: Node (`@hono/node-server`), Deno (the same `node:http`
 * server on Deno) and Bun (`Bun.serve`), each in its own child process; the
 * client is Node's own fetch (undici) or a raw TCP socket.
 *
 * Issue 8, items 6–9: over-limit bodies on a kept-alive connection, memory
 * bounded by what is decoded, an inspection API that cannot exhaust memory,
 * and slow clients.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { encode } from "@msgpack/msgpack";
import { type RunningMockAgent, startMockAgent } from "../../mock-agent/mod.ts";
import { connect } from "node:net";
import { type ChildAgent, cleanupListeners, LISTENER_RUNTIMES, runNodeClient, startChildAgent } from "./_listeners.ts";

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

afterAll(cleanupListeners);

const MiB = 1024 * 1024;
const RSS_BOUND = 512 * MiB;

/** Measured numbers, printed once at the end (quoted in the issue's notes). */
const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0) console.log(`\nlistener measurements:\n  ${measured.join("\n  ")}`);
});

async function withAgent<T>(
  runtime: (typeof LISTENER_RUNTIMES)[number],
  options: Record<string, unknown>,
  fn: (a: ChildAgent) => Promise<T>,
) {
  const agent = await startChildAgent(runtime, options);
  try {
    return await fn(agent);
  } finally {
    await agent.stop();
  }
}

const OVER_LIMIT_CLIENT = `
const [apm, otlp] = process.argv.slice(2);
const big = new Uint8Array(11 * 1024 * 1024).fill(0x20);
const targets = [
  [apm + "/evp_proxy/v2/api/v2/exposures", { "content-type": "application/json", "x-datadog-evp-subdomain": "event-platform-intake" }],
  [apm + "/api/v2/exposures", { "content-type": "application/json", "dd-api-key": "k" }],
  [otlp + "/v1/metrics", { "content-type": "application/x-protobuf" }],
];
const out = { statuses: [], errors: [], small: null };
for (let i = 0; i < 20; i++) {
  const [url, headers] = targets[i % 3];
  try {
    const r = await fetch(url, { method: "POST", headers, body: big });
    await r.arrayBuffer();
    out.statuses.push(r.status);
  } catch (e) {
    out.errors.push(String(e.cause?.code ?? e.cause?.message ?? e.message));
  }
}
try {
  const r = await fetch(targets[0][0], { method: "POST", headers: targets[0][1], body: JSON.stringify({ context: {}, exposures: [] }) });
  await r.arrayBuffer();
  out.small = r.status;
} catch (e) {
  out.small = String(e.cause?.code ?? e.message);
}
console.log(JSON.stringify(out));
`;

describe("item 6: over-limit bodies on a kept-alive connection (Node's fetch as the client)", () => {
  for (const runtime of LISTENER_RUNTIMES) {
    test(`${runtime}: 20 over-limit POSTs → 20 statuses, 0 socket errors; a small POST then succeeds`, async () => {
      await withAgent(runtime, {}, async (agent) => {
        const r = await runNodeClient<{ statuses: number[]; errors: string[]; small: number | string }>(OVER_LIMIT_CLIENT, [
          agent.url,
          agent.otlpUrl,
        ]);
        measured.push(`item 6 ${runtime}: ${r.errors.length} socket errors in 20 over-limit POSTs (${r.statuses.length} statuses)`);
        expect(r.errors).toEqual([]);
        expect(r.statuses).toEqual(Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? 502 : 413)));
        expect(r.small).toBe(202);
      });
    }, 90_000);
  }
});

/** 9.9 MiB of msgpack: an array of ~10 million empty arrays. */
function emptyArraysMsgpack(): Uint8Array {
  const n = Math.floor(9.9 * MiB) - 5;
  const out = new Uint8Array(n + 5).fill(0x90);
  out[0] = 0xdd; // array32 header
  new DataView(out.buffer).setUint32(1, n);
  return out;
}

/** ~1 MiB exposures body whose every event is `{}` (each a handful of schema problems). */
function emptyEventsJson(): Uint8Array {
  const n = Math.floor((1 * MiB) / 3);
  return new TextEncoder().encode(`{"context":{},"exposures":[${Array.from({ length: n }, () => "{}").join(",")}]}`);
}

/** ~10 MiB of protobuf: 5 million empty ResourceMetrics (`0a 00`). */
function emptyMessagesProtobuf(): Uint8Array {
  const out = new Uint8Array(Math.floor(9.9 * MiB) & ~1);
  for (let i = 0; i < out.length; i += 2) out[i] = 0x0a;
  return out;
}

async function postRaw(url: string, headers: Record<string, string>, body: Uint8Array): Promise<number> {
  const res = await fetch(url, { method: "POST", headers, body: body as BodyInit });
  await res.arrayBuffer();
  return res.status;
}

describe("item 7: memory bounded by what is decoded", () => {
  const msgpack = emptyArraysMsgpack();
  const events = emptyEventsJson();
  const protobuf = emptyMessagesProtobuf();
  for (const runtime of LISTENER_RUNTIMES) {
    test(`${runtime}: 20 hostile requests of each kind leave the agent under 512 MiB RSS and answering /info`, async () => {
      await withAgent(runtime, {}, async (agent) => {
        let peak = agent.rssBytes();
        const statuses = new Set<string>();
        for (let i = 0; i < 20; i++) {
          statuses.add(
            `traces ${await postRaw(
              `${agent.url}/v0.4/traces`,
              { "content-type": "application/msgpack", "x-datadog-trace-count": "1" },
              msgpack,
            )}`,
          );
          statuses.add(
            `exposures ${await postRaw(`${agent.url}/evp_proxy/v2/api/v2/exposures`, {
              "content-type": "application/json",
              "x-datadog-evp-subdomain": "event-platform-intake",
            }, events)}`,
          );
          statuses.add(`metrics ${await postRaw(`${agent.otlpUrl}/v1/metrics`, { "content-type": "application/x-protobuf" }, protobuf)}`);
          peak = Math.max(peak, agent.rssBytes());
        }
        const info = await fetch(`${agent.url}/info`);
        expect(info.status).toBe(200);
        await info.arrayBuffer();
        const rss = agent.rssBytes();
        measured.push(
          `item 7 ${runtime}: RSS after 60 hostile requests ${(rss / MiB).toFixed(0)} MiB (peak sampled ${(peak / MiB).toFixed(0)} MiB)`,
        );
        // Refused before decoding (over the value budget); the event payload fits it, its problems are capped.
        expect([...statuses].sort()).toEqual(["exposures 202", "metrics 413", "traces 413"]);
        expect(peak).toBeLessThan(RSS_BOUND);
        const exposures = (await (await fetch(`${agent.url}/test/exposures?limit=1`)).json()) as Array<{ problems: string[] }>;
        expect(exposures[0]!.problems.length).toBe(101); // 100 kept + "… N more problems"
        expect(exposures[0]!.problems[100]).toMatch(/^… \d+ more problems$/);
      });
    }, 120_000);
  }
});

describe("item 8: the inspection API cannot exhaust memory", () => {
  const deepJson = new TextEncoder().encode(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
  const deepMsgpack = new Uint8Array(100_001).fill(0x91);
  deepMsgpack[100_000] = 0xc0;
  const junk = new Uint8Array(Math.floor(9.9 * MiB)).fill(0xc1);
  for (const runtime of LISTENER_RUNTIMES) {
    test(`${runtime}: a full store pages in bounded responses; bodies one at a time; 100,000-level nesting is no 500`, async () => {
      await withAgent(runtime, {}, async (agent) => {
        const traceHeaders = { "content-type": "application/msgpack", "x-datadog-trace-count": "1" };
        // Deeply nested payloads: refused at intake (400), never a 500 then or on inspection.
        expect(await postRaw(`${agent.url}/v0.4/traces`, traceHeaders, deepMsgpack)).toBe(400);
        expect(
          await postRaw(`${agent.url}/evp_proxy/v2/api/v2/exposures`, {
            "content-type": "application/json",
            "x-datadog-evp-subdomain": "event-platform-intake",
          }, deepJson),
        ).toBe(400);
        // Fill the store by bytes: 30 bodies of 9.9 MiB (the store keeps 128 MiB).
        for (let i = 0; i < 30; i++) expect(await postRaw(`${agent.url}/v0.4/traces`, traceHeaders, junk)).toBe(400);
        const stats = (await (await fetch(`${agent.url}/test/stats`)).json()) as { stored: number; evicted: number; storedBytes: number };
        expect(stats.evicted).toBeGreaterThan(0);
        expect(stats.storedBytes).toBeLessThanOrEqual(128 * MiB);

        for (const path of ["/test/session/requests", "/test/requests", "/test/exposures", "/test/traces", "/test/metrics"]) {
          const res = await fetch(`${agent.url}${path}`);
          const text = await res.text();
          expect(`${path} ${res.status}`).toBe(`${path} 200`);
          expect(text.length).toBeLessThan(9 * MiB);
        }
        const page = (await (await fetch(`${agent.url}/test/requests?limit=2`)).json()) as {
          total: number;
          next: string;
          requests: Array<{ id: number; body: string | null; bodyBytes: number; bodyUrl: string; bodyTruncated?: boolean }>;
        };
        expect(page.total).toBe(stats.stored);
        expect(page.requests.length).toBe(2);
        const big = (await (await fetch(`${agent.url}${page.next}`)).json()) as typeof page;
        const entry = big.requests.find((r) => r.bodyBytes === junk.length)!;
        expect(entry).toMatchObject({ body: null, bodyTruncated: true, bodyUrl: `/test/requests/${entry.id}/body` });
        const body = new Uint8Array(await (await fetch(`${agent.url}${entry.bodyUrl}`)).arrayBuffer());
        expect(body.length).toBe(junk.length);
        expect(body.every((b) => b === 0xc1)).toBe(true);
        const rss = agent.rssBytes();
        measured.push(`item 8 ${runtime}: RSS after filling the store and paging it ${(rss / MiB).toFixed(0)} MiB`);
        expect(rss).toBeLessThan(RSS_BOUND);
      });
    }, 120_000);
  }
});

/** Opens a raw connection, sends headers declaring 1,000 body bytes, then 1 byte every 100 ms; resolves with what the server did. */
function slowClient(url: string, giveUpMs: number): Promise<{ closedAfterMs: number | null; answer: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    let answer = "";
    let done = false;
    const socket = connect(Number(port), hostname);
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearInterval(drip);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ closedAfterMs: closed ? Date.now() - started : null, answer: answer.split("\r\n")[0] ?? "" });
    };
    socket.on("data", (d) => (answer += d.toString("latin1")));
    socket.on("close", () => finish(true));
    socket.on("error", () => finish(true));
    socket.write(
      "POST /evp_proxy/v2/api/v2/exposures HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        "X-Datadog-EVP-Subdomain: event-platform-intake\r\nContent-Length: 1000\r\n\r\n",
    );
    const drip = setInterval(() => socket.write(" "), 100);
    const giveUp = setTimeout(() => finish(false), giveUpMs);
  });
}

describe("item 9: bounded test-API state and slow clients", () => {
  for (const runtime of LISTENER_RUNTIMES) {
    test(`${runtime}: a 1-byte-per-100-ms body is cut at the request timeout; faults and sessions are capped`, async () => {
      await withAgent(runtime, { requestTimeoutMs: 1_500, maxRequests: 50 }, async (agent) => {
        const slow = await slowClient(agent.url, 15_000);
        measured.push(`item 9 ${runtime}: slow body closed after ${slow.closedAfterMs} ms (${slow.answer || "no answer"})`);
        expect(slow.closedAfterMs).not.toBeNull();
        expect((await fetch(`${agent.url}/info`)).status).toBe(200);

        // Faults: at most 1,000 pending; beyond, 429.
        const batch = Array.from({ length: 500 }, () => ({ path: "/nowhere", status: 500 }));
        for (let i = 0; i < 2; i++) {
          const res = await fetch(`${agent.url}/test/faults`, { method: "POST", body: JSON.stringify(batch) });
          expect(res.status).toBe(201);
          await res.arrayBuffer();
        }
        const refused = await fetch(`${agent.url}/test/faults`, {
          method: "POST",
          body: JSON.stringify({ path: "/nowhere", status: 500 }),
        });
        expect(refused.status).toBe(429);
        await refused.arrayBuffer();

        // Sessions: a session is forgotten once its requests are evicted; started ones are capped.
        await fetch(`${agent.url}/info`, { headers: { "x-datadog-test-session-token": "early" } });
        for (let i = 0; i < 60; i++) {
          await (await fetch(`${agent.url}/info?i=${i}`, { headers: { "x-datadog-test-session-token": `s${i}` } })).arrayBuffer();
        }
        expect((await fetch(`${agent.url}/test/session/requests?test_session_token=early`)).status).toBe(404);
        for (let i = 0; i < 1_100; i++) await (await fetch(`${agent.url}/test/session/start?test_session_token=t${i}`)).arrayBuffer();
        const stats = (await (await fetch(`${agent.url}/test/stats`)).json()) as { sessions: number; pendingFaults: number };
        expect(stats.sessions).toBeLessThanOrEqual(1_000 + 50);
        expect(stats.pendingFaults).toBe(1_000);
      });
    }, 90_000);
  }
});
