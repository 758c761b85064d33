/** The page's view model (mock-agent/page/view.ts): cut, parsePageQuery and the applied fault described on each request. */
import { describe, expect, test } from "bun:test";
import { createMockAgent } from "../../../mock-agent/mod.ts";
import { cut, describeFault, parsePageQuery } from "../../../mock-agent/page/view.ts";
import { page } from "./_hostile.ts";

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
