import { describe, expect, test } from "bun:test";
import { RequestStore } from "../../mock-agent/mod.ts";
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

describe("bounded store", () => {
  test("evicts the oldest beyond maxRequests and counts evictions in /test/stats", async () => {
    const a = agent({ maxRequests: 3 });
    for (let i = 0; i < 5; i++) await send(a, `/info?i=${i}`);
    const urls = (await json<RequestJson[]>(a, "/test/session/requests")).map((r) => r.url);
    expect(urls).toEqual(["/info?i=2", "/info?i=3", "/info?i=4"]);
    expect(await json(a, "/test/stats")).toMatchObject({
      received: 5,
      stored: 3,
      evicted: 2,
      maxRequests: 3,
      byKind: { info: 5 },
      byStatus: { "200": 5 },
    });
  });

  test("evicts by stored bytes too", () => {
    const store = new RequestStore({ maxRequests: 100, maxBytes: 5_000 });
    for (let i = 0; i < 10; i++) {
      store.add({
        id: store.nextId(),
        time: 0,
        method: "POST",
        path: "/p",
        query: "",
        headers: {},
        body: new Uint8Array(1_000),
        status: 200,
        kind: "other",
        sessionToken: null,
        fault: false,
        summary: "",
      });
    }
    expect(store.size).toBe(4);
    expect(store.stats().evicted).toBe(6);
    expect(store.stats().storedBytes).toBeLessThanOrEqual(5_000);
  });

  test("rejects a non-positive bound naming the option", () => {
    expect(() => new RequestStore({ maxRequests: 0 })).toThrow("maxRequests must be a positive integer, got 0");
  });
});

describe("/info", () => {
  test("is shaped like the agent's, with Datadog-Agent-State = SHA-256 hex of the body", async () => {
    const a = agent();
    const res = await send(a, "/info");
    const text = await res.text();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
    expect(res.headers.get("datadog-agent-state")).toBe([...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));
    const info = JSON.parse(text);
    expect(info.endpoints).toEqual(expect.arrayContaining(["/v0.4/traces", "/v0.5/traces", "/evp_proxy/v2/", "/evp_proxy/v4/"]));
    expect(info.evp_proxy_allowed_headers).toContain("Content-Encoding");
    expect(typeof info.client_drop_p0s).toBe("boolean");
    expect(info.config).toMatchObject({ receiver_port: 8126, max_request_bytes: 10 * 1024 * 1024 });
    expect(typeof info.version).toBe("string");
    expect((await send(a, "/info", { method: "POST" })).status).toBe(405);
  });
});
