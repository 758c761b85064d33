/**
 * Runs the examples against a mock agent on real sockets, the way a user runs them, and reduces
 * what the agent received to a runtime-independent observation (no trace ids, no timestamps, no
 * service names), so runs on different runtimes can be compared with one deepEqual.
 *
 * - `runServerExample`: examples/server/main.ts or examples/hono/main.ts as a child process on
 *   Node, Bun (both from an esbuild bundle) or Deno (from source, deno.json maps `flagpost/*`);
 *   requests, then SIGTERM, and the shutdown hook's final flush.
 * - `runWorkerExample`: examples/cloudflare (worker.ts behind _inspect.ts) in workerd (miniflare).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { decodeSpanTags } from "../../mod.ts";
import { type RunningMockAgent, startMockAgent, sumEvaluations } from "../../mock-agent/mod.ts";
import { bundleForNode, bundleWorker } from "../../scripts/_worker-bundle.ts";
import { SHOP_FLAGS } from "../../examples/shop.ts";

const root = join(import.meta.dir, "../..");
const tmp = join(root, ".tmp", "examples");
const bin = (name: string) => join(root, "node_modules/.bin", name);

export type ServerRuntime = "node" | "deno" | "bun";

/** The simulated traffic: users with fixed attributes, some of them several times. */
export const TRAFFIC: string[] = Array.from({ length: 40 }, (_, i) => {
  const u = (i * 7) % 23; // 23 distinct users, repeats included
  const params = new URLSearchParams({
    user: `user-${u}`,
    country: ["FR", "DE", "US", "JP", "BR"][u % 5]!,
    plan: u % 3 === 0 ? "pro" : "free",
    email: u % 4 === 0 ? `user-${u}@example.com` : `user-${u}@mail.test`,
  });
  return `/?${params}`;
});

/** What the agent received, without anything that differs legitimately between runs. */
export interface Observation {
  /** `flag|variant|allocation|subject|serial_id`, sorted. */
  exposures: string[];
  /** `flag|variant|reason|allocation|error = count`, sorted. */
  metrics: string[];
  /** Per root span: `user|ffe_flags_enc|ffe_subjects_enc|ffe_runtime_defaults`, sorted. */
  roots: string[];
  /** Decoded serial ids of each root span (`user → ids`), to check the tags mean what they say. */
  serialIds: Record<string, number[]>;
  traces: number;
  spans: number;
  /** Sum of every `feature_flag.evaluations` point. */
  evaluations: number;
  /** Problems the mock agent found in exposure payloads. */
  problems: number;
}

export function observe(agent: RunningMockAgent): Observation {
  const records = agent.store.list();
  const exposures: string[] = [];
  let problems = 0;
  for (const r of records) {
    if (r.decoded?.kind !== "exposures") continue;
    problems += r.decoded.problems.filter((p) => !p.includes("serial_id")).length;
    const events = (r.decoded.payload as { exposures?: Array<Record<string, { key?: string; id?: string }> & { serial_id?: number }> })
      .exposures ?? [];
    for (const e of events) exposures.push([e.flag?.key, e.variant?.key, e.allocation?.key, e.subject?.id, e.serial_id].join("|"));
  }
  const sums = sumEvaluations(records.flatMap((r) => (r.decoded?.kind === "metrics" ? [r.decoded.request] : [])));
  const metrics = sums.map((row) => {
    const a = row.attributes;
    return `${a["feature_flag.key"]}|${a["feature_flag.result.variant"]}|${a["feature_flag.result.reason"]}|${
      a["feature_flag.result.allocation_key"] ?? ""
    }|${a["error.type"] ?? ""} = ${row.count}`;
  });
  const traces = records.flatMap((r) => (r.decoded?.kind === "traces" ? r.decoded.traces : []));
  const spans = traces.flat();
  const rootSpans = spans.filter((s) => s.parent_id === 0n);
  const serialIds: Record<string, number[]> = {};
  for (const s of rootSpans) serialIds[s.meta["shop.user"] ?? "?"] = decodeSpanTags(s.meta).serialIds;
  return {
    exposures: exposures.sort(),
    metrics: metrics.sort(),
    roots: rootSpans.map((s) =>
      [s.meta["shop.user"], s.meta["ffe_flags_enc"], s.meta["ffe_subjects_enc"], s.meta["ffe_runtime_defaults"]].join("|")
    ).sort(),
    serialIds,
    traces: traces.length,
    spans: spans.length,
    evaluations: sums.reduce((n, row) => n + row.count, 0),
    problems,
  };
}

function agentEnv(agent: RunningMockAgent, service: string): Record<string, string> {
  return {
    DD_SERVICE: service,
    DD_ENV: "e2e",
    DD_TRACE_AGENT_URL: agent.url,
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${agent.otlpUrl}/v1/metrics`,
    DD_METRICS_OTEL_ENABLED: "true",
    DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED: "true",
  };
}

/** One run of an example: what the host saw and what the agent received. */
export interface ExampleRun {
  statuses: number[];
  bodies: string[];
  observation: Observation;
  exitCode?: number | null;
  output: string;
}

/** Runs `examples/<example>/main.ts` on `runtime`, serves TRAFFIC, stops it with SIGTERM. */
export async function runServerExample(
  example: "server" | "hono",
  runtime: ServerRuntime,
  env: Record<string, string> = {},
): Promise<ExampleRun> {
  const agent = await startMockAgent({ port: 0, otlpPort: 0, maxRequests: 50_000 });
  try {
    const entry = join(root, "examples", example, "main.ts");
    let cmd: string[];
    if (runtime === "deno") {
      cmd = [bin("deno"), "run", "--allow-net", "--allow-env", "--allow-read", "--allow-sys", entry];
    } else {
      mkdirSync(tmp, { recursive: true });
      const outfile = join(tmp, `${example}-${runtime}.mjs`);
      await bundleForNode(entry, outfile);
      cmd = runtime === "node" ? ["node", outfile] : [bin("bun"), outfile];
    }
    const proc = Bun.spawn(cmd, {
      cwd: root,
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, ...agentEnv(agent, `e2e-${example}-${runtime}`), PORT: "0", ...env },
    });
    const killer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    const reader = proc.stdout.getReader();
    const decoder = new TextDecoder();
    let output = "";
    let url: string | undefined;
    while (url === undefined) {
      const { value, done } = await reader.read();
      if (done) break;
      output += decoder.decode(value, { stream: true });
      url = /listening on (\S+)/.exec(output)?.[1];
    }
    const statuses: number[] = [];
    const bodies: string[] = [];
    if (url !== undefined) {
      for (const path of TRAFFIC) {
        const res = await fetch(`${url}${path}`);
        statuses.push(res.status);
        bodies.push(await res.text());
      }
    }
    proc.kill("SIGTERM");
    const drain = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        output += decoder.decode(value, { stream: true });
      }
    })();
    const [exitCode, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text(), drain]);
    clearTimeout(killer);
    return { statuses, bodies, exitCode, output: output + stderr, observation: observe(agent) };
  } finally {
    await agent.close();
  }
}

/** Runs the example worker in workerd (miniflare), serves TRAFFIC, waits for its waitUntil deliveries. */
export async function runWorkerExample(): Promise<ExampleRun & { stats: Record<string, Record<string, number>> }> {
  const agent = await startMockAgent({ port: 0, otlpPort: 0, maxRequests: 50_000 });
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(join(root, "examples/cloudflare/_inspect.ts")),
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    bindings: agentEnv(agent, "e2e-worker-workerd"),
  });
  try {
    const statuses: number[] = [];
    const bodies: string[] = [];
    for (const path of TRAFFIC) {
      const res = await mf.dispatchFetch(`http://shop.example${path}`);
      statuses.push(res.status);
      bodies.push(await res.text());
    }
    const end = performance.now() + 20_000;
    const complete = () => {
      const o = observe(agent);
      return o.traces >= TRAFFIC.length && o.evaluations >= TRAFFIC.length * SHOP_FLAGS.length;
    };
    while (!complete() && performance.now() < end) await new Promise((r) => setTimeout(r, 25));
    const stats = await (await mf.dispatchFetch("http://shop.example/__flagpost/stats")).json() as Record<string, Record<string, number>>;
    return { statuses, bodies, output: "", observation: observe(agent), stats };
  } finally {
    await mf.dispose();
    await agent.close();
  }
}
