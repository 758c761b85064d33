/**
 * A Cloudflare worker with flagpost: flags evaluated through OpenFeature
 * with FlagpostProvider on examples/flags.json, each request in its own
 * scope, telemetry flushed through `ctx.waitUntil` after the response.
 *
 * Run it: `npx wrangler dev` in this folder (with a Datadog agent — or
 * `npm run mock-agent` — on localhost:8126 and :4318). `npm run demo` runs
 * this same worker in workerd through miniflare.
 *
 * @module
 */
import { OpenFeature } from "@openfeature/server-sdk";
import { withFlagpost } from "flagpost/cloudflare";
import { FlagpostProvider } from "flagpost/openfeature";
import flags from "../flags.json" with { type: "json" };
import { shop } from "../shop.ts";

export default withFlagpost({
  fetch: (request, _env, _ctx, { scope }) => shop(request, OpenFeature.getClient(), scope),
}, {
  // Runs once per isolate, on its first request: the provider records every evaluation into flagpost.
  setup: (flagpost) => OpenFeature.setProvider(new FlagpostProvider({ configuration: flags, flagpost })),
});
