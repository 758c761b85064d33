/**
 * A plain server (no framework) with flagpost's runtime adapters:
 *
 *   deno run --allow-net --allow-env --allow-read examples/server/main.ts
 *   bun examples/server/main.ts
 *   npm run build && npx esbuild examples/server/main.ts --bundle --platform=node --format=esm --outfile=.tmp/server.mjs && node .tmp/server.mjs
 *
 * `serve` scopes each request, flushes after each response (or every
 * FLUSH_INTERVAL_MS when set), and on SIGTERM / SIGINT stops the server and
 * awaits flagpost's final flush. PORT picks the port (default 8080, 0 = any).
 *
 * @module
 */
import { OpenFeature } from "@openfeature/server-sdk";
import { FlagpostProvider } from "flagpost/openfeature";
import flags from "../flags.json" with { type: "json" };
import { shop } from "../shop.ts";

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const adapter = runtime === "deno"
  ? await import("flagpost/deno")
  : runtime === "bun"
  ? await import("flagpost/bun")
  : await import("flagpost/node");
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

const flagpost = adapter.createFlagpost(); // the process environment + AsyncLocalStorage
OpenFeature.setProvider(new FlagpostProvider({ configuration: flags, flagpost }));

const server = await adapter.serve(flagpost, (request, scope) => shop(request, OpenFeature.getClient(), scope), {
  port: Number(env.PORT ?? 8080),
  flushIntervalMs: env.FLUSH_INTERVAL_MS === undefined ? undefined : Number(env.FLUSH_INTERVAL_MS),
  onShutdown: (report) => console.log(`flagpost: final flush ${report.ok ? "ok" : "NOT ok"} ${JSON.stringify(report.dropped)}`),
});
console.log(`server example (${runtime}) listening on ${server.url}`);
