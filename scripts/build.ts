/**
 * `npm run build` (and `prepack`): emits dist/ for Node and bundlers.
 *
 *  1. tsc (tsconfig.build.json) emits JavaScript and `.d.ts` for every source file;
 *  2. each `bundled` entry and each bin (scripts/entries.ts: the mock agent) is re-emitted as an
 *     esbuild bundle with its npm imports inlined, so a user's `npm install flagpost` needs only the
 *     library's runtime dependencies; imports of the library's own src/ stay imports of dist/src/
 *     (one `FlagpostError` class for everyone), and Node-only code loaded with a dynamic `import()`
 *     (`@hono/node-server`) stays in a separate chunk, so the entry itself still loads on workers;
 *  3. a published `.d.ts` may only import runtime or peer dependencies: any other bare import
 *     (hono, @bufbuild/protobuf in the mock agent's types) is pointed at a small declaration in
 *     scripts/type-shims/ that describes the part flagpost exposes; an import with no shim fails the build.
 *
 * usage: bun scripts/build.ts
 *
 * @module
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as esbuild from "esbuild";
import ts from "typescript";
import { filesUnder } from "./_files.ts";
import { BINS, ENTRIES } from "./entries.ts";

const root = resolve(import.meta.dirname, "..");
const dist = join(root, "dist");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

// ---- 1. tsc ---------------------------------------------------------------------------------
rmSync(dist, { recursive: true, force: true });
const tsc = Bun.spawnSync([join(root, "node_modules", ".bin", "tsc"), "-p", "tsconfig.build.json"], {
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
});
// Type errors (exit 2) still emit: finish dist/ so the other checks run, and fail at the end.
if (tsc.exitCode !== 0 && tsc.exitCode !== 2) process.exit(tsc.exitCode ?? 1);

// ---- 2. bundles -------------------------------------------------------------------------------
const bundledSources = [...ENTRIES.filter((e) => e.bundled).map((e) => e.source), ...Object.values(BINS)];
const srcDir = join(root, "src") + "/";
const byDir = new Map<string, string[]>();
for (const s of bundledSources) byDir.set(dirname(s), [...(byDir.get(dirname(s)) ?? []), s]);
for (const [dir, sources] of byDir) {
  const outdir = join(dist, dir);
  /** Imports of the library's src/ stay imports of its built files, relative to the bundle. */
  const librarySources: esbuild.Plugin = {
    name: "library-sources",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = resolve(args.resolveDir, args.path);
        if (!target.startsWith(srcDir)) return undefined;
        const built = relative(outdir, join(dist, relative(root, target))).replace(/\.ts$/, ".js");
        return { path: built.startsWith(".") ? built : `./${built}`, external: true };
      });
    },
  };
  // tsc's per-file JavaScript of this folder is replaced by the bundle (its .d.ts files stay).
  for (const f of filesUnder(outdir)) if (f.endsWith(".js")) rmSync(f);
  await esbuild.build({
    entryPoints: sources.map((s) => join(root, s)),
    outdir,
    outbase: join(root, dir),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["import", "default"],
    // Only runtime dependencies stay imports: everything else (hono, even though flagpost/hono names it
    // as an optional peer) is inlined, so the mock agent works with no optional peer installed.
    external: ["node:*", ...Object.keys(pkg.dependencies ?? {})],
    // Chunks sit beside the entries, so the relative imports of dist/src/ above hold for them too.
    chunkNames: "_[name]-[hash]",
    plugins: [librarySources],
    logLevel: "warning",
  });
}
for (const bin of Object.values(BINS)) chmodSync(join(dist, bin.replace(/\.ts$/, ".js")), 0o755);

// ---- 3. .d.ts imports -------------------------------------------------------------------------
const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
const shimsDir = join(root, "scripts", "type-shims");
const packageOf = (spec: string) => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");
const unshimmed: string[] = [];
for (const file of filesUnder(dist).filter((f) => f.endsWith(".d.ts"))) {
  const text = readFileSync(file, "utf8");
  // preProcessFile lists real imports only (not the `import … from "flagpost"` of @example comments).
  const imports = ts.preProcessFile(text, true, true).importedFiles.filter((i) => !/^[./]/.test(i.fileName));
  let rewritten = text;
  for (const { fileName: spec, pos } of imports.toSorted((a, b) => b.pos - a.pos)) {
    if (spec.startsWith("node:") || allowed.has(packageOf(spec))) continue;
    const shimName = `${spec.replaceAll("/", "__")}.d.ts`;
    if (!existsSync(join(shimsDir, shimName))) {
      unshimmed.push(`${relative(root, file)} imports "${spec}"`);
      continue;
    }
    mkdirSync(join(dist, "_types"), { recursive: true });
    copyFileSync(join(shimsDir, shimName), join(dist, "_types", shimName));
    let rel = relative(dirname(file), join(dist, "_types", shimName.replace(/\.d\.ts$/, ".js")));
    if (!rel.startsWith(".")) rel = `./${rel}`;
    // `pos` is the opening quote.
    rewritten = rewritten.slice(0, pos + 1) + rel + rewritten.slice(pos + 1 + spec.length);
  }
  if (rewritten !== text) writeFileSync(file, rewritten);
}
if (unshimmed.length > 0) {
  console.error(
    `build: published types import packages a user does not install (add a declaration to scripts/type-shims/):\n  ${
      unshimmed.join("\n  ")
    }`,
  );
  process.exit(1);
}

const files = filesUnder(dist);
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
console.log(`build: dist/ has ${files.length} files, ${(bytes / 1024).toFixed(1)} KiB`);
if (tsc.exitCode !== 0) {
  console.error("build: tsc reported errors (above); dist/ was emitted anyway");
  process.exit(1);
}
