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
import type { Flagpost } from "../../flagpost.ts";
import type { RequestScope } from "../../lifecycle/request-scope.ts";
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
export function flagpostMiddleware(options: FlagpostMiddlewareOptions): MiddlewareHandler {
  const source = options?.flagpost;
  if (source === undefined || source === null || (typeof source !== "function" && typeof source?.startRequest !== "function")) {
    throw new FlagpostError("invalid_argument", "flagpost must be a flagpost instance or a function (c) => instance", {
      field: "flagpost",
    });
  }
  const lifecycle: RequestLifecycleOptions = { name: options.name, resource: options.resource, deadlineMs: options.deadlineMs };
  return async (c, next) => {
    const flagpost = typeof source === "function" ? source(c) : source;
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
}
