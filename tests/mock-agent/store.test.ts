/** The bounded request store (mock-agent/store.ts): eviction by count, bytes and decoded size; bounded sessions. */
import { describe, expect, test } from "bun:test";
import { DEFAULT_DECODE_LIMITS, RequestStore, scanJson } from "../../mock-agent/mod.ts";
import { BYTES_PER_DECODED_VALUE } from "../../mock-agent/store.ts";
import { agent, EVP_HEADERS, EXPOSURE, json, send } from "./helpers.ts";

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

const utf8 = (s: string) => new TextEncoder().encode(s);
const limits = DEFAULT_DECODE_LIMITS;

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

describe("stored size", () => {
  test("the store counts a payload by its decoded size, not only its wire bytes", async () => {
    const a = agent();
    const body = JSON.stringify({ context: { service: "s" }, exposures: Array.from({ length: 100 }, () => EXPOSURE) });
    await send(a, "/evp_proxy/v2/api/v2/exposures", { method: "POST", headers: EVP_HEADERS, body });
    const record = a.store.list()[0]!;
    expect(record.decodedValues).toBe(scanJson(utf8(body), limits).values);
    expect(a.store.stats().storedBytes).toBeGreaterThan(body.length + record.decodedValues! * BYTES_PER_DECODED_VALUE);
  });
});

describe("bounded sessions (issue 8, item 9)", () => {
  test("a session is forgotten once its requests are evicted; the current one stays", async () => {
    const a = agent({ maxRequests: 2 });
    await send(a, "/info", { headers: { "x-datadog-test-session-token": "old" } });
    await send(a, "/test/session/start?test_session_token=current");
    await send(a, "/info?a");
    await send(a, "/info?b");
    await send(a, "/info?c");
    expect((await send(a, "/test/session/requests?test_session_token=old")).status).toBe(404);
    expect((await json<unknown[]>(a, "/test/session/requests?test_session_token=current")).length).toBe(2);
  });

  test("at most 1,000 sessions without requests are remembered; tokens are at most 256 characters", async () => {
    const a = agent();
    for (let i = 0; i < 1_500; i++) await send(a, `/test/session/start?test_session_token=s${i}`);
    expect(a.store.sessionCount).toBe(1_000);
    expect((await send(a, "/test/exposures?test_session_token=s0")).status).toBe(404);
    expect((await send(a, "/test/exposures?test_session_token=s1499")).status).toBe(200);
    expect((await send(a, `/test/session/start?test_session_token=${"x".repeat(257)}`)).status).toBe(400);
  });
});
