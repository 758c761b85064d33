/**
 * Runs the example Hono app on whichever runtime starts it:
 *
 *   deno run --allow-net --allow-env --allow-read examples/hono/main.ts
 *   bun examples/hono/main.ts
 *   node --experimental-strip-types examples/hono/main.ts   (after `npm run build`)
 *
 * Configuration comes from the environment (DD_SERVICE, DD_TRACE_AGENT_URL,
 * DD_METRICS_OTEL_ENABLED, …); PORT picks the port (default 8080, 0 = any).
 * SIGTERM / SIGINT stop the server and await flagpost's final flush.
 *
 * @module
 */
import { createShopApp } from "./app.ts";

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
// Each runtime's adapter: its environment, AsyncLocalStorage, and its shutdown hooks.
const adapter = runtime === "deno"
  ? await import("flagpost/deno")
  : runtime === "bun"
  ? await import("flagpost/bun")
  : await import("flagpost/node");
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const port = Number(env.PORT ?? 8080);

const flagpost = adapter.createFlagpost();
const app = createShopApp(flagpost);

let stop: () => Promise<unknown>;
let url: string;
if (runtime === "deno") {
  const deno = (globalThis as unknown as {
    Deno: {
      serve(o: object, h: typeof app.fetch): { addr: { port: number }; shutdown(): Promise<void> };
    };
  }).Deno;
  const server = deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  url = `http://127.0.0.1:${server.addr.port}`;
  stop = () => server.shutdown();
} else if (runtime === "bun") {
  const bun = (globalThis as unknown as { Bun: { serve(o: object): { port: number; stop(): Promise<void> } } }).Bun;
  const server = bun.serve({ port, hostname: "127.0.0.1", fetch: app.fetch });
  url = `http://127.0.0.1:${server.port}`;
  stop = () => server.stop();
} else {
  const { serve } = await import("@hono/node-server");
  const server = await new Promise<{ address(): { port: number }; close(cb: () => void): void }>((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => resolve(s as never));
  });
  url = `http://127.0.0.1:${server.address().port}`;
  stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
}
adapter.installShutdownHooks(flagpost, {
  beforeShutdown: stop,
  onShutdown: (report) => console.log(`flagpost: final flush ${report.ok ? "ok" : "NOT ok"} ${JSON.stringify(report.dropped)}`),
});
console.log(`hono example (${runtime}) listening on ${url}`);
