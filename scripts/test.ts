/**
 * `npm test`: the one test command. Runs every step below in order — each is an npm script
 * that also runs on its own (`npm run lint`, `npm run test:examples`, …) — streams their output,
 * and ends with one line `N passed, N failed` summed across all steps. Exits non-zero on any failure.
 *
 *   typecheck:repo   tsc over the whole repository
 *   typecheck:core   src/ against Web APIs only (no Node, Bun or Deno types)
 *   lint             deno lint (rules in deno.json)
 *   fmt:check        deno fmt --check (lineWidth 140; `npm run fmt` fixes it)
 *   test:unit        bun test tests/
 *   test:examples    every @example and README/docs code block type-checks and runs (scripts/examples.ts)
 *   test:deno        the package imported by Deno without node_modules; deno publish --dry-run (scripts/deno-import.ts)
 *   build            dist/ (scripts/build.ts)
 *   test:package     npm pack → a fresh consumer project: lean install, types, the mock agent bin (scripts/package-check.ts)
 *   test:runtimes    the runtime matrix: Node (dist/), Deno, Bun, workerd (tests/runtimes/harness.ts)
 *
 * usage: bun scripts/test.ts [step…]   (default: every step)
 *
 * @module
 */
export {};

interface StepResult {
  passed: number;
  failed: number;
}

interface Step {
  /** The npm script that runs the step. */
  script: string;
  /** Counts from the step's output (default: one check, passed when the exit code is 0). */
  count?: (out: string) => StepResult | undefined;
  /** Shows only the lines this keeps (the full output can be a long diff); default: everything, streamed. */
  show?: (out: string) => string;
}

const decoder = new TextDecoder();

/** `<anything>: N passed, N failed` on a line of its own (the examples, deno and package checks, the matrix). */
function summaryLine(out: string): StepResult | undefined {
  const m = [...out.matchAll(/^[\w -]+: (\d+) passed, (\d+) failed$/gm)].at(-1);
  return m === undefined ? undefined : { passed: Number(m[1]), failed: Number(m[2]) };
}

function bunCounts(out: string): StepResult | undefined {
  const pass = [...out.matchAll(/^\s*(\d+) pass$/gm)].at(-1);
  const fail = [...out.matchAll(/^\s*(\d+) fail$/gm)].at(-1);
  return pass === undefined ? undefined : { passed: Number(pass[1]), failed: Number(fail?.[1] ?? 0) };
}

/** deno lint: a file without finding passes; each finding fails. */
function lintCounts(out: string): StepResult | undefined {
  const checked = /Checked (\d+) files?/.exec(out);
  if (checked === null) return undefined;
  const problems = Number(/Found (\d+) problems?/.exec(out)?.[1] ?? 0);
  const files = new Set([...out.matchAll(/^\s*(?:-->|at)\s+(\S+?):\d+:\d+/gm)].map((m) => m[1])).size;
  return { passed: Number(checked[1]) - files, failed: problems };
}

/** deno fmt --check: one check per file. */
function fmtCounts(out: string): StepResult | undefined {
  const found = /Found (\d+) not formatted files? in (\d+) files?/.exec(out);
  if (found !== null) return { passed: Number(found[2]) - Number(found[1]), failed: Number(found[1]) };
  const checked = /Checked (\d+) files?/.exec(out);
  return checked === null ? undefined : { passed: Number(checked[1]), failed: 0 };
}

/** deno fmt --check prints a diff of every file; the list of files says enough. */
function fmtShow(out: string): string {
  const files = [...out.matchAll(/^from (\S+):$/gm)].map((m) => `  not formatted: ${m[1]}`);
  const tail = out.split("\n").filter((l) => /^(Checked|error|Found)/.test(l.trim()));
  return [...files, ...tail, ...(files.length > 0 ? ["  fix with: npm run fmt (or deno fmt <files>)"] : [])].join("\n");
}

const STEPS: Step[] = [
  { script: "typecheck:repo" },
  { script: "typecheck:core" },
  { script: "lint", count: lintCounts },
  { script: "fmt:check", count: fmtCounts, show: fmtShow },
  { script: "test:unit", count: bunCounts },
  { script: "test:examples", count: summaryLine },
  { script: "test:deno", count: summaryLine },
  { script: "build" },
  { script: "test:package", count: summaryLine },
  { script: "test:runtimes", count: summaryLine },
];

async function run(step: Step): Promise<StepResult> {
  console.log(`\n=== npm run ${step.script}`);
  const started = performance.now();
  const proc = Bun.spawn(["npm", "run", "--silent", step.script], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1" },
  });
  let out = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: { write(text: string): unknown }) => {
    const reader = stream.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      const text = decoder.decode(r.value, { stream: true });
      out += text;
      if (step.show === undefined) sink.write(text);
    }
  };
  await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr)]);
  const code = await proc.exited;
  if (step.show !== undefined) console.log(step.show(out));
  const result = step.count?.(out) ?? { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 };
  // A step that failed but reported no failing case still counts as one failure.
  if (code !== 0 && result.failed === 0) result.failed = 1;
  console.log(`--- ${step.script}: ${(performance.now() - started) / 1000 | 0} s`);
  return result;
}

const only = process.argv.slice(2);
const unknown = only.filter((s) => !STEPS.some((step) => step.script === s));
if (unknown.length > 0) {
  console.error(`unknown step(s): ${unknown.join(", ")}; steps: ${STEPS.map((s) => s.script).join(", ")}`);
  process.exit(2);
}
let passed = 0;
let failed = 0;
const lines: string[] = [];
for (const step of STEPS.filter((s) => only.length === 0 || only.includes(s.script))) {
  const r = await run(step);
  passed += r.passed;
  failed += r.failed;
  lines.push(`${r.failed === 0 ? "ok  " : "FAIL"} ${step.script}: ${r.passed} passed, ${r.failed} failed`);
}
console.log("\n=== summary");
for (const l of lines) console.log(l);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
