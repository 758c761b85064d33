/** The page's routes (mock-agent/page/routes.ts): GET / with its CSP and headers, the fault form. Assets: page/style.test.ts. */
import { describe, expect, test } from "bun:test";
import { createMockAgent, type MockAgent } from "../../../mock-agent/mod.ts";
import { faultSpecFromForm, PAGE_CSP } from "../../../mock-agent/page/routes.ts";
import { page } from "./_hostile.ts";

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
