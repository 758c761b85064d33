/**
 * Bounded body reading (mock-agent/body.ts): refused bodies are drained, slow bodies are cut (issue 8, items 6
 * and 9), gzip inflated under the limit.
 */
import { describe, expect, test } from "bun:test";
import { discardBody, readBody } from "../../mock-agent/body.ts";
import { agent, EVP_HEADERS, exposureBody, gzip, json, send } from "./helpers.ts";

/** A body of `chunks` × `size` bytes that records how many chunks were pulled. */
function counted(chunks: number, size: number) {
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (state.pulled === chunks) return c.close();
      state.pulled++;
      c.enqueue(new Uint8Array(size));
    },
  });
  return { state, stream };
}

function post(body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return new Request("http://agent.test/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

describe("readBody", () => {
  test("an over-limit body is refused and read to its end (drained), so the client can finish sending", async () => {
    const { state, stream } = counted(40, 1024);
    const result = await readBody(post(stream), 10 * 1024);
    expect(result).toMatchObject({ ok: false, reason: "too_large" });
    expect((result as { closeConnection?: boolean }).closeConnection).toBeUndefined();
    expect(state.pulled).toBe(40);
  });

  test("past the drain bound the rest is cancelled and the answer closes the connection", async () => {
    const { state, stream } = counted(1_000, 1024);
    const result = await readBody(post(stream), 10 * 1024, { maxDrainBytes: 20 * 1024 });
    expect(result).toMatchObject({ ok: false, reason: "too_large", closeConnection: true });
    expect(state.pulled).toBeLessThan(1_000);
  });

  test("an unsupported encoding is drained too", async () => {
    const { state, stream } = counted(10, 1024);
    expect(await readBody(post(stream, { "content-encoding": "br" }), 1 << 20)).toMatchObject({ reason: "unsupported_encoding" });
    expect(state.pulled).toBe(10);
  });

  test("a body slower than the timeout is cut: reason timeout, connection closed", async () => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const slow = new ReadableStream<Uint8Array>({
      start(c) {
        timer = setInterval(() => c.enqueue(new Uint8Array(1)), 20);
      },
      cancel() {
        clearInterval(timer);
      },
    });
    const result = await readBody(post(slow), 1 << 20, { timeoutMs: 150 });
    clearInterval(timer);
    expect(result).toMatchObject({ ok: false, reason: "timeout", closeConnection: true, message: "body not received within 150 ms" });
  });

  test("a declared Content-Length is read into one buffer, exactly", async () => {
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 1000) c.enqueue(bytes.slice(i, i + 1000));
        c.close();
      },
    });
    const result = await readBody(post(stream, { "content-length": "5000" }), 1 << 20);
    expect(result).toMatchObject({ ok: true });
    expect((result as { bytes: Uint8Array }).bytes).toEqual(bytes);
  });
});

describe("discardBody", () => {
  test("reads a body to its end without keeping it; false when it is longer than the bound", async () => {
    expect(await discardBody(post(counted(5, 100).stream))).toBe(true);
    expect(await discardBody(post(counted(50, 100).stream), 1_000)).toBe(false);
  });
});

type ExposureRecord = { payload: unknown; problems: string[]; path: string };

describe("gzip bodies", () => {
  test("Content-Encoding: gzip is inflated", async () => {
    const a = agent();
    const body = await gzip(new TextEncoder().encode(exposureBody(2)));
    const res = await send(a, "/evp_proxy/v2/api/v2/exposures", {
      method: "POST",
      headers: { ...EVP_HEADERS, "content-encoding": "gzip" },
      body: body as BodyInit,
    });
    expect(res.status).toBe(202);
    expect(a.store.list()[0]!.body).toEqual(body); // the record keeps the wire bytes
    expect((await json<ExposureRecord[]>(a, "/test/exposures"))[0]!.problems).toEqual([]);
  });

  test("a gzip bomb stops at the limit", async () => {
    const a = agent({ maxBodyBytes: 64 * 1024 });
    const bomb = await gzip(new Uint8Array(8 * 1024 * 1024)); // 8 MiB of zeros, ~8 KiB compressed
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await send(a, "/v1/metrics", {
      method: "POST",
      headers: { "content-type": "application/x-protobuf", "content-encoding": "gzip" },
      body: bomb as BodyInit,
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe("inflated body exceeds 65536 bytes\n");
  });

  test("corrupt gzip is 400 and unknown encodings are 415", async () => {
    const a = agent();
    let res = await send(a, "/evp_proxy/v2/api/v2/exposures", {
      method: "POST",
      headers: { ...EVP_HEADERS, "content-encoding": "gzip" },
      body: "not gzip at all",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("body is not valid gzip data\n");
    res = await send(a, "/evp_proxy/v2/api/v2/exposures", {
      method: "POST",
      headers: { ...EVP_HEADERS, "content-encoding": "br" },
      body: "x",
    });
    expect(res.status).toBe(415);
  });
});
