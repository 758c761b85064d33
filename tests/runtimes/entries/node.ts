// Node entry: bundled by the harness with esbuild; the library comes from the built dist/.
// usage: node node-entry.mjs <distDir> <inputs.json>
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { RESULTS_MARKER, runScenario } from "../scenario.ts";
import type { ScenarioModules } from "../types.ts";

const [distDir, inputsPath] = process.argv.slice(2) as [string, string];
const load = (rel: string) => import(pathToFileURL(`${distDir}/${rel}`).href);
const modules: ScenarioModules = {
  flagpost: await load("mod.js"),
  ufc: await load("src/ufc/mod.js"),
  openfeature: await load("src/openfeature/mod.js"),
  mockAgent: await load("mock-agent/mod.js"),
};
const inputs = JSON.parse(readFileSync(inputsPath, "utf8"));
const results = await runScenario({ runtime: "node", modules, inputs });
console.log(`${RESULTS_MARKER}${JSON.stringify(results)}`);
