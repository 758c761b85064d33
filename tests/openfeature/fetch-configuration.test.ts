/**
 * The configuration fetch leaks nothing and installs nothing partial (issue 8):
 * redirects are not followed, a body cut off by a reset or a hang is an error,
 * URL credentials travel as a header and never appear in a message, event or log.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket } from "node:net";
import { FlagpostError } from "../../src/core/errors.ts";
import type { Logger } from "../../src/core/logger.ts";
import { fetchConfiguration } from "../../src/openfeature/fetch-configuration.ts";
import { FlagpostProvider } from "../../src/openfeature/mod.ts";
import { readJson } from "../ufc/fixtures.ts";

const ufcText = JSON.stringify(await readJson("ufc-config.json"));

/** A raw TCP server answering 200 with a declared length of 1,000 bytes and sending only 15. */
async function cutOffServer(after: "reset" | "hang"): Promise<{ url: string; close(): void }> {
  const net = await import("node:net");
  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("data", () => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n${ufcText.slice(0, 15)}`);
      if (after === "reset") setTimeout(() => socket.resetAndDestroy(), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/flags.json`,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe("a cut-off configuration body is an error, never a configuration", () => {
  test("connection reset after 15 of 1,000 declared bytes", async () => {
    const server = await cutOffServer("reset");
    try {
      const result = await fetchConfiguration(server.url, { timeoutMs: 2_000, maxLength: 1 << 20 });
      expect(result.status).toBe("error");
      expect((result as { message: string }).message).toMatch(/^configuration fetch failed: response body cut off/);
    } finally {
      server.close();
    }
  });

  test("a body that hangs past the timeout; the provider keeps its configuration", async () => {
    const server = await cutOffServer("hang");
    try {
      expect(await fetchConfiguration(server.url, { timeoutMs: 200, maxLength: 1 << 20 })).toEqual({
        status: "error",
        message: "configuration fetch timed out after 200 ms",
      });
      const provider = new FlagpostProvider({ configuration: ufcText, url: server.url, timeoutMs: 200 });
      const before = provider.configuration;
      expect((await provider.refresh()).status).toBe("error");
      expect(provider.configuration).toBe(before);
    } finally {
      server.close();
    }
  });
});

describe("redirects and secrets", () => {
  const seen: Array<{ server: string; path: string; auth: string | null; token: string | null }> = [];
  let origin: ReturnType<typeof Bun.serve>;
  let elsewhere: ReturnType<typeof Bun.serve>;
  beforeAll(() => {
    elsewhere = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        seen.push({ server: "elsewhere", path: new URL(req.url).pathname, auth: req.headers.get("authorization"), token: null });
        return new Response(ufcText);
      },
    });
    origin = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const path = new URL(req.url).pathname;
        seen.push({ server: "origin", path, auth: req.headers.get("authorization"), token: req.headers.get("x-client-token") });
        if (path === "/moved") {
          return new Response(null, { status: 308, headers: { location: `http://127.0.0.1:${elsewhere.port}/steal` } });
        }
        return new Response(ufcText, { headers: { etag: '"e"' } });
      },
    });
  });
  afterAll(() => {
    origin.stop(true);
    elsewhere.stop(true);
  });

  test("a redirect is not followed: the client token and credentials stay with the origin", async () => {
    seen.length = 0;
    const provider = new FlagpostProvider({
      url: `http://user:hunter2@127.0.0.1:${origin.port}/moved`,
      headers: { "x-client-token": "tok-123456" },
    });
    const result = await provider.refresh();
    expect(result).toEqual({ status: "error", message: "configuration fetch was redirected (HTTP 308); redirects are not followed" });
    expect(seen).toEqual([{ server: "origin", path: "/moved", auth: `Basic ${btoa("user:hunter2")}`, token: "tok-123456" }]);
  });

  test("URL credentials are sent as Basic auth and the URL goes out without them", async () => {
    seen.length = 0;
    const provider = new FlagpostProvider({ url: `http://user:hunter2@127.0.0.1:${origin.port}/flags.json` });
    expect((await provider.refresh()).status).toBe("updated");
    expect(seen).toEqual([{ server: "origin", path: "/flags.json", auth: `Basic ${btoa("user:hunter2")}`, token: null }]);
  });

  test("no password in refresh results, PROVIDER_ERROR events or log lines, even when fetch's own error repeats the URL", async () => {
    const logged: string[] = [];
    const logger: Logger = {
      debug: (m, d) => logged.push(`${m} ${JSON.stringify(d)}`),
      warn: (m, d) => logged.push(`${m} ${JSON.stringify(d)}`),
      error: (m, d) => logged.push(`${m} ${JSON.stringify(d)}`),
    };
    const provider = new FlagpostProvider({
      url: `http://user:hunter2@127.0.0.1:${origin.port}/flags.json`,
      logger,
      // What Node's fetch says about a URL with credentials: it repeats the password.
      fetch: ((input: string) => {
        throw new TypeError(
          `Request cannot be constructed from a URL that includes credentials: ${input.replace("//", "//user:hunter2@")}`,
        );
      }) as unknown as typeof fetch,
    });
    const events: string[] = [];
    provider.events.addHandler("PROVIDER_ERROR", (d) => events.push(String(d?.message)));
    const result = await provider.refresh();
    expect(result.status).toBe("error");
    const everything = JSON.stringify([result, events, logged]);
    expect(everything).toContain("user:***@");
    expect(everything).not.toContain("hunter2");
  });

  test("a bad url option is rejected with the password masked", () => {
    let error: unknown;
    try {
      new FlagpostProvider({ url: "http://user:hunter2@host:99999/flags.json" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlagpostError);
    expect((error as FlagpostError).field).toBe("url");
    expect((error as FlagpostError).message).not.toContain("hunter2");
  });

  test("header values with CR/LF/NUL, protocol headers and timers past 2^31 - 1 ms are refused when configured", () => {
    for (
      const [options, field] of [
        [{ headers: { "x-client-token": "a\r\nHost: evil" } }, "headers"],
        [{ headers: { "x-a": "a\0" } }, "headers"],
        [{ headers: { Host: "evil" } }, "headers"],
        [{ headers: { "content-length": "5" } }, "headers"],
        [{ timeoutMs: 2 ** 31 }, "timeoutMs"],
        [{ pollIntervalMs: 2 ** 31 }, "pollIntervalMs"],
      ] as const
    ) {
      let error: unknown;
      try {
        new FlagpostProvider({ url: "http://127.0.0.1/flags.json", ...options } as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FlagpostError);
      expect((error as FlagpostError).code).toBe("invalid_argument");
      expect((error as FlagpostError).field).toBe(field);
    }
  });
});
