/** Recording and answering one request (mock-agent/ingest.ts): a body that times out is still recorded. */
import { describe, expect, test } from "bun:test";
import { agent, EVP_HEADERS, send } from "./helpers.ts";

describe("ingest", () => {
  test("a request whose body times out is answered 408 with Connection: close, and recorded", async () => {
    const a = agent({ requestTimeoutMs: 100 });
    const never = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(1)) });
    const res = await a.app.fetch(
      new Request(
        "http://agent.test/evp_proxy/v2/api/v2/exposures",
        { method: "POST", headers: EVP_HEADERS, body: never, duplex: "half" } as RequestInit,
      ),
    );
    expect(res.status).toBe(408);
    expect(res.headers.get("connection")).toBe("close");
    expect(a.store.list()[0]).toMatchObject({ status: 408, error: "body not received within 100 ms" });
    expect((await send(a, "/info")).status).toBe(200);
  });
});
