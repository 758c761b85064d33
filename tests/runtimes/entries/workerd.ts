// workerd entry: bundled by the harness with esbuild and run by miniflare.
// The harness POSTs the inputs; the worker answers with the scenario's results.
import * as flagpost from "../../../mod.ts";
import { runScenario } from "../scenario.ts";
import { loadModules } from "./source-modules.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const inputs = await request.json();
    const modules = await loadModules(flagpost);
    const results = await runScenario({ runtime: "workerd", modules, inputs: inputs as never });
    return Response.json(results);
  },
};
