/**
 * Bundles a worker (the example worker, or a test's wrapper around it) for
 * workerd the way wrangler would: ESM, `workerd`/`worker`/`browser`
 * conditions, Node built-ins left to `nodejs_compat` (bare `async_hooks`,
 * which @openfeature/server-sdk imports, becomes `node:async_hooks`), and
 * the package's own specifiers (`flagpost`, `flagpost/cloudflare`, …)
 * resolved to this repository's sources through the one list of entries.
 * Shared by `npm run demo`, the example tests and the end-to-end matrix; `bundleForNode` does the
 * same for the examples that run on Node and Bun.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { ENTRIES } from "./entries.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** `flagpost` and `flagpost/<entry>` → the entry's TypeScript source. */
export const selfImports: esbuild.Plugin = {
  name: "flagpost-self-imports",
  setup(build) {
    build.onResolve({ filter: /^flagpost(\/[\w-]+)?$/ }, (args) => {
      const entry = ENTRIES.find((e) => e.specifier === args.path);
      return entry === undefined ? undefined : { path: join(root, entry.source) };
    });
  },
};

/** The mock agent loads @hono/node-server only on Node; a worker bundle gets an empty module instead. */
const nodeOnlyModules: esbuild.Plugin = {
  name: "node-only-modules",
  setup(build) {
    build.onResolve({ filter: /^@hono\/node-server$/ }, () => ({ path: "@hono/node-server", namespace: "empty" }));
    build.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "export {}", loader: "js" }));
  },
};

/**
 * A Node (or Bun) bundle of a runnable example at `outfile`: the package's own specifiers resolved
 * to the sources, npm packages inlined, Node built-ins left as imports.
 */
export async function bundleForNode(entry: string, outfile: string): Promise<void> {
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile,
    loader: { ".json": "json" },
    plugins: [selfImports],
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    logLevel: "error",
  });
}

/**
 * The bundled worker script (one ES module) of `entry`, ready for
 * `new Miniflare({ modules: true, script, compatibilityFlags: ["nodejs_compat"] })`.
 */
export async function bundleWorker(entry: string): Promise<string> {
  const built = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    external: ["node:*"],
    alias: { async_hooks: "node:async_hooks" },
    loader: { ".json": "json" },
    write: false,
    plugins: [selfImports, nodeOnlyModules],
    logLevel: "error",
  });
  return built.outputFiles[0]!.text;
}
