/**
 * flagpost/bun: flagpost on `Bun.serve`. `serve(flagpost, handler)` gives
 * each request its own scope (bound with `AsyncLocalStorage`), flushes after
 * each response without delaying it, and installs shutdown hooks
 * (`SIGTERM`, `SIGINT`, `beforeExit`) that stop the server and await
 * `flagpost.shutdown()` before the process exits.
 *
 * @example
 * ```ts
 * // (fragment) a complete program, but it runs on Bun only (the examples checker runs Deno)
 * import { createFlagpost, serve } from "flagpost/bun";
 * const flagpost = createFlagpost(); // Bun's process.env + AsyncLocalStorage
 * const server = serve(flagpost, (_request, scope) => new Response(`trace ${scope.traceId}`), { port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 *
 * @module
 */
import { FlagpostError } from "../../core/errors.ts";
import type { Flagpost } from "../../flagpost.ts";
import {
  flagpostHandler,
  installProcessShutdownHooks,
  type RunningServer,
  runningServer,
  type ScopedHandler,
  type ServeOptions,
} from "../_server-lifecycle.ts";

export * from "../_server-entry.ts";
export { installProcessShutdownHooks as installShutdownHooks };

/**
 * Options of {@link serve}.
 *
 * @example
 * ```ts
 * import type { BunServeOptions } from "flagpost/bun";
 * const options: BunServeOptions = { port: 3000 };
 * console.log(options.port);
 * ```
 */
export type BunServeOptions = ServeOptions;

/**
 * A running Bun server.
 *
 * @example
 * ```ts
 * // (fragment) server = serve(flagpost, handler)
 * await server.close();
 * ```
 */
export type FlagpostBunServer = RunningServer;

interface BunLike {
  serve(options: { port: number; hostname: string; fetch(request: Request): Promise<Response> }): {
    port: number;
    stop(closeActiveConnections?: boolean): unknown;
  };
}

/**
 * Serves `handler` with `Bun.serve` and flagpost's request lifecycle.
 * Throws `FlagpostError` outside Bun.
 *
 * @example
 * ```ts
 * // (fragment) a complete program, but it runs on Bun only (the examples checker runs Deno)
 * import { createFlagpost, serve } from "flagpost/bun";
 * const server = serve(createFlagpost(), () => new Response("hello"), { port: 0, shutdownHooks: false });
 * console.log(await (await fetch(server.url)).text()); // "hello"
 * await server.close();
 * ```
 */
export function serve(flagpost: Flagpost, handler: ScopedHandler, options: BunServeOptions = {}): FlagpostBunServer {
  const bun = (globalThis as { Bun?: BunLike }).Bun;
  if (bun === undefined) throw new FlagpostError("invalid_argument", "flagpost/bun serve() runs on Bun only", { field: "runtime" });
  const fetchHandler = flagpostHandler(flagpost, handler, options);
  const hostname = options.hostname ?? "127.0.0.1";
  const server = bun.serve({ port: options.port ?? 8080, hostname, fetch: fetchHandler });
  const stopServer = async () => {
    fetchHandler.stop();
    await server.stop();
  };
  return runningServer(flagpost, options, { hostname, port: server.port }, stopServer, installProcessShutdownHooks);
}
