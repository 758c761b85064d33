/**
 * flagpost/deno in a Deno process: Deno.serve with one scope per request (AsyncLocalStorage through
 * process.getBuiltinModule), and SIGTERM (a Deno signal listener) awaiting the final flush.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { serve } from "../../../src/adapters/deno/mod.ts";
import { createFlagpost } from "../../../mod.ts";
import { FlagpostError } from "../../../mod.ts";
import { expectShutdownDespiteEndlessStream, receivedTraces, runFixture } from "../_servers.ts";

setDefaultTimeout(90_000);

describe("flagpost/deno", () => {
  test("outside Deno, serve refuses with a FlagpostError", () => {
    expect(() => serve(createFlagpost({}), () => new Response())).toThrow(FlagpostError);
  });

  test("in a Deno process, SIGTERM awaits the final flush before exit", async () => {
    const run = await runFixture("deno", [7, 8, 9], "SIGTERM");
    try {
      expect(run.responses).toEqual(["ok 7 true", "ok 8 true", "ok 9 true"]);
      expect(run.exitCode).toBe(143);
      expect(run.stdout).toContain('final {"ok":true');
      const traces = receivedTraces(run);
      expect({ traces: traces.length, output: run.stdout }).toEqual({ traces: 3, output: run.stdout });
    } finally {
      await run.agent.close();
    }
  });
  test("in a Deno process, SIGTERM with a never-ending streaming response in flight still runs the final flush and exits", () =>
    expectShutdownDespiteEndlessStream("deno", [7, 8]));
});
