/** The inspection API (mock-agent/test-api.ts): raw requests, sessions, paged views and bodies. */
import { describe, expect, test } from "bun:test";
import { agent, EVP_HEADERS, exposureBody, json, send } from "./helpers.ts";

type RequestJson = {
  method: string;
  url: string;
  path: string;
  body: string;
  headers: Record<string, string>;
  status: number;
  sessionToken: string | null;
  time: number;
};

const postExposure = (a: ReturnType<typeof agent>, headers: Record<string, string> = {}, query = "") =>
  send(a, `/evp_proxy/v2/api/v2/exposures${query}`, { method: "POST", headers: { ...EVP_HEADERS, ...headers }, body: exposureBody() });

describe("/test/session/requests", () => {
  test("lists raw requests: method, url, headers, body as base64, status, time", async () => {
    const a = agent({ now: () => 1_700_000_000_000 });
    await send(a, "/info?x=1");
    await postExposure(a);
    const [info, exposure] = await json<RequestJson[]>(a, "/test/session/requests");
    expect(info).toMatchObject({ method: "GET", url: "/info?x=1", path: "/info", body: "", status: 200, time: 1_700_000_000_000 });
    expect(exposure!.headers["x-datadog-evp-subdomain"]).toBe("event-platform-intake");
    expect(atob(exposure!.body)).toBe(exposureBody());
  });

  test("inspection requests are not recorded themselves", async () => {
    const a = agent();
    await json(a, "/test/stats");
    await json(a, "/test/session/requests");
    expect(a.store.size).toBe(0);
  });
});

describe("sessions (dd-apm-test-agent semantics)", () => {
  test("a token in the header or the query filters every view", async () => {
    const a = agent();
    await postExposure(a, { "x-datadog-test-session-token": "A" });
    await postExposure(a, {}, "?test_session_token=B");
    await postExposure(a);
    expect((await json<unknown[]>(a, "/test/exposures", { headers: { "x-datadog-test-session-token": "A" } })).length).toBe(1);
    expect((await json<RequestJson[]>(a, "/test/session/requests?test_session_token=B"))[0]!.url).toBe(
      "/evp_proxy/v2/api/v2/exposures?test_session_token=B",
    );
    expect((await json<unknown[]>(a, "/test/exposures")).length).toBe(3);
  });

  test("an unknown session is a 404", async () => {
    const res = await send(agent(), "/test/traces?test_session_token=nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no test session "nope"' });
  });

  test("token-less requests join the latest started session; restarting a session forgets it", async () => {
    const a = agent();
    expect((await send(a, "/test/session/start?test_session_token=A")).status).toBe(200);
    await postExposure(a);
    await send(a, "/test/session/start", { headers: { "x-datadog-test-session-token": "B" } });
    await postExposure(a);
    await postExposure(a);
    expect((await json<unknown[]>(a, "/test/exposures?test_session_token=A")).length).toBe(1);
    expect((await json<unknown[]>(a, "/test/exposures?test_session_token=B")).length).toBe(2);
    await send(a, "/test/session/start?test_session_token=A", { method: "POST" });
    expect(await json(a, "/test/exposures?test_session_token=A")).toEqual([]);
    expect((await json<unknown[]>(a, "/test/exposures?test_session_token=B")).length).toBe(2);
  });

  test("starting a session needs a token", async () => {
    expect((await send(agent(), "/test/session/start")).status).toBe(400);
  });

  test("clear with a token forgets that session only; without, everything", async () => {
    const a = agent();
    await postExposure(a, { "x-datadog-test-session-token": "A" });
    await postExposure(a, { "x-datadog-test-session-token": "B" });
    await send(a, "/test/session/clear?test_session_token=A", { method: "POST" });
    expect(await json(a, "/test/exposures?test_session_token=A")).toEqual([]);
    expect((await json<unknown[]>(a, "/test/exposures")).length).toBe(1);
    await send(a, "/test/session/clear");
    expect(await json(a, "/test/exposures")).toEqual([]);
    expect((await send(a, "/test/exposures?test_session_token=B")).status).toBe(404);
  });
});

describe("paged inspection (issue 8, item 8)", () => {
  type Page = {
    total: number;
    limit: number;
    nextAfter: number | null;
    next: string | null;
    requests: Array<{ id: number; url: string; body: string | null; bodyBytes: number; bodyTruncated?: true; bodyUrl: string }>;
  };
  test("/test/requests pages with a cursor: every request once, in order, with total and next", async () => {
    const a = agent();
    for (let i = 0; i < 25; i++) await send(a, `/info?i=${i}`);
    const seen: string[] = [];
    let path: string | null = "/test/requests?limit=10";
    let pages = 0;
    while (path !== null) {
      const page: Page = await json<Page>(a, path);
      expect(page.total).toBe(25);
      expect(page.limit).toBe(10);
      seen.push(...page.requests.map((r) => r.url));
      path = page.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `/info?i=${i}`));
    const first = await json<Page>(a, "/test/requests");
    expect(first.requests.length).toBe(25); // default page size 100
    expect(first.next).toBeNull();
    expect((await json<Page>(a, "/test/requests?kind=exposures")).total).toBe(0);
  });

  test("legacy array routes keep their shape, page by limit/after/offset and name the next page in headers", async () => {
    const a = agent();
    for (let i = 0; i < 5; i++) await postExposure(a);
    const res = await send(a, "/test/exposures?limit=2");
    expect(res.headers.get("x-total-count")).toBe("5");
    const ids = ((await res.json()) as Array<{ id: number }>).map((r) => r.id);
    expect(ids).toEqual([1, 2]);
    expect(res.headers.get("x-next-after")).toBe("2");
    expect(res.headers.get("link")).toBe('</test/exposures?limit=2&after=2>; rel="next"');
    expect((await json<Array<{ id: number }>>(a, "/test/exposures?after=2&limit=2")).map((r) => r.id)).toEqual([3, 4]);
    expect((await json<Array<{ id: number }>>(a, "/test/session/requests?offset=4")).map((r) => r.id)).toEqual([5]);
    const last = await send(a, "/test/exposures?after=4");
    expect(last.headers.get("link")).toBeNull();
    for (const bad of ["limit=0", "limit=10001", "after=-1", "offset=x"]) {
      expect((await send(a, `/test/session/requests?${bad}`)).status).toBe(400);
    }
  });

  test("bodies above 64 KiB are not inlined; /test/requests/:id/body serves one body as received", async () => {
    const a = agent();
    const small = new Uint8Array(65_536).fill(7);
    const big = new Uint8Array(65_537).fill(9);
    for (const body of [small, big]) {
      await send(a, "/v0.4/traces", {
        method: "PUT",
        headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "1" },
        body,
      });
    }
    const { requests } = await json<Page>(a, "/test/requests");
    expect(requests[0]).toMatchObject({ bodyBytes: 65_536, bodyUrl: "/test/requests/1/body" });
    expect(requests[0]!.body!.length).toBe(87_384);
    expect(requests[0]!.bodyTruncated).toBeUndefined();
    expect(requests[1]).toMatchObject({ body: null, bodyBytes: 65_537, bodyTruncated: true, bodyUrl: "/test/requests/2/body" });
    const res = await send(a, "/test/requests/2/body");
    expect(res.headers.get("x-original-content-type")).toBe("application/msgpack");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(big);
    expect(await json(a, "/test/requests/1")).toMatchObject({ id: 1, bodyBytes: 65_536 });
    expect((await send(a, "/test/requests/99/body")).status).toBe(404);
    expect((await send(a, "/test/requests/abc")).status).toBe(404);
  });

  test("a page stops at 8 MiB of JSON and names the next one", async () => {
    const a = agent();
    const body = new Uint8Array(60 * 1024).fill(1);
    for (let i = 0; i < 150; i++) {
      await send(a, "/v0.4/traces", {
        method: "PUT",
        headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "1" },
        body,
      });
    }
    const res = await send(a, "/test/session/requests");
    const text = await res.text();
    expect(text.length).toBeLessThanOrEqual(8 * 1024 * 1024);
    const count = (JSON.parse(text) as unknown[]).length;
    expect(count).toBeLessThan(150);
    expect(res.headers.get("x-next-after")).toBe(String(count));
  });

  test("base64 of a large body is exact (linear-time encoder)", async () => {
    const a = agent();
    const body = Uint8Array.from({ length: 65_000 }, (_, i) => (i * 31 + 7) & 0xff);
    await send(a, "/v0.4/traces", { method: "PUT", headers: { "content-type": "application/msgpack" }, body });
    const [entry] = await json<Array<{ body: string }>>(a, "/test/session/requests");
    expect(entry!.body).toBe(btoa(String.fromCharCode(...body)));
  });
});
