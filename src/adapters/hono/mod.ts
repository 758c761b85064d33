/**
 * flagpost/hono: a Hono middleware that gives each request its own scope
 * and flushes after the response — through `c.executionCtx.waitUntil` on
 * workers, and on Deno, Bun and Node by starting the flush without awaiting
 * it, so the response is never delayed by telemetry.
 *
 * The handler reaches the instance and the scope with `c.get("flagpost")`
 * and `c.get("flagpostScope")`. Only Hono's types are imported: the
 * middleware adds no runtime dependency.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createFlagpost } from "flagpost";
 * import { flagpostMiddleware, type FlagpostVariables } from "flagpost/hono";
 *
 * const flagpost = createFlagpost({ env: { DD_SERVICE: "hono-shop" } });
 * const app = new Hono<{ Variables: FlagpostVariables }>();
 * app.use(flagpostMiddleware({ flagpost }));
 * app.get("/", (c) => c.text(`trace ${c.get("flagpostScope").traceId}`));
 * export default app;
 * ```
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { FlagpostError } from "../../core/errors.ts";
import { type Logger, safeLogger } from "../../core/logger.ts";
import { StatsRegistry, type StatsSnapshot } from "../../core/stats.ts";
import type { Flagpost } from "../../flagpost.ts";
import type { RequestScope } from "../../lifecycle/request-scope.ts";
import { disabledFlagpost, reportConfigError } from "../_disabled-flagpost.ts";
import { flushInBackground, type RequestLifecycleOptions, runRequest } from "../_request-lifecycle.ts";

/**
 * The context variables the middleware sets.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import type { FlagpostVariables } from "flagpost/hono";
 * const app = new Hono<{ Variables: FlagpostVariables }>();
 * console.log(typeof app.fetch);
 * ```
 */
export interface FlagpostVariables {
  flagpost: Flagpost;
  flagpostScope: RequestScope;
}

/**
 * Options of {@link flagpostMiddleware}.
 *
 * @example
 * ```ts
 * import { createFlagpost } from "flagpost";
 * import type { FlagpostMiddlewareOptions } from "flagpost/hono";
 * const options: FlagpostMiddlewareOptions = { flagpost: createFlagpost({}), deadlineMs: 2_000 };
 * console.log(options.deadlineMs);
 * ```
 */
export interface FlagpostMiddlewareOptions extends RequestLifecycleOptions {
  /** The instance, or a function returning it from the context (e.g. created from `c.env` on workers, once). */
  readonly flagpost: Flagpost | ((c: Context) => Flagpost);
  /** Where a failure of the `flagpost` function is counted (`flagpost.errors{config}`; default a private registry, see `stats()`). */
  readonly stats?: StatsRegistry;
  /** Where a failure of the `flagpost` function is logged (once); silent by default. */
  readonly logger?: Logger;
}

/**
 * The middleware as {@link flagpostMiddleware} returns it: a Hono
 * middleware, plus what it counted itself.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createFlagpost } from "flagpost";
 * import { flagpostMiddleware } from "flagpost/hono";
 * const middleware = flagpostMiddleware({ flagpost: (c) => createFlagpost({ env: c.env as Record<string, string> }) });
 * const app = new Hono();
 * app.use(middleware);
 * console.log(middleware.stats()); // {}: no configuration error yet
 * ```
 */
export interface FlagpostMiddleware extends MiddlewareHandler {
  /** The middleware's counters (`flagpost.errors{config}` when the `flagpost` function threw). */
  stats(): StatsSnapshot;
  /** The error the `flagpost` function threw, which disabled telemetry for this middleware, if any. */
  readonly configError: unknown;
}

function waitUntilOf(c: Context): ((p: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx; // throws where the runtime gave none
    return typeof ctx?.waitUntil === "function" ? (p) => ctx.waitUntil(p) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The middleware: opens a scope per request (root span named after the
 * matched method and path), runs the rest of the chain inside it, ends it
 * with the response status (or 500 and the error), then flushes after the
 * response. Throws `FlagpostError` when `flagpost` is missing.
 *
 * When `flagpost` is a function and it throws (e.g. `createFlagpost` on a
 * bad variable in `c.env`), no request fails: the error is logged once and
 * counted (`flagpost.errors{config}`), and this middleware serves every
 * later request without telemetry (`c.get("flagpost")` and
 * `c.get("flagpostScope")` are a disabled instance and scope). It does not
 * call the function again: the middleware is created once per isolate or
 * process, and a new one (the next isolate start) tries again.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createFlagpost } from "flagpost";
 * import { flagpostMiddleware } from "flagpost/hono";
 * const app = new Hono();
 * app.use(flagpostMiddleware({ flagpost: createFlagpost({}) }));
 * const res = await app.request("/");
 * console.log(res.status); // 404: no route, but the request was traced
 * ```
 */
export function flagpostMiddleware(options: FlagpostMiddlewareOptions): FlagpostMiddleware {
  const source = options?.flagpost;
  if (source === undefined || source === null || (typeof source !== "function" && typeof source?.startRequest !== "function")) {
    throw new FlagpostError("invalid_argument", "flagpost must be a flagpost instance or a function (c) => instance", {
      field: "flagpost",
    });
  }
  const lifecycle: RequestLifecycleOptions = { name: options.name, resource: options.resource, deadlineMs: options.deadlineMs };
  const stats = options.stats ?? new StatsRegistry();
  let disabled: { flagpost: Flagpost; error: unknown } | undefined;
  const obtain = (c: Context): Flagpost | undefined => {
    if (typeof source !== "function") return source;
    if (disabled !== undefined) return undefined;
    try {
      return source(c);
    } catch (error) {
      // Telemetry must never break the host: serve without it from now on (logged and counted once).
      reportConfigError(error, stats, safeLogger(options.logger));
      disabled = { flagpost: disabledFlagpost(), error };
      return undefined;
    }
  };
  const middleware: MiddlewareHandler = async (c, next) => {
    const flagpost = obtain(c);
    if (flagpost === undefined) {
      const inert = disabled!.flagpost;
      await runRequest(inert, c.req.raw, lifecycle, async (scope) => {
        c.set("flagpost", inert);
        c.set("flagpostScope", scope);
        await next();
        return c.res;
      });
      return;
    }
    try {
      await runRequest(flagpost, c.req.raw, lifecycle, async (scope) => {
        c.set("flagpost", flagpost);
        c.set("flagpostScope", scope);
        await next();
        return c.res;
      }, () => c.error);
    } finally {
      const flushing = flushInBackground(flagpost, lifecycle.deadlineMs);
      waitUntilOf(c)?.(flushing);
    }
  };
  // defineProperties, not Object.assign: assign would read the getter once, now.
  return Object.defineProperties(middleware, {
    stats: { value: () => stats.snapshot() },
    configError: { get: () => disabled?.error },
  }) as FlagpostMiddleware;
}
