/** The scenario's parts, in run order. Each feature adds its own file here. */
import type { ScenarioPart } from "../types.ts";
import { part as core } from "./core.ts";
import { part as e2e } from "./e2e.ts";
import { part as enrichment } from "./enrichment.ts";
import { part as exposures } from "./exposures.ts";
import { part as flagevaluations } from "./flagevaluations.ts";
import { part as metrics } from "./metrics.ts";
import { part as mockAgent } from "./mock-agent.ts";
import { part as traces } from "./traces.ts";
import { part as transport } from "./transport.ts";
import { part as ufc } from "./ufc.ts";

export const parts: ScenarioPart[] = [
  core,
  mockAgent,
  ufc,
  enrichment,
  flagevaluations,
  exposures,
  metrics,
  traces,
  transport,
  e2e,
];
