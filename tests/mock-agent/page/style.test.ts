/**
 * The page's stylesheet and icon (mock-agent/page/style.ts), as served by the
 * page routes: byte for byte, with their content types, and self-contained
 * (no URL to another origin, which the page's CSP would block).
 */
import { describe, expect, test } from "bun:test";
import { createMockAgent } from "../../../mock-agent/mod.ts";
import { PAGE_ICON, PAGE_STYLE } from "../../../mock-agent/page/style.ts";

describe("PAGE_STYLE and PAGE_ICON", () => {
  test.each([
    ["/test/page/app.css", PAGE_STYLE, "text/css; charset=utf-8"],
    ["/test/page/icon.svg", PAGE_ICON, "image/svg+xml"],
  ])("%s serves the built-in text as is", async (path, text, type) => {
    const agent = createMockAgent();
    const res = await agent.fetch(`http://agent.test${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
    expect(await res.text()).toBe(text);
    expect(agent.store.size).toBe(0); // the page's own requests are not recorded
  });

  test("the stylesheet's braces balance and it loads nothing from elsewhere", () => {
    let depth = 0;
    let lowest = 0;
    for (const c of PAGE_STYLE) {
      if (c === "{") depth++;
      if (c === "}") lowest = Math.min(lowest, --depth);
    }
    expect(lowest).toBe(0); // never closes a block it did not open
    expect(depth).toBe(0);
    expect(PAGE_STYLE).not.toMatch(/url\(|@import|https?:/);
  });

  test("the icon is one SVG element in the SVG namespace, with no script or link", () => {
    expect(PAGE_ICON).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>$/);
    expect(PAGE_ICON).not.toMatch(/<script|href=|on\w+=/i);
  });
});
