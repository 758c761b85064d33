/**
 * The node:http bridge, over a real socket (127.0.0.1, port 0): the Request a handler sees (method, URL, repeated
 * headers, streamed body) and the response written back (status, headers, several set-cookie, streamed body);
 * a handler failure is an empty 500.
 */
import { describe, expect, test } from "bun:test";
import * as http from "node:http";
import { fetchListener } from "../../../src/adapters/node/_request-listener.ts";

async function listen(handler: (request: Request) => Promise<Response>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(fetchListener(handler) as unknown as http.RequestListener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("fetchListener", () => {
  test("the handler sees method, URL, headers and body; the client sees status, headers, cookies and body", async () => {
    let seen: { method: string; url: string; test: string | null; body: string } | undefined;
    const server = await listen(async (request) => {
      seen = { method: request.method, url: request.url, test: request.headers.get("x-test"), body: await request.text() };
      const headers = new Headers({ "content-type": "text/plain", "x-answer": "42" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response("pong", { status: 201, headers });
    });
    try {
      const res = await fetch(`${server.url}/ping?q=1`, { method: "POST", body: "hello", headers: { "x-test": "yes" } });
      expect(res.status).toBe(201);
      expect(res.headers.get("x-answer")).toBe("42");
      expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
      expect(await res.text()).toBe("pong");
      expect(seen).toEqual({ method: "POST", url: `${server.url}/ping?q=1`, test: "yes", body: "hello" });
    } finally {
      await server.close();
    }
  });
  test("a streamed response body arrives whole, in order", async () => {
    const parts = ["one,", "two,", "three"];
    const server = await listen(() =>
      Promise.resolve(
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              for (const p of parts) controller.enqueue(new TextEncoder().encode(p));
              controller.close();
            },
          }),
        ),
      )
    );
    try {
      expect(await (await fetch(server.url)).text()).toBe(parts.join(""));
    } finally {
      await server.close();
    }
  });
  test("GET has no body; a response without a body ends the reply", async () => {
    let hadBody: boolean | undefined;
    const server = await listen((request) => {
      hadBody = request.body !== null;
      return Promise.resolve(new Response(null, { status: 204 }));
    });
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(204);
      expect(hadBody).toBe(false);
    } finally {
      await server.close();
    }
  });
  test("a handler that throws is answered with an empty 500", async () => {
    const server = await listen(() => Promise.reject(new Error("handler bug")));
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe("");
    } finally {
      await server.close();
    }
  });
});
