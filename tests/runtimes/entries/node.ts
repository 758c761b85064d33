// Node entry: bundled by the harness with esbuild; the library comes from the built dist/.
// usage: node node-entry.mjs <distDir> <inputs.json>
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { ENTRIES } from "../../../scripts/entries.ts";
import { RESULTS_MARKER, runScenario } from "../scenario.ts";
import type { ScenarioModules } from "../types.ts";

const [distDir, inputsPath] = process.argv.slice(2) as [string, string];
const load = (rel: string) => import(pathToFileURL(`${distDir}/${rel}`).href);
// Every entry the matrix loads, from its built file (scripts/entries.ts: the one list of entries).
const modules = Object.fromEntries(
  await Promise.all(
    ENTRIES.filter((e) => e.matrixKey !== undefined).map(async (e) => [e.matrixKey, await load(e.source.replace(/\.ts$/, ".js"))]),
  ),
) as ScenarioModules;
const inputs = JSON.parse(readFileSync(inputsPath, "utf8"));
const results = await runScenario({ runtime: "node", modules, inputs });
console.log(`${RESULTS_MARKER}${JSON.stringify(results)}`);
