/**
 * Bundle size of each public entry, as a worker would ship it: esbuild,
 * `--platform=neutral`, minified, ESM; then gzip (CompressionStream) of that.
 *
 * Entries come from scripts/entries.ts (those marked `neutral`).
 *
 * usage: bun bench/size.ts
 */
import { join } from "node:path";
import * as esbuild from "esbuild";
import { ENTRIES } from "../scripts/entries.ts";

const root = join(import.meta.dir, "..");
// Every public entry that runs on workers (scripts/entries.ts: the one list of entries).
const entries: Array<[string, string]> = ENTRIES.filter((e) => e.neutral).map((e) => [e.specifier, e.source]);

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
