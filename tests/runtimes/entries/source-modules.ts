// The library's modules from the TypeScript sources (Deno, Bun, workerd bundle).
// Subpath modules that do not exist yet resolve to an empty object, so their parts fail loudly instead of the whole run.
import type * as Flagpost from "../../../mod.ts";
import type { ScenarioModules } from "../types.ts";

export async function loadModules(flagpost: typeof Flagpost): Promise<ScenarioModules> {
  const [ufc, openfeature, mockAgent] = await Promise.all([
    import("../../../src/ufc/mod.ts").catch(() => ({})),
    import("../../../src/openfeature/mod.ts").catch(() => ({})),
    import("../../../mock-agent/mod.ts").catch(() => ({})),
  ]);
  return { flagpost, ufc, openfeature, mockAgent } as ScenarioModules;
}
