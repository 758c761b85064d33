/**
 * The server adapters' shared lifecycle: the wrapped fetch handler (checked arguments, a scope per request, a flush
 * after each or on an interval), the final shutdown (once, stop-the-server first, report handed over), the process
 * shutdown hooks (installed and removed), and the running-server record.
 */
import { describe, expect, test } from "bun:test";
import {
  createServerFlagpost,
  finalShutdown,
  flagpostHandler,
  installProcessShutdownHooks,
  runningServer,
} from "../../src/adapters/_server-lifecycle.ts";
import { flagpostErrorOf } from "../support/errors.ts";
import { fakeFlagpost } from "./_fake-flagpost.ts";

describe("flagpostHandler", () => {
  test("refuses a non-instance, a non-function handler and a flush interval below 100 ms, naming the field", () => {
    const { flagpost } = fakeFlagpost();
    const ok = () => new Response();
    expect(flagpostErrorOf(() => flagpostHandler({} as never, ok)).field).toBe("flagpost");
    expect(flagpostErrorOf(() => flagpostHandler(flagpost, "nope" as never)).field).toBe("handler");
    for (const bad of [99, Number.NaN, Infinity, "500" as unknown as number]) {
      const e = flagpostErrorOf(() => flagpostHandler(flagpost, ok, { flushIntervalMs: bad }));
      expect([e.code, e.field]).toEqual(["invalid_argument", "flushIntervalMs"]);
    }
  });
  test("each request gets its own scope and the handler its request; without an interval each response is followed by a flush", async () => {
    const fake = fakeFlagpost();
    const handle = flagpostHandler(fake.flagpost, (request) => new Response(new URL(request.url).pathname), { deadlineMs: 300 });
    expect(await (await handle(new Request("https://shop.test/one"))).text()).toBe("/one");
    expect(await (await handle(new Request("https://shop.test/two"))).text()).toBe("/two");
    expect(fake.scopes.map((s) => s.start.resource)).toEqual(["GET /one", "GET /two"]);
    expect(fake.flushes).toEqual([{ deadlineMs: 300 }, { deadlineMs: 300 }]);
    handle.stop();
  });
  test("with an interval, no flush per request; stop() is idempotent", async () => {
    const fake = fakeFlagpost();
    const handle = flagpostHandler(fake.flagpost, () => new Response("ok"), { flushIntervalMs: 60_000 });
    await handle(new Request("https://shop.test/"));
    expect(fake.flushes).toEqual([]);
    handle.stop();
    handle.stop();
    await handle(new Request("https://shop.test/")); // a stopped handler still serves, and starts no timer
    expect(fake.scopes).toHaveLength(2);
  });
});

describe("finalShutdown", () => {
  test("runs once however often it is called: beforeShutdown, then shutdown within the deadline, then onShutdown", async () => {
    const fake = fakeFlagpost(1_000);
    const order: string[] = [];
    const reports: unknown[] = [];
    const shutdown = finalShutdown(fake.flagpost, {
      deadlineMs: 400,
      beforeShutdown: () => void order.push("stop server"),
      onShutdown: (report) => {
        order.push("reported");
        reports.push(report);
        throw new Error("a failing callback is ignored");
      },
    });
    const [a, b] = await Promise.all([shutdown(), shutdown()]);
    expect(a).toBe(fake.report);
    expect(b).toBe(a);
    expect(await shutdown()).toBe(a);
    expect(order).toEqual(["stop server", "reported"]);
    expect(reports).toEqual([fake.report]);
    expect(fake.shutdowns).toHaveLength(1);
    expect(fake.shutdowns[0]!.deadlineMs).toBeGreaterThanOrEqual(1);
    expect(fake.shutdowns[0]!.deadlineMs).toBeLessThanOrEqual(400);
  });
  test("a beforeShutdown that throws or rejects still leads to the final flush", async () => {
    for (
      const beforeShutdown of [() => {
        throw new Error("stop failed");
      }, () => Promise.reject(new Error("stop failed"))]
    ) {
      const fake = fakeFlagpost();
      expect(await finalShutdown(fake.flagpost, { beforeShutdown })()).toBe(fake.report);
      expect(fake.shutdowns).toHaveLength(1);
    }
  });
});

describe("installProcessShutdownHooks", () => {
  test("adds one listener per signal and one for beforeExit; the returned function removes them all", () => {
    const events = ["SIGTERM", "SIGINT", "SIGHUP", "beforeExit"] as const;
    const before = events.map((e) => process.listenerCount(e));
    const remove = installProcessShutdownHooks(fakeFlagpost().flagpost, { signals: ["SIGTERM", "SIGHUP"], exit: false });
    expect(events.map((e) => process.listenerCount(e) - before[events.indexOf(e)]!)).toEqual([1, 0, 1, 1]);
    remove();
    remove();
    expect(events.map((e) => process.listenerCount(e))).toEqual(before);
  });
});

describe("runningServer", () => {
  test("url brackets an IPv6 host; close() removes the hooks, stops the server first, and answers the same report every time", async () => {
    const fake = fakeFlagpost();
    const order: string[] = [];
    let installed = 0;
    const server = runningServer(fake.flagpost, {}, { hostname: "::1", port: 8080 }, () => {
      order.push("stop");
      return Promise.resolve();
    }, () => {
      installed++;
      return () => void order.push("unhook");
    });
    expect([server.url, server.port, installed]).toEqual(["http://[::1]:8080", 8080, 1]);
    expect(await server.close()).toBe(fake.report);
    expect(await server.close()).toBe(fake.report);
    expect(order).toEqual(["unhook", "stop", "unhook"]);
    expect(fake.shutdowns).toHaveLength(1);
  });
  test("shutdownHooks: false installs none", () => {
    let installed = 0;
    const server = runningServer(
      fakeFlagpost().flagpost,
      { shutdownHooks: false },
      { hostname: "127.0.0.1", port: 1 },
      () => Promise.resolve(),
      () => {
        installed++;
        return () => {};
      },
    );
    expect([server.url, installed]).toEqual(["http://127.0.0.1:1", 0]);
  });
});

describe("createServerFlagpost", () => {
  test("reads the process environment, with options.env taking precedence", async () => {
    const saved = { DD_SERVICE: process.env.DD_SERVICE, DD_ENV: process.env.DD_ENV };
    process.env.DD_SERVICE = "from-process";
    process.env.DD_ENV = "process-env";
    try {
      const flagpost = createServerFlagpost({ env: { DD_ENV: "from-options" }, tracesEnabled: false });
      expect([flagpost.config.service, flagpost.config.env]).toEqual(["from-process", "from-options"]);
      await flagpost.shutdown({ deadlineMs: 50 });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
