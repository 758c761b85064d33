/**
 * Runs tests/adapters/_server-fixture.ts on a runtime as a child process against a mock agent on a
 * real socket, sends it requests, then a signal, and returns what happened.
 */
import { expect } from "bun:test";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { type RunningMockAgent, startMockAgent } from "../../mock-agent/mod.ts";

const root = join(import.meta.dir, "../..");
const bin = (name: string) => join(root, "node_modules/.bin", name);

export interface FixtureRun {
  responses: string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
  agent: RunningMockAgent;
}

async function command(runtime: "node" | "deno" | "bun"): Promise<string[]> {
  const fixture = join(import.meta.dir, "_server-fixture.ts");
  if (runtime === "bun") return [bin("bun"), fixture];
  if (runtime === "deno") return [bin("deno"), "run", "--allow-net", "--allow-env", "--allow-read", "--allow-sys", fixture];
  const outfile = join(root, ".tmp", "adapters", "server-fixture.mjs");
  await esbuild.build({ entryPoints: [fixture], bundle: true, platform: "node", format: "esm", outfile, logLevel: "error" });
  return ["node", outfile];
}

/** How a fixture run differs from the default. */
export interface FixtureOptions {
  /** Open a `/stream` response that never ends (and read its first chunk) before the signal. */
  readonly streaming?: boolean;
  /** The shutdown deadline the fixture's `serve` gets (FIXTURE_DEADLINE_MS). */
  readonly deadlineMs?: number;
  /** Kill the process (SIGKILL) if it has not exited this long after start (default 60 s). */
  readonly killAfterMs?: number;
}

/** Starts the fixture, requests `/?id=<id>` for each id, sends `signal`, waits for the exit. The caller closes `agent`. */
export async function runFixture(
  runtime: "node" | "deno" | "bun",
  ids: number[],
  signal: "SIGTERM" | "SIGINT",
  options: FixtureOptions = {},
): Promise<FixtureRun> {
  const agent = await startMockAgent({ port: 0, otlpPort: 0 });
  const proc = Bun.spawn(await command(runtime), {
    cwd: root,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      ...process.env,
      DD_SERVICE: `adapter-${runtime}`,
      DD_TRACE_AGENT_URL: agent.url,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${agent.otlpUrl}/v1/metrics`,
      DD_METRICS_OTEL_ENABLED: "true",
      ...(options.deadlineMs === undefined ? {} : { FIXTURE_DEADLINE_MS: String(options.deadlineMs) }),
    },
  });
  const decoder = new TextDecoder();
  let stdout = "";
  const reader = proc.stdout.getReader();
  let url: string | undefined;
  const killer = setTimeout(() => proc.kill("SIGKILL"), options.killAfterMs ?? 60_000);
  while (url === undefined) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += decoder.decode(value, { stream: true });
    url = /listening (\S+)/.exec(stdout)?.[1];
  }
  const responses: string[] = [];
  if (url !== undefined) {
    for (const id of ids) responses.push(await (await fetch(`${url}/?id=${id}`)).text());
    if (options.streaming === true) {
      const stream = (await fetch(`${url}/stream`)).body!.getReader();
      responses.push(decoder.decode((await stream.read()).value)); // the stream stays open: the process must exit anyway
      stream.closed.catch(() => {});
    }
  }
  proc.kill(signal);
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += decoder.decode(value, { stream: true });
    }
  })();
  const [exitCode, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text(), rest]);
  clearTimeout(killer);
  return { responses, exitCode, stdout, stderr, agent };
}

/** Traces the agent received, across every request. */
export function receivedTraces(run: FixtureRun): unknown[] {
  return run.agent.store.list().flatMap((r) => (r.decoded?.kind === "traces" ? r.decoded.traces : []));
}

/** Exposure events the agent received, across every request. */
export function receivedExposures(run: FixtureRun): unknown[] {
  return run.agent.store.list().flatMap((r) =>
    r.decoded?.kind === "exposures" ? (r.decoded.payload as { exposures: unknown[] }).exposures : []
  );
}

/**
 * The bounded-shutdown scenario every server adapter must pass: with a `/stream` response that never ends in flight,
 * SIGTERM still runs the final flush (each request's exposure arrives) and exits 143 within 4× the 2 s deadline
 * (stopping the server alone would wait for that response forever).
 */
export async function expectShutdownDespiteEndlessStream(runtime: "node" | "deno" | "bun", ids: number[]): Promise<void> {
  const run = await runFixture(runtime, ids, "SIGTERM", { streaming: true, deadlineMs: 2_000, killAfterMs: 8_000 });
  try {
    expect(run.responses).toEqual([...ids.map((id) => `ok ${id} true`), "streaming\n"]);
    expect(run.exitCode).toBe(143);
    expect(run.stdout).toContain('final {"ok":true');
    expect(receivedExposures(run).length).toBe(ids.length);
  } finally {
    await run.agent.close();
  }
}
