// Bun entry: runs the TypeScript sources directly. usage: bun bun.ts <inputs.json>
import * as flagpost from "../../../mod.ts";
import { RESULTS_MARKER, runScenario } from "../scenario.ts";
import type { ScenarioModules } from "../types.ts";
import { loadModules } from "./source-modules.ts";

const modules: ScenarioModules = await loadModules(flagpost);
const inputs = await Bun.file(process.argv[2]!).json();
const results = await runScenario({ runtime: "bun", modules, inputs });
console.log(`${RESULTS_MARKER}${JSON.stringify(results)}`);
