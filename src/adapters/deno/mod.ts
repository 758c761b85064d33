/**
 * flagpost/deno: flagpost on `Deno.serve`. `serve(flagpost, handler)` gives
 * each request its own scope (bound with `AsyncLocalStorage`), flushes after
 * each response without delaying it, and installs shutdown hooks
 * (`SIGTERM`/`SIGINT` through `Deno.addSignalListener`, and
 * `beforeunload`) that stop the server and await `flagpost.shutdown()`
 * before the process exits.
 *
 * @example
 * ```ts
 * import { createFlagpost, serve } from "flagpost/deno";
 * const flagpost = createFlagpost(); // Deno.env (with --allow-env) + AsyncLocalStorage
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
  finalShutdown,
  flagpostHandler,
  type RunningServer,
  runningServer,
  type ScopedHandler,
  type ServeOptions,
  type ShutdownHookOptions,
} from "../_server-lifecycle.ts";

export * from "../_server-entry.ts";

interface DenoLike {
  addSignalListener(signal: string, handler: () => void): void;
  removeSignalListener(signal: string, handler: () => void): void;
  exit(code?: number): never;
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number; hostname: string }) => void },
    handler: (request: Request) => Promise<Response>,
  ): { addr: { port: number; hostname: string }; shutdown(): Promise<void>; finished: Promise<void> };
}

function denoOf(): DenoLike {
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  if (deno === undefined) throw new FlagpostError("invalid_argument", "flagpost/deno runs on Deno only", { field: "runtime" });
  return deno;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = Object.freeze({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 });

/**
 * Hooks `SIGTERM`/`SIGINT` (Deno signal listeners) and `beforeunload` so
 * the process awaits `flagpost.shutdown()` before it exits. Returns a
 * function removing them.
 *
 * @example
 * ```ts
 * import { createFlagpost, installShutdownHooks } from "flagpost/deno";
 * const uninstall = installShutdownHooks(createFlagpost());
 * uninstall();
 * ```
 */
export function installShutdownHooks(flagpost: Flagpost, options: ShutdownHookOptions = {}): () => void {
  const deno = denoOf();
  const shutdown = finalShutdown(flagpost, options);
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const listeners: Array<[string, () => void]> = [];
  const target = globalThis as unknown as {
    addEventListener?: EventTarget["addEventListener"];
    removeEventListener?: EventTarget["removeEventListener"];
  };
  const beforeUnload = (event: Event) => {
    if (flagpost.isShutdown) return;
    event.preventDefault(); // keep the event loop: the final flush is about to run
    void shutdown();
  };
  const remove = () => {
    for (const [signal, listener] of listeners) {
      try {
        deno.removeSignalListener(signal, listener);
      } catch {
        // Already removed.
      }
    }
    listeners.length = 0;
    target.removeEventListener?.("beforeunload", beforeUnload);
  };
  for (const signal of signals) {
    const listener = () => {
      remove();
      void shutdown().finally(() => {
        if (options.exit !== false) deno.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
      });
    };
    try {
      deno.addSignalListener(signal, listener);
      listeners.push([signal, listener]);
    } catch {
      // Signal not supported on this platform (e.g. SIGTERM on Windows).
    }
  }
  target.addEventListener?.("beforeunload", beforeUnload);
  return remove;
}

/**
 * Options of {@link serve}.
 *
 * @example
 * ```ts
 * import type { DenoServeOptions } from "flagpost/deno";
 * const options: DenoServeOptions = { port: 8000 };
 * console.log(options.port);
 * ```
 */
export type DenoServeOptions = ServeOptions;

/**
 * A running Deno server.
 *
 * @example
 * ```ts
 * // (fragment) server = serve(flagpost, handler)
 * await server.close();
 * ```
 */
export type FlagpostDenoServer = RunningServer;

/**
 * Serves `handler` with `Deno.serve` and flagpost's request lifecycle.
 * Throws `FlagpostError` outside Deno.
 *
 * @example
 * ```ts
 * import { createFlagpost, serve } from "flagpost/deno";
 * const server = serve(createFlagpost(), () => new Response("hello"), { port: 0, shutdownHooks: false });
 * console.log(await (await fetch(server.url)).text()); // "hello"
 * await server.close();
 * ```
 */
export function serve(flagpost: Flagpost, handler: ScopedHandler, options: DenoServeOptions = {}): FlagpostDenoServer {
  const deno = denoOf();
  const fetchHandler = flagpostHandler(flagpost, handler, options);
  const hostname = options.hostname ?? "127.0.0.1";
  const server = deno.serve({ port: options.port ?? 8080, hostname, onListen: () => {} }, fetchHandler);
  const stopServer = async () => {
    fetchHandler.stop();
    await server.shutdown();
  };
  return runningServer(flagpost, options, { hostname, port: server.addr.port }, stopServer, installShutdownHooks);
}
