import { afterEach, describe, expect, test } from "bun:test";
import { resolveConfig } from "../../src/core/config.ts";
import { flagpostErrorOf } from "../support/errors.ts";
import { StatsRegistry } from "../../src/core/stats.ts";
import { ExposureCache } from "../../src/exposures/cache.ts";
import { ExposureWriter, MAX_EXPOSURE_EVENT_BYTES } from "../../src/exposures/writer.ts";
import { startMockAgent } from "../../mock-agent/mod.ts";
import { agentFetch, expectAccounted, mockAgent, receivedEvents, receivedPayloads, record, T0 } from "./helpers.ts";
import { cutOffFetch } from "../support/cut-off-fetch.ts";

const ENV = { DD_SERVICE: "shop", DD_ENV: "prod", DD_VERSION: "1.2.3", DD_TRACE_AGENT_URL: "http://agent.test:8126" };

/** Every writer built by a test is checked against the accounting invariant when the test ends. */
const writers: ExposureWriter[] = [];
afterEach(() => {
  for (const w of writers.splice(0)) expectAccounted(w);
});

function setup(env: Record<string, string> = ENV, over: Parameters<typeof resolveConfig>[1] = {}) {
  const agent = mockAgent();
  const stats = new StatsRegistry();
  const logs: Array<{ level: string; message: string; details?: Record<string, unknown> }> = [];
  const logger = {
    debug: (message: string, details?: Record<string, unknown>) => logs.push({ level: "debug", message, details }),
    warn: (message: string, details?: Record<string, unknown>) => logs.push({ level: "warn", message, details }),
    error: (message: string, details?: Record<string, unknown>) => logs.push({ level: "error", message, details }),
  };
  const writer = new ExposureWriter(resolveConfig(env, over), { fetch: agentFetch(agent), stats, logger });
  writers.push(writer);
  return { agent, writer, stats, logs };
}

describe("wire", () => {
  test("POSTs the exact body to the EVP proxy with the EVP headers", async () => {
    const { agent, writer } = setup({ ...ENV, DD_TRACE_AGENT_URL: "http://u:p@agent.test:8126/some/path?x=1" });
    expect(writer.add(record())).toEqual({ status: "queued" });
    expect(writer.add(record({ flagKey: "other", serialId: 0, targetingKey: undefined, attributes: {} }))).toEqual({ status: "queued" });
    const report = await writer.flush();
    expect(report).toMatchObject({ sent: 2, dropped: {}, retried: 0, requests: 1, pending: 0 });
    const [req] = agent.store.list();
    expect(req!.method).toBe("POST");
    expect(req!.path).toBe("/evp_proxy/v2/api/v2/exposures");
    expect(req!.query).toBe("");
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(req!.headers["x-datadog-evp-subdomain"]).toBe("event-platform-intake");
    expect(req!.headers["authorization"]).toBe(`Basic ${btoa("u:p")}`);
    expect(new TextDecoder().decode(req!.body)).toBe(
      '{"context":{"service":"shop","env":"prod","version":"1.2.3"},"exposures":[' +
        '{"timestamp":1700000000000,"allocation":{"key":"beta-users"},"flag":{"key":"new-checkout"},"variant":{"key":"on"},' +
        '"subject":{"id":"user-1","attributes":{"plan":"pro"}},"serial_id":42},' +
        '{"timestamp":1700000000000,"allocation":{"key":"beta-users"},"flag":{"key":"other"},"variant":{"key":"on"},' +
        '"subject":{"id":"","attributes":{}},"serial_id":0}]}',
    );
    const [payload] = await receivedPayloads(agent);
    expect(payload!.exposures[1]!.subject).toEqual({ id: "", attributes: {} });
  });

  test("no gate: without service metadata the context is {} and events are still sent", async () => {
    const { agent, writer } = setup({ DD_TRACE_AGENT_URL: "http://agent.test:8126" });
    writer.add(record({ serialId: undefined, attributes: undefined as unknown as Record<string, unknown> }));
    expect((await writer.flush()).sent).toBe(1);
    const [payload] = await receivedPayloads(agent);
    expect(payload!.context).toEqual({});
    expect(payload!.exposures[0]).toEqual({
      timestamp: T0,
      allocation: { key: "beta-users" },
      flag: { key: "new-checkout" },
      variant: { key: "on" },
      subject: { id: "user-1", attributes: {} },
    });
    const [decoded] = (await (await agent.app.fetch(new Request("http://agent.test/test/exposures"))).json()) as Array<
      { problems: string[] }
    >;
    expect(decoded!.problems).toEqual([]);
  });

  test("an empty flush makes no request", async () => {
    const { agent, writer } = setup();
    expect(await writer.flush()).toMatchObject({ sent: 0, requests: 0, dropped: {} });
    expect(agent.store.list()).toEqual([]);
  });

  test("agentless: DD-API-KEY to the intake, no agent headers", async () => {
    const agent = mockAgent();
    const seen: string[] = [];
    const fetchVia = agentFetch(agent);
    const writer = new ExposureWriter(resolveConfig({ DD_API_KEY: "secret-key", DD_SITE: "datadoghq.eu", DD_SERVICE: "shop" }), {
      fetch: ((input: RequestInfo | URL, init?: RequestInit) => {
        seen.push(String(input));
        return fetchVia(input, init);
      }) as typeof fetch,
    });
    writers.push(writer);
    expect(writer.agentless).toBe(true);
    writer.add(record());
    expect((await writer.flush()).sent).toBe(1);
    expect(seen).toEqual(["https://event-platform-intake.datadoghq.eu/api/v2/exposures"]);
    const [req] = agent.store.list();
    expect(req!.path).toBe("/api/v2/exposures");
    expect(req!.headers["dd-api-key"]).toBe("secret-key");
    expect(req!.headers["x-datadog-evp-subdomain"]).toBe("event-platform-intake");
    expect(req!.headers["content-type"]).toBe("application/json");
  });

  test("agentless over plain HTTP off loopback is refused when the writer is built, without leaking the key", () => {
    const config = resolveConfig({ DD_API_KEY: "secret-key" });
    const error = flagpostErrorOf(() => new ExposureWriter(config, { agentlessBaseUrl: "http://intake.example.com" }));
    expect(error.code).toBe("invalid_config");
    expect(error.field).toBe("agentlessBaseUrl");
    expect(error.message).not.toContain("secret-key");
    // Loopback over plain HTTP is allowed (a local proxy, the mock agent).
    expect(new ExposureWriter(config, { agentlessBaseUrl: "http://127.0.0.1:9" }).agentless).toBe(true);
  });
});

describe("add()", () => {
  test("statuses: not_logged, invalid (naming the rule), queued", () => {
    const { writer, stats } = setup();
    expect(writer.add(record({ doLog: false }))).toEqual({ status: "not_logged", reason: "do_log_false" });
    expect(writer.add(record({ variant: undefined }))).toEqual({ status: "not_logged", reason: "no_variant" });
    expect(writer.add(record({ allocationKey: undefined }))).toEqual({ status: "not_logged", reason: "no_allocation" });
    const bad = writer.add(record({ timestamp: 1.5 }));
    expect(bad.status).toBe("invalid");
    expect(bad.reason).toBe("timestamp");
    expect(bad.detail).toContain("timestamp");
    expect(writer.add(record({ attributes: { f: () => 1 } })).reason).toBe("attribute_function");
    expect(writer.add(null as never)).toMatchObject({ status: "invalid", reason: "record" });
    expect(writer.add(record())).toEqual({ status: "queued" });
    expect(stats.snapshot()).toEqual({
      "exposures.added": { "": 7 },
      "exposures.invalid": { attribute_function: 1, record: 1, timestamp: 1 },
      "exposures.not_logged": { do_log_false: 1, no_allocation: 1, no_variant: 1 },
    });
    expect(writer.stats()).toMatchObject({ added: 7, notLogged: 3, invalid: 3, queued: 1 });
  });

  test("never throws, even on a record whose getters throw", () => {
    const { writer } = setup();
    const hostile = new Proxy({}, {
      get() {
        throw new Error("boom");
      },
    });
    expect(writer.add(hostile as never)).toMatchObject({ status: "invalid", reason: "record" });
  });

  test("queue cap: overflow is dropped as queue_full and never enters the dedupe cache", async () => {
    const { writer, agent } = setup(ENV, { limits: { maxQueuedExposures: 3 } });
    for (let i = 0; i < 5; i++) writer.add(record({ targetingKey: `u${i}` }));
    expect(writer.stats()).toMatchObject({ queued: 3, dropped: { queue_full: 2 }, cacheSize: 3 });
    expect(await writer.flush()).toMatchObject({ sent: 3 });
    // The dropped ones were never marked seen: added again, they are sent.
    expect(writer.add(record({ targetingKey: "u3" }))).toEqual({ status: "queued" });
    await writer.flush();
    expect((await receivedEvents(agent)).map((e) => e.subject.id)).toEqual(["u0", "u1", "u2", "u3"]);
  });

  test("an event over 1 MiB − 1024 bytes is dropped as too_large at flush, the rest sent, and it leaves the dedupe cache", async () => {
    const { writer, agent } = setup();
    expect(MAX_EXPOSURE_EVENT_BYTES).toBe(1_047_552);
    const huge = record({ targetingKey: "huge", attributes: { blob: "x".repeat(MAX_EXPOSURE_EVENT_BYTES) } });
    expect(writer.add(huge)).toEqual({ status: "queued" });
    writer.add(record());
    expect(await writer.flush()).toMatchObject({ sent: 1, dropped: { too_large: 1 }, requests: 1 });
    expect(writer.stats()).toMatchObject({ dropped: { too_large: 1 }, queued: 0, cacheSize: 1 });
    expect((await receivedEvents(agent)).map((e) => e.subject.id)).toEqual(["user-1"]);
    // Just under the cap is fine: the event's own JSON is measured, not its attributes alone.
    const overhead = JSON.stringify({ ...huge, attributes: undefined }).length; // a generous bound on the event's other fields
    expect(writer.add(record({ targetingKey: "big", attributes: { blob: "x".repeat(MAX_EXPOSURE_EVENT_BYTES - overhead) } })).status)
      .toBe("queued");
    expect(await writer.flush()).toMatchObject({ sent: 1, dropped: {} });
  });
});

describe("deduplication", () => {
  test("same twice → once; changed variant → again; A→B→A → three", async () => {
    const { agent, writer } = setup();
    expect(writer.add(record()).status).toBe("queued");
    expect(writer.add(record({ timestamp: T0 + 1 })).status).toBe("duplicate");
    expect(writer.add(record({ variant: "off" })).status).toBe("queued");
    expect(writer.add(record({ variant: "on" })).status).toBe("queued");
    expect(writer.add(record({ variant: "on" })).status).toBe("duplicate");
    await writer.flush();
    expect((await receivedEvents(agent)).map((e) => (e.variant as { key: string }).key)).toEqual(["on", "off", "on"]);
    expect(writer.stats()).toMatchObject({ sent: 3, duplicate: 2 });
  });

  test("allocation and serial id are part of the value: none ↔ 0 logs again", () => {
    const { writer } = setup();
    const statuses = [
      record({ serialId: undefined }),
      record({ serialId: 0 }),
      record({ serialId: 0 }),
      record({ serialId: undefined }),
      record({ serialId: undefined, allocationKey: "other" }),
      record({ serialId: undefined, allocationKey: "other", attributes: { plan: "free" } }), // attributes are not in the key
    ].map((r) => writer.add(r).status);
    expect(statuses).toEqual(["queued", "queued", "duplicate", "queued", "queued", "duplicate"]);
  });

  test("a duplicate is reported as such before its timestamp and attributes are checked (it would not be sent either way)", () => {
    const { writer } = setup();
    expect(writer.add(record()).status).toBe("queued");
    expect(writer.add(record({ attributes: { f: () => 1 } })).status).toBe("duplicate");
    expect(writer.add(record({ timestamp: 12.5 })).status).toBe("duplicate");
    expect(writer.add(record({ variant: "" })).reason).toBe("variant_key"); // a different value is fully checked
    expect(writer.add(record({ targetingKey: "new", attributes: { f: () => 1 } })).reason).toBe("attribute_function");
  });

  test("capacity 0 disables deduplication", () => {
    const { writer } = setup(ENV, { limits: { exposureCacheSize: 0 } });
    expect([1, 2, 3].map(() => writer.add(record()).status)).toEqual(["queued", "queued", "queued"]);
  });

  test("another service is a miss in a shared cache", () => {
    const cache = new ExposureCache(100);
    const a = new ExposureWriter(resolveConfig({ ...ENV, DD_SERVICE: "a" }), { cache });
    const b = new ExposureWriter(resolveConfig({ ...ENV, DD_SERVICE: "b" }), { cache });
    writers.push(a, b);
    expect(a.add(record()).status).toBe("queued");
    expect(b.add(record()).status).toBe("queued");
    expect(a.add(record()).status).toBe("duplicate");
    expect(b.add(record()).status).toBe("duplicate");
    expect(cache.size).toBe(2);
  });

  test("1,000 exposures over 100 subjects → exactly 100 delivered", async () => {
    const { agent, writer } = setup();
    for (let i = 0; i < 1000; i++) writer.add(record({ targetingKey: `user-${i % 100}`, timestamp: T0 + i }));
    expect(await writer.flush()).toMatchObject({ sent: 100, requests: 1 });
    const events = await receivedEvents(agent);
    expect(events.length).toBe(100);
    expect(new Set(events.map((e) => e.subject.id)).size).toBe(100);
    expect(writer.stats()).toMatchObject({ added: 1000, duplicate: 900, sent: 100 });
  });

  test("500 then the same 200 again → each delivered once", async () => {
    const { agent, writer } = setup();
    for (let i = 0; i < 500; i++) writer.add(record({ targetingKey: `user-${i}` }));
    await writer.flush();
    for (let i = 0; i < 200; i++) expect(writer.add(record({ targetingKey: `user-${i}` })).status).toBe("duplicate");
    expect((await writer.flush()).requests).toBe(0);
    expect((await receivedEvents(agent)).length).toBe(500);
  });
});

describe("delivery failures", () => {
  test("a permanent 500 drops and counts the batch (after retries); the same exposure is sent again afterwards", async () => {
    const { agent, writer, logs, stats } = setup();
    agent.faults.add({ path: "/evp_proxy/v2/api/v2/exposures", status: 500, times: 3 });
    writer.add(record());
    writer.add(record({ targetingKey: "user-2" }));
    const report = await writer.flush();
    expect(report).toMatchObject({ sent: 0, dropped: { http_500: 2 }, requests: 1, retried: 2 });
    expect(writer.stats()).toMatchObject({ dropped: { http_500: 2 }, cacheSize: 0 });
    expect(stats.get("exposures.dropped", "http_500")).toBe(2);
    const warn = logs.find((l) => l.level === "warn")!;
    expect(warn.details).toMatchObject({ reason: "http_500", status: 500, events: 2 });
    expect(writer.add(record()).status).toBe("queued");
    expect(await writer.flush()).toMatchObject({ sent: 1, dropped: {} });
    expect((await receivedEvents(agent)).map((e) => e.subject.id)).toEqual(["user-1"]);
  });

  test("a final 4xx is not retried; the error body's first 256 bytes are logged", async () => {
    const agent = mockAgent();
    const logs: Array<Record<string, unknown> | undefined> = [];
    const writer = new ExposureWriter(resolveConfig(ENV), {
      fetch: (() => Promise.resolve(new Response("e".repeat(1000), { status: 400 }))) as unknown as typeof fetch,
      logger: { debug() {}, warn: (_m, d) => logs.push(d), error() {} },
    });
    writers.push(writer);
    writer.add(record());
    expect(await writer.flush()).toMatchObject({ dropped: { http_400: 1 }, retried: 0 });
    expect((logs[0]!.body as string).length).toBe(256);
    expect(agent.store.list()).toEqual([]);
  });

  test("a redirect is not followed: dropped as redirect, and the exposure is sent again later", async () => {
    const { agent, writer } = setup();
    agent.faults.add({ path: "/evp_proxy/v2/api/v2/exposures", status: 307 });
    writer.add(record());
    expect(await writer.flush()).toMatchObject({ sent: 0, dropped: { redirect: 1 }, retried: 0 });
    expect(agent.store.list().length).toBe(1);
    expect(writer.add(record()).status).toBe("queued");
    expect((await writer.flush()).sent).toBe(1);
  });

  test("a failed delivery keeps a newer value that replaced its cache entry", async () => {
    let fail = true;
    const agent = mockAgent();
    const via = agentFetch(agent);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const writer = new ExposureWriter(resolveConfig(ENV), {
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        if (fail) {
          await gate;
          return new Response("", { status: 400 });
        }
        return via(input, init);
      }) as typeof fetch,
    });
    writers.push(writer);
    writer.add(record({ variant: "A" }));
    const flushing = writer.flush();
    expect(writer.stats()).toMatchObject({ inFlight: 1, queued: 0 });
    writer.add(record({ variant: "B" })); // replaces A in the cache while A is in flight
    release();
    expect(await flushing).toMatchObject({ dropped: { http_400: 1 } });
    fail = false;
    expect(writer.add(record({ variant: "B" })).status).toBe("duplicate"); // B still remembered
    expect(writer.add(record({ variant: "A" })).status).toBe("queued");
    await writer.flush();
    expect((await receivedEvents(agent)).map((e) => (e.variant as { key: string }).key)).toEqual(["B", "A"]);
  });

  test("an agent that hangs: timeout counted, flush returns within its deadline", async () => {
    const { agent, writer } = setup();
    agent.faults.add({ path: "/evp_proxy/v2/api/v2/exposures", delayMs: 60_000 });
    writer.add(record());
    const report = await writer.flush({ deadlineMs: 4_000 });
    expect(report.dropped).toEqual({ timeout: 1 });
    expect(report.durationMs).toBeLessThan(4_000 + 250);
    expect(writer.stats().cacheSize).toBe(0);
  });

  test("a short deadline counts what it cut as deadline; an aborted flush too", async () => {
    const { agent, writer } = setup();
    agent.faults.add({ path: "/evp_proxy/v2/api/v2/exposures", delayMs: 60_000 });
    writer.add(record());
    expect((await writer.flush({ deadlineMs: 50 })).dropped).toEqual({ deadline: 1 });
    writer.add(record());
    const controller = new AbortController();
    controller.abort();
    expect((await writer.flush({ signal: controller.signal })).dropped).toEqual({ deadline: 1 });
  });

  test("network errors are retried then counted; flush never rejects even when fetch throws synchronously", async () => {
    let calls = 0;
    const writer = new ExposureWriter(resolveConfig(ENV), {
      fetch: (() => {
        calls++;
        throw new TypeError("connection refused");
      }) as unknown as typeof fetch,
      logger: {
        debug() {},
        warn() {
          throw new Error("a broken logger");
        },
        error() {},
      },
    });
    writers.push(writer);
    writer.add(record());
    expect(await writer.flush({ deadlineMs: 2_000 })).toMatchObject({ dropped: { network: 1 }, sent: 0 });
    expect(calls).toBe(3);
  });

  test("an invalid exposure in the middle of a batch: the rest is delivered", async () => {
    const { agent, writer } = setup();
    for (let i = 0; i < 10; i++) {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      writer.add(record({ targetingKey: `u${i}`, attributes: i === 5 ? cyclic : { i } }));
    }
    expect(writer.stats()).toMatchObject({ invalid: 1, queued: 9 });
    expect((await writer.flush()).sent).toBe(9);
    expect((await receivedEvents(agent)).map((e) => e.subject.id)).toEqual(["u0", "u1", "u2", "u3", "u4", "u6", "u7", "u8", "u9"]);
  });

  test("a batch over the payload cap is split: all delivered, none twice, no body over the cap", async () => {
    const cap = 4_096;
    const { agent, writer } = setup(ENV, { limits: { maxExposurePayloadBytes: cap } });
    for (let i = 0; i < 100; i++) writer.add(record({ targetingKey: `user-${i}`, attributes: { note: "é".repeat(20) } }));
    const report = await writer.flush();
    expect(report.sent).toBe(100);
    expect(report.requests).toBeGreaterThan(1);
    const bodies = agent.store.list().map((r) => r.body.byteLength);
    expect(bodies.length).toBe(report.requests);
    for (const size of bodies) expect(size).toBeLessThanOrEqual(cap);
    const ids = (await receivedEvents(agent)).map((e) => e.subject.id);
    expect(ids.length).toBe(100);
    expect(new Set(ids).size).toBe(100);
  });

  test("an event that cannot fit the payload cap with its envelope is too_large", async () => {
    const { writer } = setup(ENV, { limits: { maxExposurePayloadBytes: 300 } });
    writer.add(record({ attributes: { note: "x".repeat(300) } }));
    writer.add(record({ targetingKey: "small" }));
    expect(await writer.flush()).toMatchObject({ sent: 1, dropped: { too_large: 1 } });
  });

  test("an attribute mutated into a cycle after add() is dropped as unserializable, not thrown", async () => {
    const { writer } = setup();
    const attributes: Record<string, unknown> = { plan: "pro" };
    writer.add(record({ attributes }));
    writer.add(record({ targetingKey: "other" }));
    attributes.self = attributes;
    expect(await writer.flush()).toMatchObject({ sent: 1, dropped: { unserializable: 1 } });
  });

  test("a record object changed after add() is sent as it was added (its keys and timestamp are copied at add())", async () => {
    const { writer, agent } = setup();
    const r = { ...record({ targetingKey: "copied" }) } as Record<string, unknown>;
    writer.add(r as unknown as Parameters<typeof writer.add>[0]);
    Object.assign(r, { flagKey: "changed", variant: "off", allocationKey: "other", targetingKey: "x", serialId: 7, timestamp: T0 + 1 });
    expect(await writer.flush()).toMatchObject({ sent: 1 });
    const [payload] = await receivedPayloads(agent);
    expect(payload!.exposures[0]).toMatchObject({
      timestamp: T0,
      flag: { key: "new-checkout" },
      variant: { key: "on" },
      allocation: { key: "beta-users" },
      subject: { id: "copied" },
      serial_id: 42,
    });
  });
});

describe("an answer cut off after a 2xx", () => {
  test("counts the exposures as delivered: never sent twice, never forgotten by the dedupe cache", async () => {
    const cutOff = cutOffFetch(202);
    const writer = new ExposureWriter(resolveConfig({ DD_SERVICE: "shop" }), { fetch: cutOff.fetch });
    writer.add(record());
    expect(await writer.flush()).toMatchObject({ sent: 1, dropped: {}, pending: 0 });
    expect(cutOff.calls()).toBe(1);
    expect(writer.add(record()).status).toBe("duplicate");
    expectAccounted(writer);
  });
});

describe("over a real socket", () => {
  test("delivers to the mock agent listening on 127.0.0.1", async () => {
    const running = await startMockAgent({ port: 0, otlpPort: 0, host: "127.0.0.1" });
    try {
      const writer = new ExposureWriter(resolveConfig({ ...ENV, DD_TRACE_AGENT_URL: running.url }));
      writers.push(writer);
      for (let i = 0; i < 20; i++) writer.add(record({ targetingKey: `user-${i % 10}` }));
      expect(await writer.flush()).toMatchObject({ sent: 10, requests: 1, dropped: {} });
      const exposures = (await (await fetch(`${running.url}/test/exposures`)).json()) as Array<
        { path: string; payload: { context: unknown; exposures: unknown[] } }
      >;
      expect(exposures.length).toBe(1);
      expect(exposures[0]!.path).toBe("/evp_proxy/v2/api/v2/exposures");
      expect(exposures[0]!.payload.context).toEqual({ service: "shop", env: "prod", version: "1.2.3" });
      expect(exposures[0]!.payload.exposures.length).toBe(10);
    } finally {
      await running.close();
    }
  });
});
