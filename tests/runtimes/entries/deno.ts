// Deno entry: runs the TypeScript sources directly. usage: deno run -A deno.ts <inputs.json>
import * as flagpost from "../../../mod.ts";
import { RESULTS_MARKER, runScenario } from "../scenario.ts";
import type { ScenarioModules } from "../types.ts";
import { loadModules } from "./source-modules.ts";

// deno-lint-ignore no-explicit-any
const Deno = (globalThis as any).Deno;
const modules: ScenarioModules = await loadModules(flagpost);
const inputs = JSON.parse(await Deno.readTextFile(Deno.args[0]));
const results = await runScenario({ runtime: "deno", modules, inputs });
console.log(`${RESULTS_MARKER}${JSON.stringify(results)}`);
