/**
 * flagpost/node: flagpost on a Node server. `serve(flagpost, handler)`
 * runs a Web-standard `(Request) => Response` handler on `node:http`, each
 * request in its own scope (bound with `AsyncLocalStorage`), flushes after
 * each response without delaying it, and installs shutdown hooks
 * (`SIGTERM`, `SIGINT`, `beforeExit`) that close the server and await
 * `flagpost.shutdown()` before the process exits.
 *
 * `node:http` is reached through `process.getBuiltinModule` when `serve`
 * is called, so importing this module does nothing and bundles anywhere.
 *
 * @example
 * ```ts
 * import { createFlagpost, serve } from "flagpost/node";
 * const flagpost = createFlagpost(); // process.env + AsyncLocalStorage
 * const server = await serve(flagpost, (_request, scope) => new Response(`trace ${scope.traceId}`), { port: 0 });
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
import { fetchListener, type NodeHttpModule } from "./_request-listener.ts";

export * from "../_server-entry.ts";
export { installProcessShutdownHooks as installShutdownHooks };

/**
 * Options of {@link serve}.
 *
 * @example
 * ```ts
 * import type { NodeServeOptions } from "flagpost/node";
 * const options: NodeServeOptions = { port: 8080, hostname: "0.0.0.0", shutdownHooks: true };
 * console.log(options.port);
 * ```
 */
export type NodeServeOptions = ServeOptions;

/**
 * A running server.
 *
 * @example
 * ```ts
 * // (fragment) server = await serve(flagpost, handler)
 * const report = await server.close(); // stops listening, then flagpost.shutdown()
 * ```
 */
export type FlagpostServer = RunningServer;

/**
 * Serves `handler` on `node:http` with flagpost's request lifecycle and
 * shutdown hooks. Throws `FlagpostError` outside Node-compatible runtimes.
 *
 * @example
 * ```ts
 * import { createFlagpost, serve } from "flagpost/node";
 * const server = await serve(createFlagpost(), () => new Response("hello"), { port: 0, shutdownHooks: false });
 * console.log(await (await fetch(server.url)).text()); // "hello"
 * await server.close();
 * ```
 */
export async function serve(flagpost: Flagpost, handler: ScopedHandler, options: NodeServeOptions = {}): Promise<FlagpostServer> {
  const http = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:http") as
    | NodeHttpModule
    | undefined;
  if (http === undefined) {
    throw new FlagpostError("invalid_argument", "flagpost/node serve() needs node:http (Node 20.16+, Bun or Deno)", { field: "runtime" });
  }
  const fetchHandler = flagpostHandler(flagpost, handler, options);
  const server = http.createServer(fetchListener(fetchHandler));
  const hostname = options.hostname ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port ?? 8080;
  const stopServer = () =>
    new Promise<void>((resolve) => {
      fetchHandler.stop();
      server.close(() => resolve());
      server.closeIdleConnections?.();
    });
  return runningServer(flagpost, options, { hostname, port }, stopServer, installProcessShutdownHooks);
}
