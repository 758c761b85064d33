/**
 * Bundle size of each public entry, as a worker would ship it: esbuild,
 * `--platform=neutral`, minified, ESM; then gzip (CompressionStream) of that.
 *
 * usage: bun bench/size.ts
 */
import { join } from "node:path";
import * as esbuild from "esbuild";

const root = join(import.meta.dir, "..");
const entries: Array<[string, string]> = [
  ["flagpost", "mod.ts"],
  ["flagpost/ufc", "src/ufc/mod.ts"],
  ["flagpost/openfeature", "src/openfeature/mod.ts"],
  ["flagpost/mock-agent", "mock-agent/mod.ts"],
];

async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log("entry".padEnd(24), "minified".padStart(12), "gzip".padStart(12));
for (const [name, file] of entries) {
  const result = await esbuild.build({
    entryPoints: [join(root, file)],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["worker", "browser"],
    external: ["@hono/node-server", "node:*"],
    write: false,
    logLevel: "silent",
  });
  const bytes = result.outputFiles[0]!.contents;
  console.log(name.padEnd(24), kb(bytes.byteLength).padStart(12), kb(await gzipSize(bytes)).padStart(12));
}
