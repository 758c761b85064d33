/**
 * The package's public entry points: the ONE list that package.json `exports` and `bin`, deno.json
 * `exports` and `imports` (the self-references "flagpost", "flagpost/ufc", … that examples use), the
 * build, the size benchmark, the purity test and the runtime matrix follow.
 *
 * Adding an entry: add it here, run `bun scripts/entries.ts` (rewrites the `exports`/`bin` maps of
 * package.json and deno.json from this list), then `npm test`: tests/scripts/entries.test.ts fails while
 * any consumer of the list disagrees with it (including the runtime matrix's module loaders).
 *
 * usage: bun scripts/entries.ts [--check]   (--check: exit 1 and print the differences instead of writing)
 *
 * @module
 */

/** One public entry point of the package. */
export interface Entry {
  /** What users import: `"flagpost"` or `"flagpost/<name>"`. */
  specifier: string;
  /** Its TypeScript source, relative to the repository root. */
  source: string;
  /**
   * Runs without Node built-ins: `esbuild --platform=neutral` bundles it and nothing in it imports `node:*`
   * (the purity test bundles it; the size benchmark measures it). False for runtime adapters such as
   * `flagpost/node`.
   */
  neutral: boolean;
  /**
   * Its dist/ files are an esbuild bundle with its npm imports inlined (the mock agent: hono and the
   * decoders stay dev dependencies, so `npm install flagpost` does not pull them). Otherwise dist/ holds
   * tsc's per-file output and the entry's imports must be runtime dependencies.
   */
  bundled: boolean;
  /** Its key in the runtime matrix's `ScenarioModules` (tests/runtimes/types.ts), when the matrix loads it. */
  matrixKey?: string;
}

/** Every public entry, in the order they are documented. */
export const ENTRIES: readonly Entry[] = [
  { specifier: "flagpost", source: "mod.ts", neutral: true, bundled: false, matrixKey: "flagpost" },
  { specifier: "flagpost/ufc", source: "src/ufc/mod.ts", neutral: true, bundled: false, matrixKey: "ufc" },
  { specifier: "flagpost/openfeature", source: "src/openfeature/mod.ts", neutral: true, bundled: false, matrixKey: "openfeature" },
  { specifier: "flagpost/cloudflare", source: "src/adapters/cloudflare/mod.ts", neutral: true, bundled: false },
  { specifier: "flagpost/hono", source: "src/adapters/hono/mod.ts", neutral: true, bundled: false },
  { specifier: "flagpost/deno", source: "src/adapters/deno/mod.ts", neutral: false, bundled: false },
  { specifier: "flagpost/bun", source: "src/adapters/bun/mod.ts", neutral: false, bundled: false },
  { specifier: "flagpost/node", source: "src/adapters/node/mod.ts", neutral: false, bundled: false },
  { specifier: "flagpost/mock-agent", source: "mock-agent/mod.ts", neutral: true, bundled: true, matrixKey: "mockAgent" },
];

/** Executables (package.json `bin`): name → TypeScript source. Each is bundled like a `bundled` entry. */
export const BINS: Readonly<Record<string, string>> = {
  "flagpost-mock-agent": "mock-agent/main.ts",
  "flagpost-decode-tags": "cli/decode-tags.ts",
};

/** The package.json / deno.json `exports` key of an entry: `"."` or `"./<name>"`. */
export function subpathOf(entry: Entry): string {
  return entry.specifier === "flagpost" ? "." : `./${entry.specifier.slice("flagpost/".length)}`;
}

/** The built file of a source in dist/, with `ext` `".js"` or `".d.ts"`. */
export function distPathOf(source: string, ext: ".js" | ".d.ts"): string {
  return `./dist/${source.replace(/\.ts$/, ext)}`;
}

/** The package.json `exports` map the list implies. */
export function packageExports(): Record<string, { types: string; default: string }> {
  return Object.fromEntries(
    ENTRIES.map((e) => [subpathOf(e), { types: distPathOf(e.source, ".d.ts"), default: distPathOf(e.source, ".js") }]),
  );
}

/** The package.json `bin` map the list implies. */
export function packageBins(): Record<string, string> {
  return Object.fromEntries(Object.entries(BINS).map(([name, source]) => [name, distPathOf(source, ".js")]));
}

/** The deno.json `exports` map the list implies. */
export function denoExports(): Record<string, string> {
  return Object.fromEntries(ENTRIES.map((e) => [subpathOf(e), `./${e.source}`]));
}

/** The deno.json `imports` entries that let examples import the package by name, from the sources. */
export function denoSelfImports(): Record<string, string> {
  return Object.fromEntries(ENTRIES.map((e) => [e.specifier, `./${e.source}`]));
}

async function main(): Promise<void> {
  const { readFileSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const root = join(import.meta.dirname, "..");
  const check = process.argv.includes("--check");
  const problems: string[] = [];

  const update = (file: string, apply: (json: Record<string, unknown>) => void): void => {
    const path = join(root, file);
    const before = readFileSync(path, "utf8");
    const json = JSON.parse(before);
    apply(json);
    if (JSON.stringify(json) === JSON.stringify(JSON.parse(before))) return;
    const after = `${JSON.stringify(json, null, 2)}\n`;
    if (check) problems.push(`${file} disagrees with scripts/entries.ts`);
    else {
      writeFileSync(path, after);
      console.log(`entries: rewrote ${file}`);
    }
  };
  update("package.json", (pkg) => {
    pkg.exports = packageExports();
    pkg.main = distPathOf("mod.ts", ".js");
    pkg.types = distPathOf("mod.ts", ".d.ts");
    pkg.bin = packageBins();
  });
  update("deno.json", (deno) => {
    deno.exports = denoExports();
    const imports = (deno.imports ?? {}) as Record<string, string>;
    for (const key of Object.keys(imports)) if (key === "flagpost" || key.startsWith("flagpost/")) delete imports[key];
    deno.imports = { ...denoSelfImports(), ...imports };
  });
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error("run `bun scripts/entries.ts` to rewrite them from the list");
    process.exit(1);
  }
}

if (import.meta.main) await main();
