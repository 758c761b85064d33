/**
 * `npm run test:examples`: every example a user can copy must work as written. Collects
 *  - each `@example` code block in the JSDoc of mod.ts, src/ and mock-agent/,
 *  - each ts/js code block of README.md and docs/*.md,
 * writes each as a program under .tmp-examples/, type-checks them all with Deno (deno.json maps
 * "flagpost", "flagpost/ufc", … to the sources and the npm packages they use), then runs each one
 * with Deno (bounded by a timeout: an example that leaves a server running fails).
 *
 * A block whose first line is a comment containing "(fragment)" is skipped: the convention for a
 * piece of a program that cannot stand alone. A relative import in a block is resolved from the
 * file the block is in (README.md's `./examples/flags.json` is the repository's).
 *
 * usage: bun scripts/examples.ts [--verbose] [--keep] [path-substring…]   (--keep: leave the programs in .tmp-examples/)
 * Ends with `examples: N passed, N failed` (a skipped fragment counts as neither).
 *
 * @module
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { runCommand } from "./_command.ts";
import { absolutize, jsdocExamples, markdownExamples } from "./_examples.ts";
import { filesUnder } from "./_files.ts";

const root = resolve(import.meta.dirname, "..");
// One folder per run: two runs at once (npm test while `npm run test:examples`) must not share it.
const outDir = join(root, ".tmp-examples", `run-${process.pid}`);
const deno = join(root, "node_modules", ".bin", "deno");
const args = process.argv.slice(2);
const verbose = args.includes("--verbose");
const filters = args.filter((a) => !a.startsWith("--"));
const TIMEOUT_MS = 30_000;
const CONCURRENCY = 4;

// ---- collect ----------------------------------------------------------------------------------
const sources = [
  join(root, "mod.ts"),
  ...filesUnder(join(root, "src"), ".ts"),
  ...filesUnder(join(root, "mock-agent"), ".ts"),
];
const docs = [join(root, "README.md"), ...filesUnder(join(root, "docs"), ".md")];
let examples = [...sources.flatMap((f) => jsdocExamples(f, root)), ...docs.flatMap((f) => markdownExamples(f, root))];
if (filters.length > 0) examples = examples.filter((e) => filters.some((f) => e.origin.includes(f)));

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const checked = examples.filter((e) => !e.fragment);
const programs = checked.map((e, i) => {
  const path = join(outDir, `${String(i).padStart(3, "0")}_${e.origin.replace(/[^\w]+/g, "_")}.ts`);
  writeFileSync(path, `// example from ${e.origin}\n${absolutize(e.code, e.file, path)}\n`);
  return { ...e, path };
});
console.log(
  `examples: ${examples.length} found (${checked.length} programs, ${examples.length - checked.length} fragments) in ${
    sources.length + docs.length
  } files`,
);

// ---- type-check all at once, then attribute errors to their example ---------------------------
const failures = new Map<string, string>();
if (programs.length > 0) {
  const check = await runCommand([deno, "check", "--quiet", ...programs.map((p) => p.path)], root, 300_000);
  if (check.code !== 0) {
    let attributed = false;
    for (const p of programs) {
      const name = relative(root, p.path);
      const mine = check.out.split(/\n(?=\S*(?:error|TS\d+))/).filter((chunk) => chunk.includes(name));
      if (mine.length > 0) {
        failures.set(p.origin, `type check:\n${mine.join("\n").trim()}`);
        attributed = true;
      }
    }
    if (!attributed) {
      console.log(check.out.trim());
      console.log("examples: 0 passed, 1 failed");
      process.exit(1);
    }
  }
}

// ---- run each one that type-checked -----------------------------------------------------------
const queue = programs.filter((p) => !failures.has(p.origin));
async function worker(): Promise<void> {
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    const r = await runCommand(
      [deno, "run", "--quiet", "--no-check", "--allow-net", "--allow-read", "--allow-env", "--allow-sys", p.path],
      root,
      TIMEOUT_MS,
    );
    if (r.timedOut) {
      failures.set(p.origin, `did not finish within ${TIMEOUT_MS / 1000} s (a server or timer left running?)\n${r.out.trim()}`);
    } else if (r.code !== 0) failures.set(p.origin, `exited with ${r.code}:\n${r.out.trim()}`);
    else if (verbose) console.log(`  ${p.origin} output:\n${r.out.trim().replace(/^/gm, "    ")}`);
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));

for (const e of examples) {
  if (e.fragment) {
    if (verbose) console.log(`skip ${e.origin} (fragment)`);
    continue;
  }
  const failure = failures.get(e.origin);
  console.log(`${failure === undefined ? "ok  " : "FAIL"} ${e.origin}`);
  if (failure !== undefined) console.log(failure.replace(/^/gm, "    ").slice(0, 4000));
}
const failed = checked.filter((e) => failures.has(e.origin)).length;
if (!args.includes("--keep")) rmSync(outDir, { recursive: true, force: true });
console.log(`examples: ${checked.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
