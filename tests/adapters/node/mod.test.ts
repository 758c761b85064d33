/**
 * flagpost/node: serve() on node:http (in-process here: Bun implements node:http), request bodies
 * and headers through the bridge, and — in a real Node process — the shutdown hook: SIGTERM
 * stops the server and awaits the final flush before the process exits with 128 + 15.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { createMockAgent } from "../../../mock-agent/mod.ts";
import { createFlagpost, flagpostHandler, serve } from "../../../src/adapters/node/mod.ts";
import { FlagpostError } from "../../../mod.ts";
import { expectShutdownDespiteEndlessStream, receivedTraces, runFixture } from "../_servers.ts";

setDefaultTimeout(90_000);

describe("flagpost/node", () => {
  test("serve bridges requests and responses through node:http, one scope per request", async () => {
    const agent = createMockAgent();
    const flagpost = createFlagpost({ env: { DD_TRACE_AGENT_URL: "http://agent.test:8126" }, fetch: agent.fetch, service: "node-test" });
    const server = await serve(flagpost, async (request, scope) => {
      const body = await request.text();
      return new Response(
        JSON.stringify({ method: request.method, body, header: request.headers.get("x-test"), same: flagpost.currentScope() === scope }),
        {
          status: 201,
          headers: { "content-type": "application/json", "set-cookie": "a=1" },
        },
      );
    }, { port: 0, shutdownHooks: false });
    const res = await fetch(`${server.url}/echo?q=1`, { method: "POST", body: "hello", headers: { "x-test": "yes" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("set-cookie")).toBe("a=1");
    expect(await res.json()).toEqual({ method: "POST", body: "hello", header: "yes", same: true });
    const report = await server.close(); // the flush after the response already sent it, or this one does
    expect(report.ok).toBe(true);
    const root = agent.store.list().flatMap((r) => (r.decoded?.kind === "traces" ? r.decoded.traces.flat() : []))[0]!;
    expect([root.resource, root.meta["http.status_code"], root.meta["http.url"]]).toEqual(["POST /echo", "201", `${server.url}/echo`]);
  });

  test("a handler that throws answers 500 and marks the span", async () => {
    const flagpost = createFlagpost({ env: {}, tracesEnabled: false });
    const handler = flagpostHandler(flagpost, () => {
      throw new Error("nope");
    });
    await expect(handler(new Request("http://x/"))).rejects.toThrow("nope");
  });

  test("flagpostHandler refuses bad arguments", () => {
    const flagpost = createFlagpost({ env: {} });
    expect(() => flagpostHandler({} as never, () => new Response())).toThrow(FlagpostError);
    expect(() => flagpostHandler(flagpost, "x" as never)).toThrow(FlagpostError);
    expect(() => flagpostHandler(flagpost, () => new Response(), { flushIntervalMs: 5 })).toThrow(FlagpostError);
  });

  test("on Node, SIGTERM awaits the final flush before exit", async () => {
    const run = await runFixture("node", [1, 2, 3], "SIGTERM");
    try {
      expect(run.responses).toEqual(["ok 1 true", "ok 2 true", "ok 3 true"]);
      expect(run.exitCode).toBe(143);
      expect(run.stdout).toContain('final {"ok":true');
      const exposures = run.agent.store.list().filter((r) => r.kind === "exposures");
      const traces = receivedTraces(run);
      expect(exposures.length).toBe(1); // one request: the final flush
      expect({ traces: traces.length, output: run.stdout }).toEqual({ traces: 3, output: run.stdout });
    } finally {
      await run.agent.close();
    }
  });
  test("on Node, SIGTERM with a never-ending streaming response in flight still runs the final flush and exits", () =>
    expectShutdownDespiteEndlessStream("node", [1, 2]));
});
