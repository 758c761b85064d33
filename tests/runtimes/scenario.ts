/**
 * Runs every scenario part and gathers its observations. A part that throws
 * records `<part>.error` (which no expectation contains, so it fails loudly)
 * and never stops the other parts.
 */
import { parts } from "./parts/index.ts";
import type { ScenarioContext } from "./types.ts";

/** Marks the results line in a runtime's stdout, so logs around it do not matter. */
export const RESULTS_MARKER = "@@flagpost-results@@";

export async function runScenario(ctx: ScenarioContext): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const part of parts) {
    try {
      out[part.name] = await part.run(ctx);
    } catch (error) {
      out[part.name] = { [`${part.name}.error`]: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }
  return out;
}
