/**
 * `npm run demo`: the example Cloudflare worker (examples/cloudflare) in
 * workerd through miniflare, serving a few hundred requests from simulated
 * users, delivering its telemetry through `ctx.waitUntil` to the mock agent
 * — then a readable summary of what the agent received (exposures, metric
 * sums, traces with their decoded ffe_* tags) and flagpost's own stats().
 * Exits non-zero when anything was dropped or did not arrive.
 *
 * usage: npm run demo [-- --requests 300] [-- --keep]
 *   --requests N   how many requests (default 300)
 *   --keep         keep the mock agent (and its page) running until Ctrl-C
 */
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { decodeSpanTags } from "../mod.ts";
import { type RunningMockAgent, startMockAgent, sumEvaluations } from "../mock-agent/mod.ts";
import { seededRandom } from "../bench/_records.ts";
import { bundleWorker } from "./_worker-bundle.ts";

const args = process.argv.slice(2);
const keep = args.includes("--keep");
const requestsArg = args.find((_a, i) => args[i - 1] === "--requests");
const TOTAL = requestsArg === undefined ? 300 : Number(requestsArg);
if (!Number.isSafeInteger(TOTAL) || TOTAL < 1 || TOTAL > 100_000) {
  console.error(`--requests must be an integer from 1 to 100000, got ${requestsArg}`);
  process.exit(2);
}
const CONCURRENCY = 16;
const USERS = 60;
const FLAGS_PER_REQUEST = 7; // examples/shop.ts evaluates seven flags per request
const tty = process.stdout.isTTY === true;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const green = (s: string) => (tty ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s: string) => (tty ? `\x1b[31m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);

const COUNTRIES = ["FR", "DE", "US", "JP", "BR"];
function userQuery(i: number): string {
  const params = new URLSearchParams({
    user: `user-${i}`,
    country: COUNTRIES[i % COUNTRIES.length]!,
    plan: i % 3 === 0 ? "pro" : "free",
    email: i % 10 === 0 ? `user-${i}@example.com` : `user-${i}@mail.test`,
  });
  return `/?${params}`;
}

function table(rows: string[][], header: string[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    "  " + r.map((v, c) => (c === r.length - 1 && /^\d+$/.test(v) ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join("  ");
  return [dim(line(header)), ...rows.map(line)].join("\n");
}

interface Received {
  exposureBatches: number;
  exposures: number;
  metricRequests: number;
  evaluations: number;
  traces: number;
}

function received(agent: RunningMockAgent): Received {
  const out: Received = { exposureBatches: 0, exposures: 0, metricRequests: 0, evaluations: 0, traces: 0 };
  const metrics = [];
  for (const r of agent.store.list()) {
    if (r.decoded?.kind === "exposures") {
      out.exposureBatches++;
      out.exposures += ((r.decoded.payload as { exposures?: unknown[] })?.exposures ?? []).length;
    } else if (r.decoded?.kind === "metrics") {
      out.metricRequests++;
      metrics.push(r.decoded.request);
    } else if (r.decoded?.kind === "traces") {
      out.traces += r.decoded.traces.length;
    }
  }
  out.evaluations = sumEvaluations(metrics).reduce((n, row) => n + row.count, 0);
  return out;
}

type Stats = Record<string, Record<string, number>>;
const sum = (byReason: Record<string, number> | undefined) => Object.values(byReason ?? {}).reduce((a, b) => a + b, 0);

/** Flag-evaluation row evaluations the worker recorded but neither sent nor dropped (yet). */
function unsentRows(stats: Stats): number {
  return sum(stats["flagevaluations.recorded"]) - sum(stats["flagevaluations.sent"]) - sum(stats["flagevaluations.dropped"]);
}

/** Every waitUntil flush has finished: nothing recorded is still waiting to be sent. */
function settled(stats: Stats): boolean {
  return unsentRows(stats) <= 0;
}

const started = performance.now();
const agent = await startMockAgent({ port: 0, otlpPort: 0, maxRequests: 100_000 });
console.log(
  bold("flagpost demo") + ` — the example worker (examples/cloudflare/worker.ts) in workerd, ${TOTAL} requests from ${USERS} users`,
);
console.log(`mock agent: ${agent.url} (traces, EVP) and ${agent.otlpUrl} (OTLP metrics); its page: ${bold(`${agent.url}/`)}`);

const script = await bundleWorker(join(import.meta.dirname, "../examples/cloudflare/_inspect.ts"));
const mf = new Miniflare({
  modules: true,
  script,
  compatibilityDate: "2026-04-01",
  compatibilityFlags: ["nodejs_compat"],
  bindings: {
    DD_SERVICE: "flagpost-demo-worker",
    DD_ENV: "demo",
    DD_VERSION: "1.0.0",
    DD_TRACE_AGENT_URL: agent.url,
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${agent.otlpUrl}/v1/metrics`,
    DD_METRICS_OTEL_ENABLED: "true",
    DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED: "true",
  },
});

const workerStats = async (): Promise<Stats> => await (await mf.dispatchFetch("http://shop.example/__flagpost/stats")).json() as Stats;

let exitCode = 0;
try {
  const random = seededRandom(14); // the same users every run
  const statuses = new Map<number, number>();
  let done = 0;
  let next = 0;
  const progress = (final = false) => {
    const r = received(agent);
    const text = `  requests ${done}/${TOTAL} · agent received ${r.exposures} exposures in ${r.exposureBatches} batches, ` +
      `${r.evaluations} evaluations in ${r.metricRequests} OTLP requests, ${r.traces} traces`;
    if (tty) process.stdout.write(`\r\x1b[2K${text}${final ? "\n" : ""}`);
    else if (final || done >= printedAt + 100) {
      printedAt = done - (done % 100);
      console.log(text);
    }
  };
  let printedAt = 0;
  const ticker = setInterval(() => progress(), 100);
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < TOTAL) {
      next++;
      const user = Math.floor(random() * USERS);
      const res = await mf.dispatchFetch(`http://shop.example${userQuery(user)}`);
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      done++;
    }
  }));
  const servedMs = performance.now() - started;
  // The flushes run in waitUntil after each response: wait for the last ones to land (bounded).
  const expectEvaluations = TOTAL * FLAGS_PER_REQUEST;
  const waitUntil = performance.now() + 20_000;
  while (performance.now() < waitUntil) {
    const r = received(agent);
    if (r.traces >= TOTAL && r.evaluations >= expectEvaluations && settled(await workerStats())) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  clearInterval(ticker);
  progress(true);
  const last = received(agent);

  // ---- what the agent received ------------------------------------------------------------------
  console.log(
    `\n${bold("Requests")}: ${[...statuses].map(([s, n]) => `${n} × HTTP ${s}`).join(", ")} in ${(servedMs / 1000).toFixed(1)} s`,
  );

  const exposureRows = new Map<string, number>();
  const problems: string[] = [];
  for (const r of agent.store.list()) {
    if (r.decoded?.kind !== "exposures") continue;
    problems.push(...r.decoded.problems);
    for (const e of (r.decoded.payload as { exposures?: Array<{ flag?: { key?: string }; variant?: { key?: string } }> }).exposures ?? []) {
      const key = `${e.flag?.key}\u0000${e.variant?.key}`;
      exposureRows.set(key, (exposureRows.get(key) ?? 0) + 1);
    }
  }
  console.log(`\n${bold("Exposures")} (deduplicated per subject by the worker): ${last.exposures} in ${last.exposureBatches} requests`);
  console.log(table([...exposureRows].sort().map(([k, n]) => [...k.split("\u0000"), String(n)]), ["flag", "variant", "exposures"]));
  if (problems.length > 0) console.log(`  ${red(`${problems.length} schema problems reported by the mock agent`)}, e.g. ${problems[0]}`);

  const metricRequests = agent.store.list().flatMap((r) => (r.decoded?.kind === "metrics" ? [r.decoded.request] : []));
  const sums = sumEvaluations(metricRequests);
  console.log(`\n${bold("feature_flag.evaluations")} (OTLP sums): ${last.evaluations} evaluations in ${last.metricRequests} requests`);
  console.log(table(
    sums
      .map((row) => [
        String(row.attributes["feature_flag.key"]),
        String(row.attributes["feature_flag.result.variant"] ?? ""),
        String(row.attributes["feature_flag.result.reason"] ?? ""),
        String(row.attributes["feature_flag.result.allocation_key"] ?? row.attributes["error.type"] ?? ""),
        String(row.count),
      ])
      .sort((a, b) => (a[0]! + a[1]! + a[2]!).localeCompare(b[0]! + b[1]! + b[2]!)),
    ["flag", "variant", "reason", "allocation / error", "count"],
  ));

  const rowRequests = agent.store.list().filter((r) => r.decoded?.kind === "flagevaluation");
  if (rowRequests.length > 0) {
    const byFlag = new Map<string, [number, number]>();
    for (const r of rowRequests) {
      const payload = (r.decoded as { payload: unknown }).payload as {
        flagEvaluations?: Array<{ flag?: { key?: string }; evaluation_count?: number }>;
      };
      for (const row of payload.flagEvaluations ?? []) {
        const entry = byFlag.get(row.flag?.key ?? "?") ?? [0, 0];
        entry[0]++;
        entry[1] += row.evaluation_count ?? 0;
        byFlag.set(row.flag?.key ?? "?", entry);
      }
    }
    console.log(`\n${bold("Flag-evaluation rows")} (EVP flagevaluation, per subject): ${rowRequests.length} requests`);
    console.log(table([...byFlag].sort().map(([flag, [rows, n]]) => [flag, String(rows), String(n)]), ["flag", "rows", "evaluations"]));
  }

  const spans = agent.store.list().flatMap((r) => (r.decoded?.kind === "traces" ? r.decoded.traces.flat() : []));
  const roots = spans.filter((s) => s.parent_id === 0n);
  const tagged = roots.filter((s) => s.meta["ffe_flags_enc"] !== undefined);
  console.log(
    `\n${bold("Traces")}: ${last.traces} traces, ${spans.length} spans; ${tagged.length} root spans carry ffe_* tags. A few, decoded:`,
  );
  for (const root of tagged.slice(0, 4)) {
    const decoded = decodeSpanTags(root.meta);
    const subjects = Object.entries(decoded.subjects).map(([hash, ids]) => `${hash.slice(0, 8)}…→[${ids.join(",")}]`).join(" ");
    console.log(
      `  ${root.resource} ${dim(`trace ${root.trace_id.toString(16).padStart(16, "0")}`)} plan=${root.meta["shop.user_plan"]}\n` +
        `    ffe_flags_enc=${root.meta["ffe_flags_enc"]} → serial ids [${decoded.serialIds.join(", ")}]\n` +
        `    ffe_subjects_enc → ${subjects || "(none)"}\n` +
        `    ffe_runtime_defaults → ${JSON.stringify(decoded.runtimeDefaults)}`,
    );
  }

  // ---- flagpost's own view --------------------------------------------------------------------
  const stats = await workerStats();
  console.log(`\n${bold("flagpost stats()")} (inside the worker's isolate):`);
  console.log(table(
    Object.entries(stats).flatMap(([name, byReason]) => Object.entries(byReason).map(([reason, n]) => [name, reason, String(n)])),
    ["counter", "reason", "count"],
  ));

  const dropped = Object.entries(stats).flatMap(([name, byReason]) =>
    /dropped|timed_out|errors/.test(name) ? Object.entries(byReason).filter(([, n]) => n > 0).map(([r, n]) => `${name}{${r}}=${n}`) : []
  );
  const missing: string[] = [];
  if (last.traces < TOTAL) missing.push(`${TOTAL - last.traces} traces`);
  if (last.evaluations < expectEvaluations) missing.push(`${expectEvaluations - last.evaluations} metric evaluations`);
  const rows = unsentRows(stats);
  if (rows > 0) missing.push(`${rows} flag-evaluation row evaluations`);
  if ((statuses.get(200) ?? 0) !== TOTAL) missing.push(`${TOTAL - (statuses.get(200) ?? 0)} requests not answered 200`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (dropped.length === 0 && missing.length === 0) {
    console.log(
      `\n${
        green("✓ nothing dropped")
      }: every exposure, evaluation count, flag-evaluation row and trace reached the agent (${seconds} s in total)`,
    );
  } else {
    exitCode = 1;
    console.log(`\n${red("✗ telemetry lost")}: ${[...dropped, ...missing.map((m) => `missing ${m}`)].join(", ")} (${seconds} s in total)`);
  }
} catch (error) {
  exitCode = 1;
  console.error(red(`demo failed: ${error instanceof Error ? error.stack : String(error)}`));
} finally {
  await mf.dispose();
}

if (keep) {
  console.log(`\nThe mock agent keeps running: ${bold(`${agent.url}/`)} — press Ctrl-C to stop.`);
  const stop = async () => {
    await agent.close();
    process.exit(exitCode);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} else {
  await agent.close();
  process.exit(exitCode);
}
