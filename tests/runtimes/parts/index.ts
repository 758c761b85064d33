/** The scenario's parts, in run order. Each feature adds its own file here. */
import type { ScenarioPart } from "../types.ts";
import { part as core } from "./core.ts";

export const parts: ScenarioPart[] = [
  core,
];
