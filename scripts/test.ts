/**
 * `npm test`: the one test command. Runs, in order,
 *   1. the type checks (whole repo, and src/ against Web APIs only),
 *   2. the unit tests (`bun test tests/`),
 *   3. the build of dist/,
 *   4. the runtime matrix (tests/runtimes/harness.ts: Node, Deno, Bun, workerd),
 * streams their output, and ends with one line `N passed, N failed` summed
 * across all suites. Exits non-zero on any failure.
 */
const decoder = new TextDecoder();

interface StepResult {
  passed: number;
  failed: number;
}

async function run(cmd: string[], parse: (out: string, code: number) => StepResult): Promise<StepResult> {
  console.log(`\n=== ${cmd.join(" ")}`);
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", env: process.env });
  let out = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: NodeJS.WriteStream) => {
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      out += text;
      sink.write(text);
    }
  };
  await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr)]);
  const code = await proc.exited;
  const result = parse(out, code);
  // A step that failed but reported no failing case still counts as one failure.
  if (code !== 0 && result.failed === 0) result.failed = 1;
  return result;
}

const whole = (_out: string, code: number): StepResult => (code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });

function bunCounts(out: string, code: number): StepResult {
  const pass = [...out.matchAll(/^\s*(\d+) pass$/gm)].at(-1);
  const fail = [...out.matchAll(/^\s*(\d+) fail$/gm)].at(-1);
  if (pass === undefined) return whole(out, code);
  return { passed: Number(pass[1]), failed: Number(fail?.[1] ?? 0) };
}

function harnessCounts(out: string, code: number): StepResult {
  const m = [...out.matchAll(/^runtimes: (\d+) passed, (\d+) failed$/gm)].at(-1);
  if (m === undefined) return whole(out, code);
  return { passed: Number(m[1]), failed: Number(m[2]) };
}

const steps: Array<[string, string[], (out: string, code: number) => StepResult]> = [
  ["typecheck", ["tsc", "-p", "tsconfig.json"], whole],
  ["typecheck (core, Web APIs only)", ["tsc", "-p", "tsconfig.core.json"], whole],
  ["unit tests", ["bun", "test", "tests/"], bunCounts],
  ["build dist/", ["npm", "run", "--silent", "build"], whole],
  ["runtime matrix", ["bun", "tests/runtimes/harness.ts"], harnessCounts],
];

let passed = 0;
let failed = 0;
const lines: string[] = [];
for (const [name, cmd, parse] of steps) {
  const r = await run(cmd, parse);
  passed += r.passed;
  failed += r.failed;
  lines.push(`${r.failed === 0 ? "ok  " : "FAIL"} ${name}: ${r.passed} passed, ${r.failed} failed`);
}
console.log("\n=== summary");
for (const l of lines) console.log(l);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
