/**
 * `npm run test:deno`: proves the Deno (and JSR) import path. Copies what deno.json publishes
 * into a fresh temporary directory — no package.json, no node_modules — and there, with the
 * npm-installed Deno and `--node-modules-dir=none` (npm packages come from Deno's own cache,
 * fetched from the npm registry through deno.json's `npm:` imports):
 *  1. `deno check` of every entry (scripts/entries.ts);
 *  2. runs a program importing every entry by name ("flagpost", "flagpost/ufc", …) that evaluates
 *     a flag through the OpenFeature provider, resolves a configuration and asks the mock agent
 *     (in-process and on a socket) for /info;
 *  3. `deno publish --dry-run`, which must report no warning or error.
 *
 * usage: bun scripts/deno-import.ts   Ends with `deno: N passed, N failed`.
 *
 * @module
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { type CommandResult, runCommand } from "./_command.ts";
import { ENTRIES } from "./entries.ts";

const root = resolve(import.meta.dirname, "..");
const deno = join(root, "node_modules", ".bin", "deno");
const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
// A fixed place outside the repository (no package.json above it), so Deno's type-check cache is reused.
const dir = join(tmpdir(), "flagpost-deno-import");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
for (const path of config.publish.include as string[]) cpSync(join(root, path), join(dir, path), { recursive: true });
// The repository's "nodeModulesDir": "manual" serves its own tests; a Deno user has no node_modules.
delete config.nodeModulesDir;
writeFileSync(join(dir, "deno.json"), JSON.stringify(config, null, 2));
cpSync(join(root, "examples", "flags.json"), join(dir, "flags.json"));

const program = `// Imports every entry by name, as a Deno user of the package would.
import { FlagpostError, resolveConfig, StatsRegistry } from "flagpost";
import { evaluateFlag, parseConfiguration } from "flagpost/ufc";
import { FlagpostProvider } from "flagpost/openfeature";
import { createMockAgent, startMockAgent } from "flagpost/mock-agent";

const flags = await Deno.readTextFile(new URL("./flags.json", import.meta.url));
const config = parseConfiguration(flags);
const direct = evaluateFlag(config, "new-checkout", "boolean", false, { targetingKey: "user-1", email: "a@example.com" });
const provider = new FlagpostProvider({ configuration: flags });
const viaProvider = await provider.resolveBooleanEvaluation("new-checkout", false, { targetingKey: "user-1", email: "a@example.com" });
let rejected = "";
try {
  resolveConfig({ DD_TRACE_AGENT_PORT: "99999" });
} catch (e) {
  rejected = e instanceof FlagpostError ? e.code : String(e);
}
const inProcess = await createMockAgent().app.fetch(new Request("http://agent/info"));
await inProcess.body?.cancel();
const running = await startMockAgent({ port: 0, otlpPort: 0 });
const onSocket = await fetch(\`\${running.url}/info\`);
await onSocket.body?.cancel();
await running.close();
console.log(JSON.stringify({
  direct: [direct.value, direct.reason],
  provider: [viaProvider.value, viaProvider.variant],
  rejected,
  stats: typeof new StatsRegistry().snapshot,
  agent: [inProcess.status, onSocket.status],
}));
`;
writeFileSync(join(dir, "consumer.ts"), program);

/** Runs a command in the copy; `--verbose` prints how long each took. */
async function run(cmd: string[]): Promise<CommandResult> {
  const started = performance.now();
  const result = await runCommand(cmd, dir);
  if (process.argv.includes("--verbose")) console.log(`  ${cmd.slice(1, 3).join(" ")}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

let passed = 0;
let failed = 0;
function report(name: string, ok: boolean, detail: string): void {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
  if (!ok) console.log(detail.replace(/^/gm, "    ").slice(-6000));
}

try {
  const noNodeModules = "--node-modules-dir=none";
  // One type-check of every entry and the consumer program (one graph: much faster than one run each);
  // each error is attributed to the entry whose file it names, else to the whole check.
  const check = await run([deno, "check", noNodeModules, "--quiet", ...ENTRIES.map((e) => e.source), "consumer.ts"]);
  const errors = check.out.split(/\n(?=TS\d+ \[ERROR\]|error:)/);
  const named = (source: string) => errors.filter((e) => e.includes(`/${dirname(source) === "." ? "" : dirname(source) + "/"}`));
  for (const entry of ENTRIES) {
    const mine = check.code === 0
      ? []
      : errors.filter((e) => e.includes(`${dir}/${entry.source}`) || (entry.source !== "mod.ts" && named(entry.source).includes(e)));
    report(`deno check ${entry.specifier} (${entry.source})`, mine.length === 0, mine.join("\n"));
  }
  report("deno check of a program importing every entry by name", check.code === 0, check.out);
  const ran = await run([
    deno,
    "run",
    noNodeModules,
    "--quiet",
    "--allow-read",
    "--allow-net=127.0.0.1",
    "--allow-env",
    "--allow-sys",
    "consumer.ts",
  ]);
  const expected = JSON.stringify({
    direct: [true, "TARGETING_MATCH"],
    provider: [true, "on"],
    rejected: "invalid_config",
    stats: "function",
    agent: [200, 200],
  });
  const last = ran.out.split("\n").at(-1) ?? "";
  report("that program runs on Deno without node_modules", ran.code === 0 && last === expected, `expected ${expected}\n${ran.out}`);
  // Type-checked above; publish still checks for slow types and the files it would upload.
  const publish = await run([deno, "publish", "--dry-run", "--allow-dirty", "--no-check", noNodeModules]);
  const problems = publish.out.split("\n").filter((l) => /^(warning|error)/i.test(l));
  report("deno publish --dry-run reports no problem", publish.code === 0 && problems.length === 0, publish.out);
} finally {
  // The copy stays for inspection; the next run starts by removing it.
}
console.log(`deno: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
