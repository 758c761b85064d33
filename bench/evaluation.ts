/**
 * Flag evaluations per second over the canonical cases of ffe-system-test-data,
 * flagpost (`flagpost/ufc`) and `@datadog/flagging-core` side by side in one run:
 * same cases, same contexts, warm-up first, then interleaved rounds (the order
 * alternates each round). Prints both throughputs, the ratio, and per case
 * whether the two agree on value, variant and reason.
 *
 * usage: bun bench/evaluation.ts [--rounds 10] [--iterations 200] [--verbose]
 * (`npm run bench` installs bench/'s own dependencies first.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluateFlag, parseConfiguration } from "../src/ufc/mod.ts";
import { type CanonicalCase, caseName, contextOf, expectedTypeOf } from "../tests/support/canonical-cases.ts";

interface Details {
  value: unknown;
  variant?: string;
  reason?: string;
  errorCode?: string;
}

/** The part of @datadog/flagging-core this benchmark calls (imported by name at run time: bench/ has its own node_modules). */
interface FlaggingCore {
  evaluateRulesBasedConfiguration(
    config: unknown,
    type: "boolean" | "string" | "number" | "object",
    flagKey: string,
    defaultValue: unknown,
    context: Record<string, unknown>,
    logger: { debug(): void; info(): void; warn(): void; error(): void },
  ): Details;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const rounds = option("rounds", 10);
const iterations = option("iterations", 200);
const verbose = args.includes("--verbose");

const fixtures = join(
  import.meta.dirname,
  "../tests/data/fixtures/ffe-system-test-data",
);
const rawConfig = JSON.parse(
  readFileSync(join(fixtures, "ufc-config.json"), "utf8"),
);
const cases: Array<
  CanonicalCase & { name: string; context: Record<string, unknown> }
> = [];
for (
  const file of readdirSync(join(fixtures, "evaluation-cases")).filter((f) => f.endsWith(".json")).sort()
) {
  const list = JSON.parse(
    readFileSync(join(fixtures, "evaluation-cases", file), "utf8"),
  ) as CanonicalCase[];
  list.forEach((c, i) => {
    cases.push({ ...c, name: caseName(file, i), context: contextOf(c) });
  });
}

const OPENFEATURE_TYPE = {
  BOOLEAN: "boolean",
  INTEGER: "number",
  NUMERIC: "number",
  STRING: "string",
  JSON: "object",
} as const;

const specifier = "@datadog/flagging-core";
const core = (await import(specifier)) as FlaggingCore;
const corePackage = JSON.parse(
  readFileSync(
    join(
      import.meta.dirname,
      "node_modules/@datadog/flagging-core/package.json",
    ),
    "utf8",
  ),
);
const noop = () => {};
const silent = { debug: noop, info: noop, warn: noop, error: noop };

const compiled = parseConfiguration(rawConfig);
const flagpostCases = cases.map((c) => ({
  flag: c.flag,
  type: expectedTypeOf(c.variationType),
  def: c.defaultValue,
  ctx: c.context,
}));
const coreCases = cases.map((c) => ({
  flag: c.flag,
  type: OPENFEATURE_TYPE[c.variationType],
  def: c.defaultValue,
  ctx: c.context,
}));

let sink = 0;
function runFlagpost(n: number): number {
  const started = performance.now();
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < flagpostCases.length; i++) {
      const c = flagpostCases[i]!;
      const r = evaluateFlag(compiled, c.flag, c.type, c.def, c.ctx);
      if (r.reason === "ERROR") sink++;
    }
  }
  return performance.now() - started;
}
function runCore(n: number): number {
  const started = performance.now();
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < coreCases.length; i++) {
      const c = coreCases[i]!;
      const r = core.evaluateRulesBasedConfiguration(
        rawConfig,
        c.type,
        c.flag,
        c.def,
        c.ctx,
        silent,
      );
      if (r.reason === "ERROR") sink++;
    }
  }
  return performance.now() - started;
}

// ---- agreement, case by case ----------------------------------------------------------------
const sameJson = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map((
        [k, x],
      ) => [k, sortKeys(x)]),
    );
  }
  return v;
}
let agree = 0;
const disagreements: string[] = [];
const lines: string[] = [];
cases.forEach((c, i) => {
  const a = evaluateFlag(
    compiled,
    c.flag,
    flagpostCases[i]!.type,
    c.defaultValue,
    c.context,
  );
  const b = core.evaluateRulesBasedConfiguration(
    rawConfig,
    coreCases[i]!.type,
    c.flag,
    c.defaultValue,
    c.context,
    silent,
  );
  const same = sameJson(a.value, b.value) &&
    (a.variant ?? null) === (b.variant ?? null) && a.reason === b.reason;
  if (same) agree++;
  const line =
    `${same ? "agree   " : "DISAGREE"} ${c.name.padEnd(48)} ${c.flag.padEnd(36)} flagpost ${
      JSON.stringify([a.value, a.variant ?? null, a.reason])
    }` +
    (same ? "" : ` / flagging-core ${JSON.stringify([b.value, b.variant ?? null, b.reason])}`);
  lines.push(line);
  if (!same) disagreements.push(line);
});

// ---- throughput -----------------------------------------------------------------------------
const warmup = Math.max(20, Math.floor(iterations / 2));
runFlagpost(warmup);
runCore(warmup);
runFlagpost(warmup);
runCore(warmup);
let flagpostMs = 0;
let coreMs = 0;
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    flagpostMs += runFlagpost(iterations);
    coreMs += runCore(iterations);
  } else {
    coreMs += runCore(iterations);
    flagpostMs += runFlagpost(iterations);
  }
}
const evaluations = rounds * iterations * cases.length;
const flagpostOps = evaluations / (flagpostMs / 1000);
const coreOps = evaluations / (coreMs / 1000);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const runtime = typeof Bun !== "undefined" ? `bun ${Bun.version}` : `node ${process.versions.node}`;

console.log(
  `flag evaluation over ${cases.length} canonical cases (${runtime}; ${rounds} interleaved rounds × ${iterations} passes, after warm-up)`,
);
console.log(
  `  flagpost/ufc                  ${fmt(flagpostOps).padStart(12)} evaluations/s`,
);
console.log(
  `  @datadog/flagging-core ${String(corePackage.version).padEnd(6)} ${fmt(coreOps).padStart(12)} evaluations/s`,
);
console.log(
  `  ratio flagpost / flagging-core: ${(flagpostOps / coreOps).toFixed(2)}×`,
);
console.log(
  `  agreement (value, variant, reason): ${agree}/${cases.length} cases agree`,
);
for (const line of verbose ? lines : disagreements) console.log(`    ${line}`);
if (sink < 0) console.log(sink);
