/**
 * The example Hono app: the shop behind flagpost's Hono middleware. The
 * same app object runs on Deno, Bun, Node (hono/main.ts) and workers.
 *
 * @module
 */
import { OpenFeature } from "@openfeature/server-sdk";
import { Hono } from "hono";
import type { Flagpost } from "flagpost";
import { flagpostMiddleware, type FlagpostVariables } from "flagpost/hono";
import { FlagpostProvider } from "flagpost/openfeature";
import flags from "../flags.json" with { type: "json" };
import { shop } from "../shop.ts";

/**
 * The shop as a Hono app; installs FlagpostProvider (recording into
 * `flagpost`) as the OpenFeature provider.
 *
 * @example
 * ```ts
 * import { createFlagpost } from "flagpost";
 * import { createShopApp } from "./app.ts";
 * const app = createShopApp(createFlagpost({ env: { DD_SERVICE: "shop" } }));
 * console.log((await app.request("/?user=ann")).status); // 200
 * ```
 */
export function createShopApp(flagpost: Flagpost): Hono<{ Variables: FlagpostVariables }> {
  OpenFeature.setProvider(new FlagpostProvider({ configuration: flags, flagpost }));
  const app = new Hono<{ Variables: FlagpostVariables }>();
  app.use(flagpostMiddleware({ flagpost }));
  app.get("/health", (c) => c.text("ok"));
  app.get("/", (c) => shop(c.req.raw, OpenFeature.getClient(), c.get("flagpostScope")));
  return app;
}
