import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { OTLP_RETRY_POLICY, type RetryPolicy } from "../../src/transport/retry.ts";
import { outcomeReason, sendWithRetry } from "../../src/transport/sender.ts";
import { cutOffFetch } from "../support/cut-off-fetch.ts";

const URL_ = "http://collector.test/v1/metrics";
/** The runtime's own fetch, captured before msw patches the global one: real-socket tests use it. */
const realFetch = globalThis.fetch;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Fast policy: tiny backoff so tests do not wait. */
const policy: RetryPolicy = { ...OTLP_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 4, timeoutMs: 1_000 };

/** Counts requests and records their bodies. */
function recorder() {
  const seen: Array<{ method: string; body: string; headers: Headers }> = [];
  return {
    seen,
    async note(request: Request) {
      seen.push({ method: request.method, body: await request.clone().text(), headers: request.headers });
    },
  };
}

describe("sendWithRetry", () => {
  test("200: one attempt, ok, body and headers sent as given", async () => {
    const r = recorder();
    server.use(http.put(URL_, async ({ request }) => (await r.note(request), new HttpResponse(null, { status: 200 }))));
    const outcome = await sendWithRetry({
      url: URL_,
      method: "PUT",
      headers: { "Content-Type": "application/x-protobuf" },
      body: new Uint8Array([1, 2, 3]),
    }, policy);
    expect(outcome).toMatchObject({ ok: true, status: 200, attempts: 1 });
    expect(outcome.errorKind).toBeUndefined();
    expect(outcomeReason(outcome)).toBe("");
    expect(r.seen).toHaveLength(1);
    expect(r.seen[0]!.method).toBe("PUT");
    expect(r.seen[0]!.headers.get("content-type")).toBe("application/x-protobuf");
    expect(r.seen[0]!.body).toBe("\u0001\u0002\u0003");
  });

  test("readResponse returns the success body (bounded)", async () => {
    server.use(http.post(URL_, () => HttpResponse.json({ rate_by_service: { "service:a,env:b": 1 } })));
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy, { readResponse: true });
    expect(JSON.parse(outcome.responseText!)).toEqual({ rate_by_service: { "service:a,env:b": 1 } });
    expect(outcome.responseTruncated).toBeUndefined();
    expect(outcome.responseHeaders?.get("content-type")).toBe("application/json");
    const cut = await sendWithRetry({ url: URL_, body: "x" }, policy, { readResponse: true, maxResponseBytes: 5 });
    expect(cut.responseText).toBe('{"rat');
    expect(cut.responseTruncated).toBe(true);
    const exact = JSON.stringify({ rate_by_service: { "service:a,env:b": 1 } }).length;
    const whole = await sendWithRetry({ url: URL_, body: "x" }, policy, { readResponse: true, maxResponseBytes: exact });
    expect(whole.responseTruncated).toBeUndefined();
  });

  test("GET without a body; a 304 is reported with its status and headers", async () => {
    server.use(
      http.get(
        URL_,
        ({ request }) => new HttpResponse(null, { status: 304, headers: { ETag: `"${request.headers.get("if-none-match")}"` } }),
      ),
    );
    const outcome = await sendWithRetry({ url: URL_, method: "GET", headers: { "If-None-Match": "v1" } }, policy);
    expect(outcome).toMatchObject({ ok: false, status: 304, attempts: 1, errorKind: "http" });
    expect(outcome.responseHeaders?.get("etag")).toBe('"v1"');
  });

  test("500: not retried, error kind http, at most 256 bytes of the body kept", async () => {
    const r = recorder();
    server.use(http.post(URL_, async ({ request }) => (await r.note(request), new HttpResponse("e".repeat(1000), { status: 500 }))));
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy);
    expect(outcome).toMatchObject({ ok: false, status: 500, attempts: 1, errorKind: "http" });
    expect(outcome.errorDetail).toBe("e".repeat(256));
    expect(outcomeReason(outcome)).toBe("http_500");
    expect(r.seen).toHaveLength(1);
  });

  test("an error body cut inside a multi-byte character does not end in U+FFFD", async () => {
    server.use(http.post(URL_, () => new HttpResponse("a" + "é".repeat(300), { status: 400 })));
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy);
    expect(outcome.errorDetail!.endsWith("\uFFFD")).toBe(false);
    expect(new TextEncoder().encode(outcome.errorDetail).length).toBeLessThanOrEqual(256);
  });

  test("503 with Retry-After: retried after the server's delay, then succeeds", async () => {
    const times: number[] = [];
    server.use(
      http.post(URL_, () => (times.push(performance.now()), new HttpResponse("busy", { status: 503, headers: { "Retry-After": "1" } })), {
        once: true,
      }),
      http.post(URL_, () => (times.push(performance.now()), new HttpResponse(null, { status: 200 }))),
    );
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy, { deadlineMs: 5_000 });
    expect(outcome).toMatchObject({ ok: true, status: 200, attempts: 2 });
    // Retry-After: 1 second was honoured (even though maxDelayMs is 4 ms).
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });

  test("503 three times: gives up after maxAttempts with the last status", async () => {
    let n = 0;
    server.use(http.post(URL_, () => (n++, new HttpResponse("busy", { status: 503 }))));
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy);
    expect(outcome).toMatchObject({ ok: false, status: 503, attempts: 3, errorKind: "http", errorDetail: "busy" });
    expect(n).toBe(3);
  });

  test("only the policy's statuses are retried", async () => {
    for (const status of [400, 401, 403, 404, 413, 500, 501]) {
      let n = 0;
      server.use(http.post(URL_, () => (n++, new HttpResponse(null, { status }))));
      const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy);
      expect([status, outcome.attempts, n]).toEqual([status, 1, 1]);
    }
    for (const status of [429, 502, 503, 504]) {
      let n = 0;
      server.use(http.post(URL_, () => (n++, new HttpResponse(null, { status }))));
      const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy);
      expect([status, outcome.attempts, n]).toEqual([status, 3, 3]);
    }
  });

  test("network error: kind network, retried per policy, message kept", async () => {
    let n = 0;
    server.use(http.post(URL_, () => (n++, HttpResponse.error())));
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy);
    expect(outcome).toMatchObject({ ok: false, attempts: 3, errorKind: "network" });
    expect(outcome.status).toBeUndefined();
    expect(outcome.errorDetail!.length).toBeGreaterThan(0);
    expect(outcomeReason(outcome)).toBe("network");
    expect(n).toBe(3);
    const once = await sendWithRetry({ url: URL_, body: "x" }, { ...policy, retryNetworkErrors: false });
    expect(once.attempts).toBe(1);
  });

  test("hung server: the per-attempt timeout aborts it (kind timeout)", async () => {
    server.use(http.post(URL_, async () => (await delay("infinite"), new HttpResponse(null))));
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, { ...policy, timeoutMs: 100, maxAttempts: 1 });
    expect(outcome).toMatchObject({ ok: false, attempts: 1, errorKind: "timeout" });
    expect(outcomeReason(outcome)).toBe("timeout");
  });

  test("hung server with retryTimeouts: every attempt times out, then gives up", async () => {
    let n = 0;
    server.use(http.post(URL_, async () => (n++, await delay("infinite"), new HttpResponse(null))));
    // An explicit whole-send deadline: the default one, (timeout + max backoff) × attempts = 108 ms, races the two
    // 50 ms attempts on a loaded machine and the send then ends as "deadline" instead.
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, { ...policy, timeoutMs: 50, maxAttempts: 2 }, { deadlineMs: 10_000 });
    expect(outcome).toMatchObject({ ok: false, attempts: 2, errorKind: "timeout" });
    expect(n).toBe(2);
  });

  test("a deadline shorter than the attempt timeout ends the send as deadline", async () => {
    server.use(http.post(URL_, async () => (await delay("infinite"), new HttpResponse(null))));
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, { ...policy, timeoutMs: 10_000 }, { deadlineMs: 80 });
    expect(outcome).toMatchObject({ ok: false, attempts: 1, errorKind: "deadline" });
  });

  test("a deadline shorter than the backoff: no sleep past it, no second attempt", async () => {
    let n = 0;
    server.use(http.post(URL_, () => (n++, new HttpResponse("busy", { status: 503, headers: { "Retry-After": "30" } }))));
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy, { deadlineMs: 1_000 });
    expect(outcome).toMatchObject({ ok: false, status: 503, attempts: 1, errorKind: "deadline" });
    expect(n).toBe(1);
    const slow = { ...policy, baseDelayMs: 60_000, maxDelayMs: 60_000 };
    const outcome2 = await sendWithRetry({ url: URL_, body: "x" }, slow, { deadlineMs: 1_000 });
    expect(outcome2).toMatchObject({ ok: false, status: 503, attempts: 1, errorKind: "deadline" });
  });

  test("an outer signal already aborted: no attempt at all", async () => {
    let n = 0;
    server.use(http.post(URL_, () => (n++, new HttpResponse(null))));
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy, { signal: AbortSignal.abort() });
    expect(outcome).toMatchObject({ ok: false, attempts: 0, errorKind: "deadline" });
    expect(n).toBe(0);
  });

  test("an outer signal aborted mid-request ends it as deadline", async () => {
    server.use(http.post(URL_, async () => (await delay("infinite"), new HttpResponse(null))));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy, { signal: controller.signal });
    expect(outcome).toMatchObject({ ok: false, attempts: 1, errorKind: "deadline" });
  });

  test("a fetch that throws synchronously is a network outcome, never a throw", async () => {
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, { ...policy, maxAttempts: 1 }, {
      fetch: (() => {
        throw new TypeError("boom");
      }) as unknown as typeof fetch,
    });
    expect(outcome).toMatchObject({ ok: false, attempts: 1, errorKind: "network", errorDetail: "boom" });
  });

  test("response bodies are consumed or cancelled on every path", async () => {
    const cancelled: string[] = [];
    const body = (tag: string) =>
      new ReadableStream<Uint8Array>({
        pull(c) {
          c.enqueue(new TextEncoder().encode("x".repeat(1024)));
        },
        cancel() {
          cancelled.push(tag);
        },
      });
    const statuses = [200, 503, 400];
    let i = 0;
    const fakeFetch = (() => {
      const status = statuses[i++]!;
      return Promise.resolve(new Response(body(String(status)), { status }));
    }) as unknown as typeof fetch;
    await sendWithRetry({ url: URL_, body: "x" }, { ...policy, maxAttempts: 1 }, { fetch: fakeFetch });
    await sendWithRetry({ url: URL_, body: "x" }, { ...policy, maxAttempts: 1 }, { fetch: fakeFetch });
    await sendWithRetry({ url: URL_, body: "x" }, { ...policy, maxAttempts: 1 }, { fetch: fakeFetch });
    await new Promise((r) => setTimeout(r, 10));
    expect(cancelled.sort()).toEqual(["200", "400", "503"]);
  });
});

/** A raw TCP server writing `head` then behaving as `after` says (for bodies cut off mid-way). */
async function rawServer(head: string, after: "reset" | "hang"): Promise<{ url: string; close(): void }> {
  const net = await import("node:net");
  const sockets = new Set<import("node:net").Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("data", () => {
      socket.write(head);
      if (after === "reset") setTimeout(() => socket.resetAndDestroy(), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/v1/metrics`,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe("sendWithRetry on real sockets: nothing leaked", () => {
  test("a 3xx is never followed: the other origin sees nothing, the attempt fails as redirect, not retried", async () => {
    const elsewhere: string[] = [];
    const target = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) => (elsewhere.push(`${req.method} ${req.headers.get("dd-api-key")}`), new Response("stolen")),
    });
    let hits = 0;
    const agent = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) => {
        hits++;
        const status = Number(new URL(req.url).searchParams.get("s"));
        return new Response(null, { status, headers: { location: `http://127.0.0.1:${target.port}/steal?password=x` } });
      },
    });
    try {
      for (const status of [301, 302, 303, 307, 308]) {
        const outcome = await sendWithRetry(
          { url: `http://127.0.0.1:${agent.port}/evp?s=${status}`, headers: { "DD-API-KEY": "secret-key-1234" }, body: "{}" },
          { ...policy, retryStatuses: [301, 302, 303, 307, 308, 503] },
          { fetch: realFetch },
        );
        expect(outcome).toMatchObject({ ok: false, status, errorKind: "redirect", attempts: 1 });
        expect(outcomeReason(outcome)).toBe("redirect");
        expect(outcome.errorDetail).toBe(`answered ${status} to http://127.0.0.1:${target.port}; redirects are not followed`);
      }
      expect(hits).toBe(5);
      expect(elsewhere).toEqual([]);
    } finally {
      agent.stop(true);
      target.stop(true);
    }
  });

  for (const readResponse of [false, true]) {
    test(`a 200 whose connection resets after 15 of 1,000 declared bytes is a network failure (readResponse ${readResponse})`, async () => {
      const server = await rawServer(`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n${"{".repeat(15)}`, "reset");
      try {
        const outcome = await sendWithRetry({ url: server.url, body: "x" }, { ...policy, maxAttempts: 1 }, {
          readResponse,
          fetch: realFetch,
        });
        expect(outcome).toMatchObject({ ok: false, errorKind: "network", attempts: 1 });
        expect(outcome.responseText).toBeUndefined();
      } finally {
        server.close();
      }
    });

    test(`a 200 whose body hangs past the attempt timeout is a timeout (readResponse ${readResponse})`, async () => {
      const server = await rawServer(`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n${"{".repeat(15)}`, "hang");
      try {
        const outcome = await sendWithRetry({ url: server.url, body: "x" }, { ...policy, maxAttempts: 1, timeoutMs: 200 }, {
          readResponse,
          fetch: realFetch,
        });
        expect(outcome).toMatchObject({ ok: false, errorKind: "timeout", attempts: 1 });
      } finally {
        server.close();
      }
    });
  }

  test("a cut-off 2xx body on a POST fails the attempt but is not sent again: the receiver processed it (accepted)", async () => {
    const cut = cutOffFetch(202, '{"rate');
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy, { fetch: cut.fetch, readResponse: true });
    expect(outcome).toMatchObject({ ok: false, accepted: true, status: 202, errorKind: "network", attempts: 1 });
    expect(cut.calls()).toBe(1);
  });

  test("a cut-off body on a GET is retried like any network failure, and a whole body then succeeds", async () => {
    const cut = cutOffFetch(200, '{"rate', [2]);
    const outcome = await sendWithRetry({ url: URL_, method: "GET" }, policy, { fetch: cut.fetch, readResponse: true });
    expect(outcome).toMatchObject({ ok: true, attempts: 2, responseText: '{"rate' });
  });

  test('readResponse: "bytes" hands back the success body as bytes (a protobuf answer survives)', async () => {
    const answer = new Uint8Array([0x0a, 0x03, 0x08, 0xff, 0x01]);
    const fakeFetch = (() => Promise.resolve(new Response(answer, { status: 200 }))) as unknown as typeof fetch;
    const outcome = await sendWithRetry({ url: URL_, body: "x" }, policy, { fetch: fakeFetch, readResponse: "bytes" });
    expect(outcome.responseBytes).toEqual(answer);
    expect(outcome.responseText).toBeUndefined();
  });

  test("a deadline above 2^31 - 1 ms is clamped, not turned into an immediate timeout", async () => {
    const slow = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: async () => (await Bun.sleep(50), new Response(null, { status: 202 })),
    });
    try {
      const outcome = await sendWithRetry(
        { url: `http://127.0.0.1:${slow.port}/v1/metrics`, body: "x" },
        { ...policy, timeoutMs: 2 ** 32 },
        { deadlineMs: 2 ** 31 + 5, fetch: realFetch },
      );
      expect(outcome).toMatchObject({ ok: true, status: 202, attempts: 1 });
    } finally {
      slow.stop(true);
    }
  });

  test("secret header values and URL passwords echoed by a server are masked in errorDetail", async () => {
    server.use(
      http.post(
        URL_,
        ({ request }) => new HttpResponse(`bad key ${request.headers.get("dd-api-key")} from http://u:hunter2@agent:8126`, { status: 403 }),
      ),
    );
    const outcome = await sendWithRetry({ url: URL_, headers: { "DD-API-KEY": "abcdef0123456789" }, body: "x" }, policy);
    expect(outcome.errorDetail).toBe("bad key *** from http://u:***@agent:8126");
  });
});
