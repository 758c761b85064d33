/**
 * Bundle size of each public entry, as a worker would ship it: esbuild,
 * `--platform=neutral`, minified, ESM; then gzip (CompressionStream) of that.
 *
 * Entries come from scripts/entries.ts (those marked `neutral`).
 *
 * usage: bun bench/size.ts
 */
import { join } from "node:path";
import { ENTRIES } from "../scripts/entries.ts";
import { bundledSize } from "./_bundle.ts";

const root = join(import.meta.dir, "..");
// Every public entry that runs on workers (scripts/entries.ts: the one list of entries).
const entries: Array<[string, string]> = ENTRIES.filter((e) => e.neutral).map((
  e,
) => [e.specifier, e.source]);

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log("entry".padEnd(24), "minified".padStart(12), "gzip".padStart(12));
for (const [name, file] of entries) {
  const [minified, gzip] = await bundledSize({ entry: join(root, file) }, [
    "@hono/node-server",
    "node:*",
  ]);
  console.log(
    name.padEnd(24),
    kb(minified).padStart(12),
    kb(gzip).padStart(12),
  );
}
