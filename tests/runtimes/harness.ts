/**
 * The runtime matrix: runs the same scenario (tests/runtimes/parts/*) on
 * Node (against dist/), Deno, Bun and workerd (through miniflare), each
 * against a loopback HTTP server started here, and compares every runtime's
 * observations with the parts' expectations.
 *
 * usage: bun tests/runtimes/harness.ts [--runtime node,deno,bun,workerd] [--verbose]
 * Prints one line per runtime and part, details of every mismatch, and ends
 * with `runtimes: N passed, N failed` (one check per expected key per runtime).
 */
import { deepStrictEqual } from "node:assert";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { Miniflare } from "miniflare";
import { parts } from "./parts/index.ts";
import { RESULTS_MARKER } from "./scenario.ts";
import type { Runtime, ScenarioInputs } from "./types.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const data = resolve(root, "tests/data");
const tmp = join(root, ".tmp", "runtimes");
mkdirSync(tmp, { recursive: true });
const bin = (name: string) => join(root, "node_modules", ".bin", name);

const args = process.argv.slice(2);
const verbose = args.includes("--verbose");
const only = args.find((_a, i) => args[i - 1] === "--runtime")?.split(",") as Runtime[] | undefined;
const runtimes: Runtime[] = only ?? ["node", "deno", "bun", "workerd"];

// ---- inputs: everything a part needs from files -------------------------------------------
const casesDir = join(data, "fixtures/ffe-system-test-data/evaluation-cases");
const otlpMd = readFileSync(join(data, "vectors/otlp-metrics.md"), "utf8");
const inputsBase: Omit<ScenarioInputs, "loopbackUrl"> = {
  spanEnrichment: JSON.parse(readFileSync(join(data, "vectors/span-enrichment.json"), "utf8")),
  otlpVectorHex: /```\s*\n([0-9a-f\s]+)\n```/.exec(otlpMd)![1]!.replace(/\s+/g, ""),
  fixtures: {
    ufcConfig: JSON.parse(readFileSync(join(data, "fixtures/ffe-system-test-data/ufc-config.json"), "utf8")),
    cases: readdirSync(casesDir).filter((f) => f.endsWith(".json")).sort().map((file) => ({
      file,
      cases: JSON.parse(readFileSync(join(casesDir, file), "utf8")),
    })),
  },
};

// ---- the loopback server -------------------------------------------------------------------
// GET|POST /ok → 200 "ok"; POST /echo → the request as JSON; /status/<n> → that status with a
// 600-byte body; /flaky/<id> → 503 + Retry-After: 0 on the first hit per id, then 200;
// /hang → never answers (until the client gives up).
const flakyHits = new Map<string, number>();
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 30,
  async fetch(req) {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path === "/ok") return new Response("ok");
    if (path === "/echo") {
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => (headers[k] = v));
      return Response.json({ method: req.method, headers, body: await req.text() });
    }
    let m = /^\/status\/(\d{3})$/.exec(path);
    if (m) return new Response(`error ${m[1]} ${"x".repeat(590)}`, { status: Number(m[1]) });
    m = /^\/flaky\/([\w-]+)$/.exec(path);
    if (m) {
      const hits = (flakyHits.get(m[1]!) ?? 0) + 1;
      flakyHits.set(m[1]!, hits);
      return hits === 1 ? new Response("busy", { status: 503, headers: { "Retry-After": "0" } }) : new Response("ok");
    }
    if (path === "/hang") return new Promise<Response>(() => {});
    return new Response("not found", { status: 404 });
  },
});
const inputs: ScenarioInputs = { ...inputsBase, loopbackUrl: `http://127.0.0.1:${server.port}` };
const inputsPath = join(tmp, "inputs.json");
writeFileSync(inputsPath, JSON.stringify(inputs));

// ---- running one runtime ---------------------------------------------------------------------
type Results = Record<string, Record<string, unknown>>;

/**
 * The mock agent loads @hono/node-server only on Node (a dynamic import never reached in a
 * worker), but miniflare rejects any import it cannot resolve: bundle it as an empty module.
 */
const nodeOnlyModules: esbuild.Plugin = {
  name: "node-only-modules",
  setup(build) {
    build.onResolve({ filter: /^@hono\/node-server$/ }, () => ({ path: "@hono/node-server", namespace: "empty" }));
    build.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "export {}", loader: "js" }));
  },
};

async function spawnResults(cmd: string[]): Promise<Results> {
  const proc = Bun.spawn(cmd, { cwd: root, stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill(), 120_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  const line = out.split("\n").find((l) => l.startsWith(RESULTS_MARKER));
  if (line === undefined) throw new Error(`exit ${code}, no results.\nstdout: ${out.slice(-2000)}\nstderr: ${err.slice(-2000)}`);
  if (verbose && err.trim() !== "") console.error(err);
  return JSON.parse(line.slice(RESULTS_MARKER.length));
}

async function runNode(): Promise<Results> {
  const outfile = join(tmp, "node-entry.mjs");
  await esbuild.build({
    entryPoints: [join(here, "entries/node.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    logLevel: "error",
  });
  return spawnResults(["node", outfile, join(root, "dist"), inputsPath]);
}

function runDeno(): Promise<Results> {
  return spawnResults([
    bin("deno"),
    "run",
    "--allow-net=127.0.0.1",
    "--allow-read",
    "--allow-env",
    "--allow-sys",
    join(here, "entries/deno.ts"),
    inputsPath,
  ]);
}

function runBun(): Promise<Results> {
  return spawnResults([bin("bun"), join(here, "entries/bun.ts"), inputsPath]);
}

async function runWorkerd(): Promise<Results> {
  const built = await esbuild.build({
    entryPoints: [join(here, "entries/workerd.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    external: ["node:*"],
    write: false,
    plugins: [nodeOnlyModules],
    logLevel: "error",
  });
  const script = built.outputFiles[0]!.text;
  writeFileSync(join(tmp, "worker.mjs"), script);
  const mf = new Miniflare({ modules: true, script, compatibilityDate: "2026-04-01", compatibilityFlags: ["nodejs_compat"] });
  try {
    const res = await mf.dispatchFetch("http://flagpost.test/", { method: "POST", body: JSON.stringify(inputs) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`worker answered ${res.status}: ${text.slice(0, 2000)}`);
    return JSON.parse(text);
  } finally {
    await mf.dispose();
  }
}

const runners: Record<Runtime, () => Promise<Results>> = { node: runNode, deno: runDeno, bun: runBun, workerd: runWorkerd };

// ---- compare ------------------------------------------------------------------------------------
function same(a: unknown, b: unknown): boolean {
  try {
    deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

let passed = 0;
let failed = 0;
for (const runtime of runtimes) {
  let results: Results;
  const started = performance.now();
  try {
    results = await runners[runtime]();
  } catch (error) {
    const total = parts.reduce((n, p) => n + Object.keys(p.expected(inputs, runtime)).length, 0);
    failed += total;
    console.log(`FAIL ${runtime}: the scenario did not run (${total} checks failed)\n  ${String(error).replaceAll("\n", "\n  ")}`);
    continue;
  }
  const ms = Math.round(performance.now() - started);
  for (const part of parts) {
    const expected = part.expected(inputs, runtime);
    const actual = results[part.name] ?? {};
    let ok = 0;
    const problems: string[] = [];
    for (const key of Object.keys(expected)) {
      if (same(actual[key], expected[key])) ok++;
      else problems.push(`  ${key}: expected ${JSON.stringify(expected[key])}, got ${JSON.stringify(actual[key])}`);
    }
    for (const key of Object.keys(actual)) {
      if (!(key in expected)) problems.push(`  ${key}: unexpected observation ${JSON.stringify(actual[key])}`);
    }
    passed += ok;
    failed += problems.length;
    console.log(
      `${problems.length === 0 ? "ok  " : "FAIL"} ${runtime.padEnd(7)} ${part.name}: ${ok}/${
        Object.keys(expected).length
      } checks (${ms} ms for the runtime)`,
    );
    for (const p of problems.slice(0, 40)) console.log(p);
    if (problems.length > 40) console.log(`  … ${problems.length - 40} more`);
  }
}
server.stop(true);
console.log(`runtimes: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
