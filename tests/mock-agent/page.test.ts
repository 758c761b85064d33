/**
 * The mock agent's page, in-process (no browser; page-browser.test.ts drives
 * Chromium): headers and CSP, every payload string escaped, the bounds with a
 * full store of hostile payloads, the `/test/events` stream (events, cap,
 * end on abort), the fault form (added, refused cross-site, bad input named),
 * the applied fault recorded on each request, and the query parser.
 */
import { describe, expect, test } from "bun:test";
import { encode } from "@msgpack/msgpack";
import { createMockAgent, type MockAgent, startMockAgent } from "../../mock-agent/mod.ts";
import { MAX_EVENT_STREAMS } from "../../mock-agent/page/events.ts";
import { escapeHtml } from "../../mock-agent/page/render.ts";
import { faultSpecFromForm, PAGE_CSP } from "../../mock-agent/page/routes.ts";
import { cut, describeFault, PAGE_LIMITS, parsePageQuery } from "../../mock-agent/page/view.ts";

const EVP = { "content-type": "application/json", "x-datadog-evp-subdomain": "event-platform-intake" };
const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>&'`;

async function page(agent: MockAgent, query = ""): Promise<{ res: Response; html: string }> {
  const res = await agent.fetch(`http://agent.test/${query}`);
  return { res, html: await res.text() };
}

function exposureBody(value: string, events = 1): string {
  const exposures = Array.from({ length: events }, () => ({
    timestamp: 1_700_000_000_000,
    allocation: { key: value },
    flag: { key: value },
    variant: { key: value },
    subject: { id: value, attributes: { [value]: value } },
  }));
  return JSON.stringify({ context: { service: value }, exposures });
}

async function sendHostile(agent: MockAgent, value: string): Promise<void> {
  const exposures = await agent.fetch("http://agent.test/evp_proxy/v2/api/v2/exposures", {
    method: "POST",
    headers: EVP,
    body: exposureBody(value),
  });
  expect(exposures.status).toBe(202);
  const rows = await agent.fetch("http://agent.test/evp_proxy/v2/api/v2/flagevaluation", {
    method: "POST",
    headers: EVP,
    body: JSON.stringify({
      context: { service: value },
      flagEvaluations: [{
        timestamp: 1,
        flag: { key: value },
        variant: { key: value },
        allocation: { key: value },
        first_evaluation: 1,
        last_evaluation: 2,
        evaluation_count: 3,
        error: { message: value },
        targeting_key: value,
      }],
    }),
  });
  expect(rows.status).toBe(202);
  const metrics = await agent.fetch("http://agent.test/v1/metrics", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceMetrics: [{
        resource: { attributes: [{ key: "service.name", value: { stringValue: value } }] },
        scopeMetrics: [{
          scope: { name: value },
          metrics: [{
            name: "feature_flag.evaluations",
            sum: {
              aggregationTemporality: 1,
              isMonotonic: true,
              dataPoints: [{
                asInt: "4",
                timeUnixNano: "1",
                attributes: ["feature_flag.key", "feature_flag.result.variant", "feature_flag.result.reason"].map((key) => ({
                  key,
                  value: { stringValue: value },
                })),
              }],
            },
          }],
        }],
      }],
    }),
  });
  expect(metrics.status).toBe(200);
  const span = (id: number, parent: number) => ({
    service: value,
    name: value,
    resource: value,
    trace_id: 7,
    span_id: id,
    parent_id: parent,
    start: 1_000,
    duration: 10,
    meta: { ffe_runtime_defaults: JSON.stringify({ [value]: value }), other: value },
    metrics: {},
    type: value,
  });
  const traces = await agent.fetch("http://agent.test/v0.4/traces", {
    method: "PUT",
    headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "1" },
    body: encode([[span(1, 0), span(2, 1)]]),
  });
  expect(traces.status).toBe(200);
}

describe("GET /", () => {
  test("serves the page with a strict CSP and security headers; the page's own requests are not recorded", async () => {
    const agent = createMockAgent();
    const { res, html } = await page(agent);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toBe(PAGE_CSP);
    expect(PAGE_CSP).toContain("default-src 'none'");
    expect(PAGE_CSP).not.toContain("unsafe");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(html).toStartWith("<!doctype html>");
    // Only the page's own script, no inline script, no style attribute, no external origin.
    expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual(['<script type="module" src="/test/page/app.js">']);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=|https?:\/\//);
    for (
      const [path, type] of [["/test/page/app.js", "text/javascript"], ["/test/page/app.css", "text/css"], [
        "/test/page/icon.svg",
        "image/svg+xml",
      ]]
    ) {
      const asset = await agent.fetch(`http://agent.test${path}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toStartWith(type!);
      expect(await asset.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
    expect(agent.store.size).toBe(0);
  });

  test("the script is the client function's source, which parses as a script", async () => {
    const agent = createMockAgent();
    const js = await (await agent.fetch("http://agent.test/test/page/app.js")).text();
    expect(js).toContain("EventSource");
    expect(() => new Function(js)).not.toThrow();
  });

  test("every string from a payload is escaped: exposures, flag evaluation rows, metrics, traces and requests", async () => {
    const agent = createMockAgent();
    await sendHostile(agent, HOSTILE);
    for (const tab of ["exposures", "evaluations", "traces", "requests"]) {
      const { html } = await page(agent, `?tab=${tab}`);
      expect(html.split("<script").length).toBe(2); // the page's own script tag only
      expect(html).not.toContain("<img");
      expect(html).toContain(escapeHtml(HOSTILE));
    }
    const { html } = await page(agent, "?tab=traces");
    expect(html).toContain(`${escapeHtml(HOSTILE)} = <code>${escapeHtml(HOSTILE)}</code>`); // the decoded runtime default
    expect(escapeHtml(`<a href="x">'&`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;");
  });

  test("a full store of hostile payloads: rows capped, the page bounded, counts still cover everything", async () => {
    const agent = createMockAgent({ maxRequests: 10_000, maxStoredBytes: 512 * 1024 * 1024 });
    const worst = '"'.repeat(PAGE_LIMITS.cellChars + 50); // escapes to six times its length
    for (let i = 0; i < 10_000; i++) {
      const res = await agent.fetch("http://agent.test/evp_proxy/v2/api/v2/exposures", {
        method: "POST",
        headers: EVP,
        body: exposureBody(worst, 3),
      });
      expect(res.status).toBe(202);
    }
    expect(agent.store.size).toBe(10_000);
    const { html } = await page(agent, "?tab=requests");
    expect(html).toContain('Exposures <span class="count">(30,000)</span>');
    expect(html).toContain('Requests <span class="count">(10,000)</span>');
    expect(html).toContain("Showing the newest 200 of 30,000 events");
    expect(html).toContain("Showing the newest 200 of 10,000 requests");
    const rows = (id: string) => html.slice(html.indexOf(`<table id="${id}"`)).split("</table>")[0]!.split("<tr").length - 2;
    expect(rows("exposure-rows")).toBe(PAGE_LIMITS.rows);
    expect(rows("request-rows")).toBe(PAGE_LIMITS.rows);
    // Each exposure cell holds at most cellChars of the payload (attributes: four times), escaped.
    const longest = Math.max(...[...html.matchAll(/(?:&quot;)+/g)].map((m) => m[0].length / 6));
    expect(longest).toBeLessThanOrEqual(PAGE_LIMITS.cellChars * 4);
    const bound = PAGE_LIMITS.rows * 6 * (PAGE_LIMITS.cellChars * 11 + 200) + 64 * 1024;
    expect(html.length).toBeLessThan(bound);
  }, 120_000);
});

describe("cut", () => {
  test("keeps short text, cuts long text with an ellipsis, never splits a surrogate pair", () => {
    expect(cut("abc", 5)).toBe("abc");
    expect(cut("abcdef", 3)).toBe("abc…");
    expect(cut("ab😀", 3)).toBe("ab…");
    expect(cut(undefined)).toBe("");
    expect(cut(42)).toBe("42");
  });
});

describe("parsePageQuery", () => {
  test("reads tab, session, service and flag; unknown tabs fall back to exposures", () => {
    expect(parsePageQuery(new URL("http://a/?tab=traces&session=s1&service=shop&flag=f"))).toEqual({
      tab: "traces",
      session: "s1",
      service: "shop",
      flag: "f",
    });
    expect(parsePageQuery(new URL("http://a/?tab=<x>&session="))).toEqual({ tab: "exposures", session: null, service: "", flag: "" });
    expect(parsePageQuery(new URL(`http://a/?service=${"s".repeat(1000)}`)).service.length).toBe(256);
  });
});

describe("GET /test/events", () => {
  async function nextEvent(reader: ReadableStreamDefaultReader<Uint8Array>, buffer: { text: string }): Promise<string> {
    const decoder = new TextDecoder();
    for (;;) {
      const end = buffer.text.indexOf("\n\n");
      if (end >= 0) {
        const event = buffer.text.slice(0, end);
        buffer.text = buffer.text.slice(end + 2);
        if (event.startsWith("event: change")) return event;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer.text += decoder.decode(value, { stream: true });
    }
  }

  test("announces a change when a request is recorded, with counters only; ends when the client goes", async () => {
    const agent = createMockAgent();
    const abort = new AbortController();
    const res = await agent.fetch("http://agent.test/test/events", { signal: abort.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = res.body!.getReader();
    const buffer = { text: "" };
    expect(await nextEvent(reader, buffer)).toContain('"received":0');
    await agent.fetch("http://agent.test/evp_proxy/v2/api/v2/exposures", { method: "POST", headers: EVP, body: exposureBody(HOSTILE) });
    const event = await nextEvent(reader, buffer);
    expect(event).toContain('"received":1');
    expect(event).not.toContain("script");
    agent.faults.add({ path: "/info", status: 500 });
    expect(await nextEvent(reader, buffer)).toContain('"faults":1');
    await reader.cancel();
    abort.abort();
  });

  test(`at most ${MAX_EVENT_STREAMS} streams are open; the next is answered 503 until one closes`, async () => {
    const agent = createMockAgent();
    const streams: ReadableStreamDefaultReader<Uint8Array>[] = [];
    for (let i = 0; i < MAX_EVENT_STREAMS; i++) {
      const res = await agent.fetch("http://agent.test/test/events");
      expect(res.status).toBe(200);
      streams.push(res.body!.getReader());
    }
    const refused = await agent.fetch("http://agent.test/test/events");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    await streams.pop()!.cancel();
    const again = await agent.fetch("http://agent.test/test/events");
    expect(again.status).toBe(200);
    streams.push(again.body!.getReader());
    for (const s of streams) await s.cancel();
    expect((await agent.fetch("http://agent.test/test/events")).status).toBe(200);
  });
});

describe("GET /test/events on a real socket", () => {
  test("a client that goes away frees its stream's slot; close() ends the open ones", async () => {
    const agent = await startMockAgent({ host: "127.0.0.1", port: 0, otlpPort: 0 });
    try {
      const clients = Array.from({ length: MAX_EVENT_STREAMS }, () => new AbortController());
      const responses = await Promise.all(clients.map((c) => fetch(`${agent.url}/test/events`, { signal: c.signal })));
      expect(responses.map((r) => r.status)).toEqual(clients.map(() => 200));
      const first = await responses[0]!.body!.getReader().read();
      expect(new TextDecoder().decode(first.value)).toStartWith("retry: 2000\n\n");
      const refused = await fetch(`${agent.url}/test/events`);
      expect(refused.status).toBe(503);
      await refused.body?.cancel();
      for (const c of clients) c.abort();
      // The server notices the closed connections; a new stream is then accepted.
      let status = 503;
      for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
        await Bun.sleep(20);
        const again = await fetch(`${agent.url}/test/events`);
        status = again.status;
        await again.body?.cancel();
      }
      expect(status).toBe(200);
      const open = new AbortController();
      const last = await fetch(`${agent.url}/test/events`, { signal: open.signal });
      expect(last.status).toBe(200);
      await agent.close();
      open.abort();
    } finally {
      await agent.close();
    }
  });
});

describe("the fault form", () => {
  const post = (agent: MockAgent, path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    agent.fetch(`http://agent.test${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", host: "agent.test", ...headers },
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
    });

  test("adds the fault described and redirects to the Faults tab with the filters kept", async () => {
    const agent = createMockAgent();
    const res = await post(agent, "/test/page/faults", {
      path: "/v1/metrics",
      method: "POST",
      status: "503",
      retryAfter: "2",
      delayMs: "",
      times: "2",
      session: "s1",
    }, { "sec-fetch-site": "same-origin", origin: "http://agent.test" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/?tab=faults&session=s1");
    expect(agent.faults.list()).toEqual([
      {
        id: 1,
        path: "/v1/metrics",
        method: "POST",
        status: 503,
        retryAfter: "2",
        location: null,
        delayMs: 0,
        dropConnection: false,
        times: 2,
        remaining: 2,
      },
    ]);
    const failed = await agent.fetch("http://agent.test/v1/metrics", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(failed.status).toBe(503);
    expect(agent.store.list().at(-1)!.appliedFault).toMatchObject({ id: 1, status: 503, retryAfter: "2", remaining: 1 });
    const cleared = await post(agent, "/test/page/faults/clear", {});
    expect(cleared.status).toBe(303);
    expect(agent.faults.size).toBe(0);
  });

  test("refuses cross-site posts (Sec-Fetch-Site or a foreign Origin)", async () => {
    const agent = createMockAgent();
    const foreign: Array<Record<string, string>> = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "http://evil.test" },
      { origin: "null" },
    ];
    for (const headers of foreign) {
      expect((await post(agent, "/test/page/faults", { path: "/info", status: "500" }, headers)).status).toBe(403);
      expect((await post(agent, "/test/page/faults/clear", {}, headers)).status).toBe(403);
    }
    expect(agent.faults.size).toBe(0);
  });

  test("bad input: 400 with the rule named on the page (escaped), nothing added", async () => {
    const agent = createMockAgent();
    const res = await post(agent, "/test/page/faults", { path: "<b>nope", status: "600" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(
      '<p id="fault-error" class="problem">fault.path must be a string starting with &quot;/&quot;, got &quot;&lt;b&gt;nope&quot;</p>',
    );
    expect(agent.faults.size).toBe(0);
    const noEffect = await post(agent, "/test/page/faults", { path: "/info" });
    expect(await noEffect.text()).toContain("fault needs at least one effect");
  });

  test("faultSpecFromForm maps the fields; parseFaultSpec is left to judge them", () => {
    const form = new URLSearchParams({
      path: " /v0.4/traces ",
      method: "put",
      status: "429",
      retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT",
      delayMs: "5",
      times: "x",
      dropConnection: "true",
    });
    expect(faultSpecFromForm(form)).toEqual({
      path: "/v0.4/traces",
      method: "put",
      status: 429,
      retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT",
      delayMs: 5,
      times: "x" as unknown as number,
      dropConnection: true,
    });
  });
});

describe("the applied fault on each request", () => {
  test("status, delay and dropped connection are recorded and described", async () => {
    const agent = createMockAgent();
    agent.faults.add({ path: "/info", status: 429, retryAfter: 3 });
    agent.faults.add({ path: "/info", delayMs: 1 });
    agent.faults.add({ path: "/info", dropConnection: true });
    expect((await agent.fetch("http://agent.test/info")).status).toBe(429);
    expect((await agent.fetch("http://agent.test/info")).status).toBe(200);
    await expect(agent.fetch("http://agent.test/info")).rejects.toThrow("dropped the connection");
    expect((await agent.fetch("http://agent.test/info")).status).toBe(200);
    expect(agent.store.list().map((r) => (r.appliedFault === undefined ? "" : describeFault(r.appliedFault)))).toEqual([
      "#1 429, Retry-After 3",
      "#2 delay 1 ms",
      "#3 dropped connection",
      "",
    ]);
    const { html } = await page(agent, "?tab=requests");
    expect(html).toContain("<td>#1 429, Retry-After 3</td>");
    expect(html.match(/<tr class="fault">/g)?.length).toBe(3);
  });
});
