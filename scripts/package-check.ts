/**
 * `npm run test:package`: the package as a user gets it. Packs dist/ (`npm pack`, after
 * `npm run build`), installs the tarball into a fresh consumer project outside the repository,
 * and checks there:
 *  - the tarball holds LICENSE, README.md and every entry's and bin's built files, and no sources or tests;
 *  - lean install: only the package's runtime dependencies (and theirs) are installed — none of the
 *    mock agent's development dependencies, which its bundle carries inside (prints the count and size);
 *  - every entry imports in Node, and `npx flagpost-mock-agent --port 0 --otlp-port 0` starts and answers /info;
 *  - a strict TypeScript program (no skipLibCheck) importing every entry type-checks against the published
 *    .d.ts, once the optional peers it names are installed too.
 *
 * usage: bun scripts/package-check.ts   Ends with `package: N passed, N failed`.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCommand as run } from "./_command.ts";
import { BINS, distPathOf, ENTRIES } from "./entries.ts";

const root = resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const dir = join(tmpdir(), "flagpost-package-check");
const consumer = join(dir, "consumer");
rmSync(dir, { recursive: true, force: true });
mkdirSync(consumer, { recursive: true });

let passed = 0;
let failed = 0;
function report(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
  if (!ok && detail !== "") console.log(detail.replace(/^/gm, "    ").slice(-5000));
}

function sizeOf(path: string): number {
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).reduce((n, name) => n + sizeOf(join(path, name)), 0) : st.size;
}

if (!existsSync(join(root, "dist", "mod.js"))) {
  const built = await run(["npm", "run", "--silent", "build"], root);
  if (built.code !== 0) {
    console.log(built.out);
    console.log("package: 0 passed, 1 failed");
    process.exit(1);
  }
}

// ---- pack ---------------------------------------------------------------------------------------
const packed = await run(["npm", "pack", "--ignore-scripts", "--json", "--pack-destination", dir], root);
if (packed.code !== 0) {
  console.log(packed.out);
  console.log("package: 0 passed, 1 failed");
  process.exit(1);
}
const info = JSON.parse(packed.out.slice(packed.out.indexOf("[")))[0] as { filename: string; size: number; files: Array<{ path: string }> };
const files = new Set(info.files.map((f) => f.path));
const expectedFiles = [
  "LICENSE",
  "README.md",
  "package.json",
  ...ENTRIES.flatMap((e) => [distPathOf(e.source, ".js"), distPathOf(e.source, ".d.ts")]),
  ...Object.values(BINS).map((s) => distPathOf(s, ".js")),
].map((p) => p.replace(/^\.\//, ""));
const missing = expectedFiles.filter((f) => !files.has(f));
const stray = [...files].filter((f) => f.startsWith("src/") || f.startsWith("tests/") || (f.endsWith(".ts") && !f.endsWith(".d.ts")));
report(
  `the tarball (${info.files.length} files, ${
    (info.size / 1024).toFixed(1)
  } KiB) holds LICENSE, README.md and every entry and bin, no sources`,
  missing.length === 0 && stray.length === 0,
  [...missing.map((f) => `missing ${f}`), ...stray.map((f) => `should not ship ${f}`)].join("\n"),
);

// ---- install into a fresh project -----------------------------------------------------------------
writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }));
const tarball = join(dir, info.filename);
const installed = await run(["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", tarball], consumer);
report("npm install <tarball> in a fresh project", installed.code === 0, installed.out);
const ls = await run(["npm", "ls", "--all", "--parseable"], consumer);
const packages = ls.out.split("\n").slice(1).map((p) => p.slice(p.lastIndexOf("node_modules/") + "node_modules/".length)).sort();
const devOnly = Object.keys(pkg.devDependencies ?? {}).filter((d) => !(d in (pkg.dependencies ?? {})));
const leaked = packages.filter((p) => devOnly.includes(p));
const bytes = existsSync(join(consumer, "node_modules")) ? sizeOf(join(consumer, "node_modules")) : 0;
console.log(`  installed: ${packages.length} packages (${packages.join(", ")}), node_modules ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
report(
  "lean install: no development dependency (hono, decoders, …) is installed",
  installed.code === 0 && leaked.length === 0 && packages.includes("flagpost"),
  `installed dev dependencies: ${leaked.join(", ")}`,
);

// ---- run: every entry imports, the bin starts -----------------------------------------------------
writeFileSync(
  join(consumer, "imports.mjs"),
  ENTRIES.map((e, i) => `import * as m${i} from "${e.specifier}";`).join("\n") +
    `\nconsole.log(JSON.stringify([${ENTRIES.map((_e, i) => `Object.keys(m${i}).length`).join(", ")}]));\n`,
);
const imported = await run(["node", "imports.mjs"], consumer);
let counts: number[] = [];
try {
  counts = JSON.parse(imported.out.split("\n").at(-1) ?? "[]");
} catch { /* reported below */ }
report(
  `every entry imports in Node ${process.versions.node === undefined ? "" : "(" + (await run(["node", "--version"], consumer)).out + ")"}`,
  imported.code === 0 && counts.length === ENTRIES.length && counts.every((n) => n > 0),
  imported.out,
);

const bin = Bun.spawn(["npx", "--no-install", "flagpost-mock-agent", "--port", "0", "--otlp-port", "0", "--quiet"], {
  cwd: consumer,
  stdout: "pipe",
  stderr: "pipe",
});
let agentOut = "";
let infoStatus = 0;
try {
  const reader = bin.stdout.getReader();
  const deadline = Date.now() + 30_000;
  while (!/APM:\s+http:\/\/\S+/.test(agentOut) && Date.now() < deadline) {
    const r = await Promise.race([reader.read(), new Promise<undefined>((ok) => setTimeout(ok, deadline - Date.now()))]);
    if (r === undefined || r.done) break;
    agentOut += new TextDecoder().decode(r.value);
  }
  const url = /APM:\s+(http:\/\/\S+)/.exec(agentOut)?.[1];
  if (url !== undefined) {
    const res = await fetch(`${url}/info`);
    infoStatus = res.status;
    await res.body?.cancel();
  }
} finally {
  bin.kill();
  await bin.exited;
}
report("npx flagpost-mock-agent --port 0 --otlp-port 0 starts and answers /info", infoStatus === 200, agentOut);

// ---- types: strict, no skipLibCheck, against the published .d.ts -----------------------------------
const peers = Object.keys(pkg.peerDependencies ?? {});
if (peers.length > 0) {
  const specs = peers.map((p) => `${p}@${pkg.devDependencies?.[p] ?? pkg.peerDependencies[p]}`);
  const peerInstall = await run(["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", "--no-save", ...specs], consumer);
  report(`the optional peers install (${peers.join(", ")})`, peerInstall.code === 0, peerInstall.out);
}
writeFileSync(
  join(consumer, "types.ts"),
  ENTRIES.map((e, i) => `import type * as M${i} from "${e.specifier}";`).join("\n") +
    `\nexport type All = [${ENTRIES.map((_e, i) => `keyof typeof M${i}`).join(", ")}];\n`,
);
writeFileSync(
  join(consumer, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: {
      strict: true,
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2022",
      lib: ["es2023", "dom"],
      types: [],
      noEmit: true,
      skipLibCheck: false,
    },
    files: ["types.ts"],
  }),
);
const tsc = await run([join(root, "node_modules", ".bin", "tsc"), "-p", "."], consumer);
report("a strict program importing every entry type-checks against the published .d.ts (no skipLibCheck)", tsc.code === 0, tsc.out);

console.log(`package: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
