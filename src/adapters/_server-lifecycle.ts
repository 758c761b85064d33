/**
 * What the long-running server adapters (Deno, Bun, Node) share: a fetch
 * handler wrapper that scopes each request and flushes after each response
 * (or, opt-in, on an interval created inside the first request — never at
 * import), and shutdown hooks on `process` signals that await
 * `shutdown()` before the process exits, so the last batch is not lost.
 *
 * @module
 */
import { describeValue, FlagpostError } from "../core/errors.ts";
import { flushDeadlineMs } from "../core/signal.ts";
import { createFlagpost, type Flagpost, type FlagpostOptions } from "../flagpost.ts";
import type { FlushReport } from "../lifecycle/flush-report.ts";
import type { RequestScope } from "../lifecycle/request-scope.ts";
import { asyncLocalScopeStore } from "./_async-local-scope-store.ts";
import { flushInBackground, type RequestLifecycleOptions, runRequest } from "./_request-lifecycle.ts";
import { processEnv } from "./_runtime-env.ts";

/**
 * Options of a server adapter's handler wrapper.
 *
 * @example
 * ```ts
 * import type { ServerLifecycleOptions } from "flagpost/node";
 * const options: ServerLifecycleOptions = { flushIntervalMs: 10_000 };
 * console.log(options.flushIntervalMs);
 * ```
 */
export interface ServerLifecycleOptions extends RequestLifecycleOptions {
  /**
   * Flush every `flushIntervalMs` (at least 100) instead of after every
   * response. The timer is created inside the first request, never at
   * import, and does not keep the process alive.
   */
  readonly flushIntervalMs?: number;
}

/**
 * A request handler that receives the request's scope.
 *
 * @example
 * ```ts
 * import type { ScopedHandler } from "flagpost/node";
 * const handler: ScopedHandler = (_request, scope) => new Response(`trace ${scope.traceId}`);
 * console.log(typeof handler);
 * ```
 */
export type ScopedHandler = (request: Request, scope: RequestScope) => Response | Promise<Response>;

/**
 * A fetch handler with flagpost's request lifecycle; `stop()` clears the
 * interval flush, if any.
 *
 * @example
 * ```ts
 * // (fragment) handler = flagpostHandler(flagpost, (request, scope) => new Response("ok"))
 * Deno.serve(handler);
 * ```
 */
export interface FlagpostFetchHandler {
  (request: Request): Promise<Response>;
  /** Stops the interval flush (if one runs). */
  stop(): void;
}

/**
 * Wraps `handler`: each request runs in its own scope (bound through the
 * instance's scope store), ends with the response status, and is followed
 * by a flush that the response does not wait for (or by the interval flush).
 *
 * @example
 * ```ts
 * import { createFlagpost, flagpostHandler } from "flagpost/node";
 * const flagpost = createFlagpost({ env: { DD_SERVICE: "api" } });
 * const handler = flagpostHandler(flagpost, (_request, scope) => scope.span("work", () => new Response("done")));
 * const res = await handler(new Request("http://localhost/"));
 * console.log(await res.text()); // "done"
 * ```
 */
export function flagpostHandler(flagpost: Flagpost, handler: ScopedHandler, options: ServerLifecycleOptions = {}): FlagpostFetchHandler {
  if (typeof flagpost?.startRequest !== "function") {
    throw new FlagpostError("invalid_argument", "flagpost must be a flagpost instance (createFlagpost)", { field: "flagpost" });
  }
  if (typeof handler !== "function") throw new FlagpostError("invalid_argument", "handler must be a function", { field: "handler" });
  const interval = options.flushIntervalMs;
  if (interval !== undefined && (typeof interval !== "number" || !Number.isFinite(interval) || interval < 100)) {
    throw new FlagpostError("invalid_argument", `flushIntervalMs must be a number ≥ 100, got ${describeValue(interval)}`, {
      field: "flushIntervalMs",
    });
  }
  let timer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  const wrapped = (async (request: Request): Promise<Response> => {
    if (interval !== undefined && timer === undefined && !stopped) {
      timer = setInterval(() => void flushInBackground(flagpost, options.deadlineMs), interval);
      (timer as { unref?: () => void }).unref?.();
    }
    try {
      return await runRequest(flagpost, request, options, (scope) => handler(request, scope));
    } finally {
      if (interval === undefined) void flushInBackground(flagpost, options.deadlineMs);
    }
  }) as FlagpostFetchHandler;
  wrapped.stop = () => {
    stopped = true;
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  return wrapped;
}

/**
 * `createFlagpost` for a server runtime (Deno, Bun, Node): the process
 * environment as `env` (explicit `options.env` entries win; on Deno it needs
 * `--allow-env`) and an `AsyncLocalStorage` scope store, so hooks and
 * providers find the request's scope by themselves.
 *
 * @example
 * ```ts
 * import { createFlagpost } from "flagpost/node";
 * console.log(createFlagpost({ service: "api" }).config.service); // "api"
 * ```
 */
export function createServerFlagpost(options: FlagpostOptions = {}): Flagpost {
  return createFlagpost({ scopeStore: asyncLocalScopeStore(), ...options, env: { ...processEnv(), ...options.env } });
}

/**
 * Options of `installShutdownHooks`.
 *
 * @example
 * ```ts
 * import type { ShutdownHookOptions } from "flagpost/node";
 * const options: ShutdownHookOptions = { signals: ["SIGTERM"], deadlineMs: 3_000, exit: true };
 * console.log(options.signals);
 * ```
 */
export interface ShutdownHookOptions {
  /** Signals that trigger the shutdown (default `SIGTERM` and `SIGINT`). */
  readonly signals?: readonly string[];
  /**
   * Deadline of the whole shutdown, from the signal: stopping the server
   * (`beforeShutdown`, at most half of it) and the final flush (the rest).
   * Default the configuration's `flushDeadlineMs`, 5,000 ms.
   */
  readonly deadlineMs?: number;
  /** Exit after a signal's shutdown (default true; code 128 + signal number, as without the hook). */
  readonly exit?: boolean;
  /**
   * Runs before the final flush (e.g. stop accepting connections). Its
   * failure is ignored, and it is not waited for beyond half the deadline
   * (a streaming response may keep a server from closing forever).
   */
  readonly beforeShutdown?: () => unknown;
  /** Receives the final flush's report. */
  readonly onShutdown?: (report: FlushReport) => void;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = Object.freeze({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 });

interface ProcessLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  exit(code?: number): never;
}

function processOf(): ProcessLike | undefined {
  const p = (globalThis as { process?: ProcessLike }).process;
  return typeof p?.on === "function" && typeof p?.off === "function" ? p : undefined;
}

/**
 * The share of the shutdown deadline that stopping the server may take. A
 * server stop waits for in-flight responses (Node `server.close`, Deno
 * `server.shutdown()`, Bun `server.stop()`), and a streaming or long-polling
 * response may never end: past this share the final flush starts anyway,
 * with the rest of the deadline.
 */
const SERVER_STOP_SHARE = 0.5;

/** Resolves when `work` settles or after `ms`, whichever comes first; never rejects, leaves no timer behind. */
function settleWithin(work: () => unknown, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      Promise.resolve(work()).then(done, done);
    } catch {
      done(); // Stopping the server failed: still flush.
    }
  });
}

/**
 * Runs the final shutdown once, whatever triggered it, within the deadline
 * measured from the first call (the signal): `beforeShutdown` (stopping the
 * server) gets at most half of it, the final flush what remains.
 */
export function finalShutdown(flagpost: Flagpost, options: ShutdownHookOptions): () => Promise<FlushReport> {
  let running: Promise<FlushReport> | undefined;
  return () =>
    running ??= (async () => {
      const started = performance.now();
      const deadlineMs = flushDeadlineMs(options, flagpost.config.flushDeadlineMs);
      if (options.beforeShutdown !== undefined) await settleWithin(options.beforeShutdown, deadlineMs * SERVER_STOP_SHARE);
      const left = Math.max(1, deadlineMs - (performance.now() - started));
      const report = await flagpost.shutdown({ deadlineMs: left });
      try {
        options.onShutdown?.(report);
      } catch {
        // A failing callback must not block the exit.
      }
      return report;
    })();
}

/**
 * Shutdown hooks on `process` (Node and Bun): `SIGTERM`/`SIGINT` (by
 * default) and `beforeExit` await `flagpost.shutdown()` before the process
 * exits. Returns a function that removes them.
 *
 * @example
 * ```ts
 * import { createFlagpost, installShutdownHooks } from "flagpost/node";
 * const uninstall = installShutdownHooks(createFlagpost(), { deadlineMs: 3_000 });
 * uninstall();
 * ```
 */
export function installProcessShutdownHooks(flagpost: Flagpost, options: ShutdownHookOptions = {}): () => void {
  const proc = processOf();
  if (proc === undefined) return () => {};
  const shutdown = finalShutdown(flagpost, options);
  const listeners: Array<[string, (...args: unknown[]) => void]> = [];
  const remove = () => {
    for (const [event, listener] of listeners) proc.off(event, listener);
    listeners.length = 0;
  };
  for (const signal of options.signals ?? ["SIGTERM", "SIGINT"]) {
    const listener = () => {
      remove();
      void shutdown().finally(() => {
        if (options.exit !== false) proc.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
      });
    };
    listeners.push([signal, listener]);
    proc.on(signal, listener);
  }
  // The event loop emptied: flush once more (the pending fetch keeps the process alive until it ends).
  const beforeExit = () => {
    remove();
    void shutdown();
  };
  listeners.push(["beforeExit", beforeExit]);
  proc.on("beforeExit", beforeExit);
  return remove;
}

/**
 * Options of a server adapter's `serve`.
 *
 * @example
 * ```ts
 * import type { ServeOptions } from "flagpost/node";
 * const options: ServeOptions = { port: 8080, hostname: "0.0.0.0", shutdownHooks: true };
 * console.log(options.port);
 * ```
 */
export interface ServeOptions extends ServerLifecycleOptions, ShutdownHookOptions {
  /** Port (default 8080; 0 picks a free one). */
  readonly port?: number;
  /** Interface (default `127.0.0.1`). */
  readonly hostname?: string;
  /** Install the shutdown hooks (default true). */
  readonly shutdownHooks?: boolean;
}

/** A listening server as the adapters return it. */
export interface RunningServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections, then shuts flagpost down (final flush). Idempotent. */
  close(): Promise<FlushReport>;
}

/**
 * The handle every `serve` returns: `close()` stops the server then shuts
 * flagpost down, once, whether it is called or a shutdown hook fires first.
 */
export function runningServer(
  flagpost: Flagpost,
  options: ShutdownHookOptions & { readonly shutdownHooks?: boolean },
  where: { hostname: string; port: number },
  stopServer: () => Promise<unknown>,
  installHooks: (flagpost: Flagpost, options: ShutdownHookOptions) => () => void,
): RunningServer {
  const hookOptions = { ...options, beforeShutdown: stopServer };
  const close = finalShutdown(flagpost, hookOptions);
  const removeHooks = options.shutdownHooks !== false ? installHooks(flagpost, hookOptions) : () => {};
  const host = where.hostname.includes(":") ? `[${where.hostname}]` : where.hostname;
  return {
    url: `http://${host}:${where.port}`,
    port: where.port,
    close: () => {
      removeHooks();
      return close();
    },
  };
}
