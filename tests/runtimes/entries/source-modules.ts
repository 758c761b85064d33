// The library's modules from the TypeScript sources (Deno, Bun, workerd bundle).
import type * as Flagpost from "../../../mod.ts";
import type { ScenarioModules } from "../types.ts";

export async function loadModules(flagpost: typeof Flagpost): Promise<ScenarioModules> {
  const [ufc, openfeature, mockAgent] = await Promise.all([
    import("../../../src/ufc/mod.ts"),
    import("../../../src/openfeature/mod.ts"),
    import("../../../mock-agent/mod.ts"),
  ]);
  return { flagpost, ufc, openfeature, mockAgent };
}
