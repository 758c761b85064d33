/**
 * Bundles a worker (the example worker, or a test's wrapper around it) for
 * workerd the way wrangler would: ESM, `workerd`/`worker`/`browser`
 * conditions, Node built-ins left to `nodejs_compat` (bare `async_hooks`,
 * which @openfeature/server-sdk imports, becomes `node:async_hooks`), and
 * the package's own specifiers (`flagpost`, `flagpost/cloudflare`, …)
 * resolved to this repository's sources through the one list of entries.
 * Shared by `npm run demo`, the example tests and the end-to-end matrix.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { ENTRIES } from "./entries.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** `flagpost` and `flagpost/<entry>` → the entry's TypeScript source. */
const selfImports: esbuild.Plugin = {
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
