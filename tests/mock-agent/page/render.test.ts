/** Rendering the page (mock-agent/page/render.ts): every payload string escaped, a full store of hostile payloads bounded. */
import { describe, expect, test } from "bun:test";
import { createMockAgent } from "../../../mock-agent/mod.ts";
import { escapeHtml } from "../../../mock-agent/page/render.ts";
import { PAGE_LIMITS } from "../../../mock-agent/page/view.ts";
import { EVP, exposureBody, HOSTILE, page, sendHostile } from "./_hostile.ts";

describe("renderPage", () => {
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
