/**
 * flagpost/bun: serve() on Bun.serve in-process, and in a child Bun process the shutdown hook:
 * SIGINT stops the server and awaits the final flush before exit (128 + 2).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { createMockAgent } from "../../../mock-agent/mod.ts";
import { createFlagpost, serve } from "../../../src/adapters/bun/mod.ts";
import { expectShutdownDespiteEndlessStream, receivedTraces, runFixture } from "../_servers.ts";

setDefaultTimeout(90_000);

describe("flagpost/bun", () => {
  test("serve runs the handler in a scope and close() flushes", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: { DD_TRACE_AGENT_URL: "http://agent.test:8126" }, fetch: agent.fetch });
    const server = serve(flagpost, (_request, scope) => new Response(String(flagpost.currentScope() === scope)), {
      port: 0,
      shutdownHooks: false,
      flushIntervalMs: 60_000,
    });
    expect(await (await fetch(`${server.url}/`)).text()).toBe("true");
    const report = await server.close();
    expect(report.signals.traces?.sent).toBe(1);
    expect(flagpost.isShutdown).toBe(true);
  });

  test("flushIntervalMs: the interval created by the first request flushes without being asked", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: { DD_TRACE_AGENT_URL: "http://agent.test:8126" }, fetch: agent.fetch });
    const server = serve(flagpost, () => new Response("ok"), { port: 0, shutdownHooks: false, flushIntervalMs: 100 });
    try {
      await (await fetch(`${server.url}/`)).text();
      const end = performance.now() + 10_000;
      while (!agent.store.list().some((r) => r.kind === "traces") && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(agent.store.list().some((r) => r.kind === "traces")).toBe(true);
    } finally {
      await server.close();
    }
  });

  test("in a Bun process, SIGINT awaits the final flush before exit", async () => {
    const run = await runFixture("bun", [4, 5], "SIGINT");
    try {
      expect(run.responses).toEqual(["ok 4 true", "ok 5 true"]);
      expect(run.exitCode).toBe(130);
      expect(run.stdout).toContain('final {"ok":true');
      const traces = receivedTraces(run);
      expect({ traces: traces.length, output: run.stdout }).toEqual({ traces: 2, output: run.stdout });
    } finally {
      await run.agent.close();
    }
  });
  test("in a Bun process, SIGTERM with a never-ending streaming response in flight still runs the final flush and exits", () =>
    expectShutdownDespiteEndlessStream("bun", [4, 5]));
});
