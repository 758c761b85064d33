/**
 * Regex matching time, flagpost (`compileRegex`: native RegExp when provably
 * safe, the linear-time Pike VM otherwise) next to the native `RegExp` that
 * peers use as given (`new RegExp(pattern)`, what `@datadog/flagging-core`
 * does), per pattern and attribute length, on inputs built to trigger
 * backtracking. A native run cannot be interrupted in its own thread, so each
 * native measurement runs in a worker that is terminated after `--cap` ms and
 * shown as "> cap". flagpost's column should grow linearly with the length.
 *
 * usage: bun bench/regex.ts [--cap 1000]
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { compileRegex } from "../src/ufc/regex.ts";

interface Case {
  pattern: string;
  /** A worst-case attribute of length `n` for this pattern. */
  input: (n: number) => string;
}

const CASES: Case[] = [
  { pattern: "^(a+)+$", input: (n) => "a".repeat(n - 1) + "!" },
  { pattern: "(a|aa)+$", input: (n) => "a".repeat(n - 1) + "!" },
  { pattern: "(.*a){20}", input: (n) => "a".repeat(19) + "b".repeat(n - 19) },
  { pattern: "^(\\w+\\s?)*$", input: (n) => "a".repeat(n - 1) + "!" },
  { pattern: "\\s+$", input: (n) => " ".repeat(n - 1) + "x" },
  { pattern: ".*@test\\.com", input: (n) => "a".repeat(n) },
  { pattern: "^.*a.*b$", input: (n) => "a".repeat(n) },
  {
    pattern: "^[\\w.+-]+@example\\.com$",
    input: (n) => "a".repeat(n - 1) + "!",
  },
];
const LENGTHS = [30, 1_000, 10_000, 100_000];

/** Mean time of one `test` call: repeated until 50 ms or 1000 calls have run. */
function time(test: (s: string) => boolean, text: string): number {
  let calls = 0;
  let sink = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    if (test(text)) sink++;
    calls++;
    elapsed = performance.now() - started;
  } while (elapsed < 50 && calls < 1000);
  return sink < 0 ? -1 : elapsed / calls;
}

if (!isMainThread) {
  const { pattern, text } = workerData as { pattern: string; text: string };
  const re = new RegExp(pattern);
  parentPort!.postMessage(time((s) => re.test(s), text));
} else {
  const args = process.argv.slice(2);
  const capIndex = args.indexOf("--cap");
  const cap = capIndex === -1 ? 1000 : Number(args[capIndex + 1]);

  const native = (pattern: string, text: string): Promise<number | undefined> =>
    new Promise((resolve) => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { pattern, text },
      });
      const timer = setTimeout(() => {
        void worker.terminate();
        resolve(undefined);
      }, cap);
      worker.once("message", (ms: number) => {
        clearTimeout(timer);
        void worker.terminate();
        resolve(ms);
      });
    });

  const fmt = (ms: number | undefined) =>
    ms === undefined ? `> ${cap} ms` : ms < 0.01 ? `${(ms * 1000).toFixed(2)} µs` : ms < 10 ? `${ms.toFixed(3)} ms` : `${ms.toFixed(0)} ms`;
  const runtime = typeof Bun !== "undefined" ? `bun ${Bun.version}` : `node ${process.versions.node}`;
  console.log(
    `regex matching, one test() call (${runtime}; native capped at ${cap} ms)`,
  );
  console.log(
    `${"pattern".padEnd(28)}${"engine".padEnd(8)}${"length".padStart(8)}${"flagpost".padStart(12)}${"native".padStart(14)}`,
  );
  for (const c of CASES) {
    const matcher = compileRegex(c.pattern);
    const engine = matcher instanceof RegExp ? "native" : "vm";
    for (const n of LENGTHS) {
      const text = c.input(n);
      const ours = time((s) => matcher.test(s), text);
      const theirs = await native(c.pattern, text);
      console.log(
        `${c.pattern.padEnd(28)}${engine.padEnd(8)}${String(n).padStart(8)}${fmt(ours).padStart(12)}${fmt(theirs).padStart(14)}`,
      );
    }
  }
}
