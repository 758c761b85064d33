/**
 * The page's script (mock-agent/page/client.ts) in a real browser: headless Chromium (the system's
 * Debian `chromium`, driven by playwright-core, no browser download) against
 * a mock agent on real sockets, fed by flagpost's own exporters
 * (ExposureWriter, EvaluationMetrics, FlagEvaluationWriter, SpanEnrichment +
 * TraceExporter) plus raw payloads for what an exporter never sends (schema
 * problems, hostile text). Checks what a person sees: the right text in the
 * right tab, counts in the tab titles, decoded serial ids, a `<script>`
 * payload shown as text, live updates without a reload, the fault form arming
 * a fault that makes the next request fail, and no Content-Security-Policy
 * violation. Screenshots go to .tmp/page-screenshots/ for a human to look at.
 *
 * Chromium: /usr/bin/chromium or $FLAGPOST_CHROMIUM (`.ci/run` installs the
 * Debian package when it is missing).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { createMockAgent, type RunningMockAgent, startMockAgent } from "../../../mock-agent/mod.ts";
import { resolveConfig } from "../../../src/core/config.ts";
import type { EvaluationRecord } from "../../../src/core/evaluation.ts";
import { decodeSpanTags } from "../../../src/enrichment/decode-span-tags.ts";
import { SpanEnrichment } from "../../../src/enrichment/span-enrichment.ts";
import { ExposureWriter } from "../../../src/exposures/writer.ts";
import { FlagEvaluationWriter } from "../../../src/flagevaluations/writer.ts";
import { EvaluationMetrics } from "../../../src/metrics/evaluation-metrics.ts";
import { TraceExporter } from "../../../src/traces/exporter.ts";
import { SpanBuilder } from "../../../src/traces/span-builder.ts";
import { TraceChunks } from "../../../src/traces/trace-chunks.ts";

const CHROMIUM = process.env["FLAGPOST_CHROMIUM"] ?? "/usr/bin/chromium";
const SHOTS = join(import.meta.dirname, "../../.tmp/page-screenshots");
const TIMEOUT = 60_000;
const HOSTILE = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">`;

let agent: RunningMockAgent;
let context: BrowserContext;
let profile: string;
let page: Page;
const consoleErrors: string[] = [];

function evaluation(over: Partial<EvaluationRecord> = {}): EvaluationRecord {
  return {
    flagKey: "new-checkout",
    variant: "on",
    value: true,
    reason: "TARGETING_MATCH",
    errorCode: undefined,
    allocationKey: "beta-users",
    serialId: 100,
    doLog: true,
    targetingKey: "user-1",
    attributes: { plan: "pro" },
    timestamp: Date.now(),
    ...over,
  };
}

const RECORDS: EvaluationRecord[] = [
  evaluation(),
  evaluation({ targetingKey: "user-2", attributes: { plan: "free", note: HOSTILE } }),
  evaluation({ flagKey: "search-ranking", variant: "v2", serialId: 108, allocationKey: "rollout", targetingKey: "user-1" }),
  evaluation({ flagKey: "price-display", variant: "eur", serialId: 130, allocationKey: "eu", targetingKey: "user-3" }),
  evaluation({
    flagKey: "missing-flag",
    variant: undefined,
    value: "my-default",
    reason: "ERROR",
    errorCode: "FLAG_NOT_FOUND",
    allocationKey: undefined,
    serialId: undefined,
    doLog: false,
  }),
];

function env(): Record<string, string> {
  return {
    DD_SERVICE: "shop",
    DD_ENV: "test",
    DD_VERSION: "1.0.0",
    DD_TRACE_AGENT_URL: agent.url,
    DD_METRICS_OTEL_ENABLED: "true",
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${agent.otlpUrl}/v1/metrics`,
    DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED: "true",
  };
}

/** Sends the records through every exporter: exposures, metrics, flagevaluation rows, and one enriched trace. */
async function sendTelemetry(): Promise<{ serialIds: number[] }> {
  const config = resolveConfig(env());
  const exposures = new ExposureWriter(config);
  const metrics = new EvaluationMetrics(config);
  const rows = new FlagEvaluationWriter(config);
  const enrichment = new SpanEnrichment();
  for (const r of RECORDS) {
    exposures.add(r);
    metrics.record(r);
    rows.record(r);
    enrichment.add(r);
  }
  expect((await exposures.flush()).sent).toBe(4); // the runtime default has no variant: not an exposure
  expect((await metrics.flush()).dropped).toEqual({});
  expect((await rows.flush()).dropped).toEqual({});
  const tags = await enrichment.toTags();
  const start = BigInt(Date.now()) * 1_000_000n;
  const chunks = new TraceChunks();
  chunks.beginChunk(3);
  const root = new SpanBuilder({
    service: "shop",
    name: "http.request",
    resource: "GET /checkout",
    type: "web",
    traceId: 0x1234n,
    spanId: 1n,
    start,
    duration: 12_000_000,
  });
  for (const [k, v] of Object.entries(tags)) root.setMeta(k, v as string);
  chunks.pushSpan(root);
  chunks.pushSpan(
    new SpanBuilder({
      service: "shop",
      name: "flag.evaluate",
      resource: "new-checkout",
      traceId: 0x1234n,
      spanId: 2n,
      parentId: 1n,
      start: start + 1_000_000n,
      duration: 2_000_000,
    }),
  );
  chunks.pushSpan(
    new SpanBuilder({
      service: "shop",
      name: "db.query",
      resource: "SELECT cart",
      traceId: 0x1234n,
      spanId: 3n,
      parentId: 1n,
      start: start + 4_000_000n,
      duration: 6_000_000,
    }),
  );
  const sent = await new TraceExporter(config).send(chunks);
  expect(sent.ok).toBe(true);
  return { serialIds: decodeSpanTags(tags).serialIds };
}

/** An exposure payload with schema problems and hostile text, sent raw (no exporter sends one). */
async function sendBadExposures(): Promise<void> {
  const res = await fetch(`${agent.url}/evp_proxy/v2/api/v2/exposures`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-datadog-evp-subdomain": "event-platform-intake" },
    body: JSON.stringify({ context: { service: "shop" }, exposures: [{ flag: { key: HOSTILE }, variant: {}, subject: { id: "user-9" } }] }),
  });
  expect(res.status).toBe(202);
}

async function tabTitle(tab: string): Promise<string> {
  return (await page.locator(`#tab-${tab}`).textContent()) ?? "";
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set FLAGPOST_CHROMIUM`);
  }
  mkdirSync(SHOTS, { recursive: true });
  agent = await startMockAgent({ host: "127.0.0.1", port: 0, otlpPort: 0 });
  profile = mkdtempSync(join(tmpdir(), "flagpost-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  page.on("response", (r) => {
    if (r.status() >= 400) consoleErrors.push(`${r.status()} ${r.url()}`);
  });
}, TIMEOUT);

afterAll(async () => {
  await context?.close();
  await agent?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
}, TIMEOUT);

describe("the mock agent's page in Chromium", () => {
  let serialIds: number[] = [];

  test("shows exposures, their per-flag counts and schema problems; payload text stays text", async () => {
    ({ serialIds } = await sendTelemetry());
    await sendBadExposures();
    const response = await page.goto(`${agent.url}/`);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.locator("#live[data-state=live]").waitFor({ timeout: 10_000 });
    expect(await tabTitle("exposures")).toContain("Exposures (5)");
    const groups = page.locator("#exposure-groups");
    expect(await groups.locator("tr", { hasText: "new-checkout" }).locator("td").allTextContents()).toEqual([
      "new-checkout",
      "on",
      "2",
      "2",
    ]);
    const rows = page.locator("#exposure-rows tbody tr");
    expect(await rows.count()).toBe(5);
    // The hostile attribute and flag key are shown verbatim, as text: no element was created, no script ran.
    expect(await page.locator("#exposure-rows").textContent()).toContain(HOSTILE.replaceAll('"', '\\"'));
    expect(await page.locator("#live-exposures .problem").first().textContent()).toContain("variant");
    expect(await page.locator("#live-exposures").textContent()).toContain(HOSTILE);
    expect(await page.locator("main img, main script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.screenshot({ path: join(SHOTS, "exposures.png"), fullPage: true });
  }, TIMEOUT);

  test("evaluations: sums per flag / variant / reason, a chart, and the flagevaluation rows", async () => {
    await page.locator("#tab-evaluations").click();
    await page.locator("#panel-evaluations").waitFor({ state: "visible" });
    expect(page.url()).toContain("tab=evaluations");
    const series = page.locator("#evaluation-series tbody tr");
    expect(await series.count()).toBe(4);
    expect(await page.locator("#evaluation-series tr", { hasText: "new-checkout" }).textContent()).toContain("targeting_match");
    expect(await page.locator("#evaluation-series tr", { hasText: "missing-flag" }).textContent()).toContain("error");
    expect(await page.locator("#evaluations-chart rect.bar").count()).toBeGreaterThan(0);
    expect(await tabTitle("evaluations")).toContain("Evaluations (5)"); // one per record, summed from the OTLP points
    const rows = await page.locator("#flagevaluation-rows").textContent();
    expect(rows).toContain("search-ranking");
    expect(rows).toContain("FLAG_NOT_FOUND");
  }, TIMEOUT);

  test("traces: a waterfall of spans and the root span's ffe_* tags decoded", async () => {
    await page.locator("#tab-traces").click();
    expect(await tabTitle("traces")).toContain("Traces (1)");
    const trace = page.locator("article.trace").first();
    expect(await trace.locator(".serial-ids").textContent()).toBe(serialIds.join(", "));
    expect(serialIds).toEqual([100, 108, 130]);
    expect(await trace.textContent()).toContain("missing-flag = my-default");
    const spans = trace.locator("table.waterfall tbody tr");
    expect(await spans.count()).toBe(3);
    expect(await spans.nth(0).textContent()).toContain("http.request");
    expect(await spans.nth(2).textContent()).toContain("SELECT cart");
    await page.screenshot({ path: join(SHOTS, "traces.png"), fullPage: true });
  }, TIMEOUT);

  test("updates live: a request sent while the page is open appears without a reload", async () => {
    await page.locator("#tab-requests").click();
    const before = Number(/\((\d+)\)/.exec(await tabTitle("requests"))?.[1]);
    const exposures = new ExposureWriter(resolveConfig(env()));
    exposures.add(evaluation({ flagKey: "live-flag", targetingKey: "user-live" }));
    expect((await exposures.flush()).sent).toBe(1);
    await page.locator("#tab-exposures", { hasText: "Exposures (6)" }).waitFor({ timeout: 10_000 });
    await page.locator("#request-rows tbody tr", { hasText: "1 exposure" }).first().waitFor({ timeout: 10_000 });
    expect(Number(/\((\d+)\)/.exec(await tabTitle("requests"))?.[1])).toBeGreaterThan(before);
  }, TIMEOUT);

  test("a fault added from the form makes the next request fail, and the Requests tab names it", async () => {
    await page.locator("#tab-faults").click();
    await page.locator("#fault-form input[name=path]").fill("/evp_proxy/v2/api/v2/exposures");
    await page.locator("#fault-form input[name=status]").fill("503");
    await page.locator("#fault-form input[name=retryAfter]").fill("7");
    await Promise.all([page.waitForURL(/tab=faults/), page.locator("#fault-form button[type=submit]").click()]);
    expect(await page.locator("#fault-rows").textContent()).toContain("/evp_proxy/v2/api/v2/exposures");
    expect(await tabTitle("faults")).toContain("Faults (1)");
    expect(agent.faults.size).toBe(1);

    const res = await fetch(`${agent.url}/evp_proxy/v2/api/v2/exposures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"context":{},"exposures":[]}',
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("7");
    await page.locator("#tab-faults", { hasText: "Faults (0)" }).waitFor({ timeout: 10_000 });
    await page.locator("#tab-requests").click();
    const row = page.locator("#request-rows tr.fault").first();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain("503, Retry-After 7");

    // Clear: another fault, then the button.
    await page.locator("#tab-faults").click();
    await page.locator("#fault-form input[name=path]").fill("/v1/metrics");
    await page.locator("#fault-form input[name=delayMs]").fill("100");
    await Promise.all([page.waitForURL(/tab=faults/), page.locator("#fault-form button[type=submit]").click()]);
    expect(agent.faults.size).toBe(1);
    await Promise.all([page.waitForURL(/tab=faults/), page.locator("#fault-clear button").click()]);
    expect(agent.faults.size).toBe(0);
    expect(await page.locator("#live-faults").textContent()).toContain("No faults pending.");
  }, TIMEOUT);

  test("filters by session, service and flag key", async () => {
    const sent = await fetch(`${agent.url}/evp_proxy/v2/api/v2/exposures`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-datadog-evp-subdomain": "event-platform-intake",
        "x-datadog-test-session-token": "s-42",
      },
      body: JSON.stringify({
        context: { service: "billing" },
        exposures: [{
          timestamp: Date.now(),
          allocation: { key: "a" },
          flag: { key: "invoice-v2" },
          variant: { key: "on" },
          subject: { id: "u", attributes: {} },
        }],
      }),
    });
    expect(sent.status).toBe(202);
    await page.goto(`${agent.url}/?tab=exposures&session=s-42`);
    expect(await tabTitle("exposures")).toContain("Exposures (1)");
    expect(await page.locator("#exposure-rows").textContent()).toContain("invoice-v2");
    await page.goto(`${agent.url}/?tab=exposures`);
    await page.locator("#filters input[name=service]").fill("billing");
    await page.locator("#tab-exposures", { hasText: "Exposures (1)" }).waitFor({ timeout: 10_000 });
    expect(page.url()).toContain("service=billing");
    await page.locator("#filters input[name=service]").fill("");
    await page.locator("#filters input[name=flag]").fill("search");
    await page.locator("#exposure-rows tbody tr", { hasText: "search-ranking" }).waitFor({ timeout: 10_000 });
    expect(await page.locator("#exposure-rows tbody tr").count()).toBe(1);
    expect(await tabTitle("exposures")).toContain("Exposures (1)");
  }, TIMEOUT);

  test("works without JavaScript: the server-rendered page has every tab's content", async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
    try {
      const p = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
      await p.goto(`${agent.url}/?tab=traces`);
      expect(await p.locator("#panel-traces").isVisible()).toBe(true);
      expect(await p.locator(".serial-ids").first().textContent()).toBe(serialIds.join(", "));
      await p.locator("#tab-requests").click();
      expect(p.url()).toContain("tab=requests");
      expect(await p.locator("#panel-requests").isVisible()).toBe(true);
    } finally {
      await browser.close();
    }
  }, TIMEOUT);

  test("the page broke none of its own Content-Security-Policy rules and logged no error", async () => {
    await page.goto(`${agent.url}/?tab=evaluations`);
    await page.locator("#live[data-state=live]").waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, "evaluations.png"), fullPage: true });
    expect(consoleErrors).toEqual([]);
  }, TIMEOUT);
});

describe("the page script (GET /test/page/app.js)", () => {
  test("the script is the client function's source, which parses as a script", async () => {
    const agent = createMockAgent();
    const js = await (await agent.fetch("http://agent.test/test/page/app.js")).text();
    expect(js).toContain("EventSource");
    expect(() => new Function(js)).not.toThrow();
  });
});
