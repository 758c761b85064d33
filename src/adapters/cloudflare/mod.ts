/**
 * flagpost/cloudflare: `withFlagpost(handler, options)` wraps an
 * `export default { fetch }` worker so each request gets its own scope and
 * its telemetry leaves through `ctx.waitUntil` once the response has been
 * sent.
 *
 * A worker has no background thread and no timer that outlives a request:
 * data that is not sent while the runtime still runs the request's
 * `waitUntil` work is lost. So the adapter ends the scope when the handler
 * returns, waits for the response body to be handed over, and then runs one
 * bounded `flush()` inside `waitUntil` (deadline 5 s by default, refused
 * above 25 s: Cloudflare cancels `waitUntil` work after 30 s). It creates
 * the flagpost instance on the first request, from the worker's `env`
 * (string variables and secrets), and starts no timer.
 *
 * With `nodejs_compat`, `AsyncLocalStorage` binds the scope so the
 * OpenFeature hook and a `FlagpostProvider` given the instance find it by
 * themselves; without it, pass `scope` explicitly (`flagpost.hook({ scope })`
 * on a per-request client, or the `flagpostScope` hook hint).
 *
 * @example
 * ```ts
 * import { OpenFeature } from "@openfeature/server-sdk";
 * import { withFlagpost } from "flagpost/cloudflare";
 * import { FlagpostProvider } from "flagpost/openfeature";
 *
 * export default withFlagpost({
 *   async fetch(request, _env, _ctx, { scope }) {
 *     const client = OpenFeature.getClient();
 *     const on = await client.getBooleanValue("new-checkout", false, { targetingKey: request.headers.get("x-user") ?? "" });
 *     scope.setTag("checkout.new", String(on));
 *     return new Response(on ? "new checkout" : "classic checkout");
 *   },
 * }, {
 *   setup: (flagpost) => OpenFeature.setProvider(new FlagpostProvider({ url: "https://cdn.example/flags.json", flagpost })),
 * });
 * ```
 *
 * @module
 */
import { FlagpostError } from "../../core/errors.ts";
import { safeLogger } from "../../core/logger.ts";
import { StatsRegistry, type StatsSnapshot } from "../../core/stats.ts";
import { createFlagpost, type Flagpost, type FlagpostOptions } from "../../flagpost.ts";
import type { RequestScope } from "../../lifecycle/request-scope.ts";
import { asyncLocalScopeStore } from "../_async-local-scope-store.ts";
import { disabledFlagpost, reportConfigError } from "../_disabled-flagpost.ts";
import { flushInBackground, type RequestLifecycleOptions, runRequest } from "../_request-lifecycle.ts";
import { stringVariables } from "../_runtime-env.ts";

/**
 * The part of a worker's `ExecutionContext` the adapter uses.
 *
 * @example
 * ```ts
 * import type { ExecutionContextLike } from "flagpost/cloudflare";
 * const pending: Promise<unknown>[] = [];
 * const ctx: ExecutionContextLike = { waitUntil: (p) => void pending.push(p) };
 * console.log(typeof ctx.waitUntil);
 * ```
 */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * What the wrapped handler receives as its fourth argument.
 *
 * @example
 * ```ts
 * // (fragment) inside withFlagpost({ fetch(request, env, ctx, { flagpost, scope }) { ... } })
 * scope.span("render", () => render());
 * ```
 */
export interface FlagpostWorkerContext {
  /** The isolate's flagpost instance. */
  readonly flagpost: Flagpost;
  /** This request's scope. */
  readonly scope: RequestScope;
}

/**
 * A worker handler with flagpost's context as a fourth argument.
 *
 * @example
 * ```ts
 * import type { FlagpostWorkerHandler } from "flagpost/cloudflare";
 * const handler: FlagpostWorkerHandler<{ GREETING: string }> = {
 *   fetch: (_request, env) => new Response(env.GREETING),
 * };
 * console.log(typeof handler.fetch);
 * ```
 */
export interface FlagpostWorkerHandler<Env = Record<string, unknown>> {
  fetch(request: Request, env: Env, ctx: ExecutionContextLike, flagpost: FlagpostWorkerContext): Response | Promise<Response>;
}

/**
 * Options of {@link withFlagpost}: every `createFlagpost` option except
 * `env` (the worker's `env` is used, with `envOverrides` on top), the
 * request naming, and `setup`, called once when the instance is created.
 *
 * @example
 * ```ts
 * import type { WithFlagpostOptions } from "flagpost/cloudflare";
 * const options: WithFlagpostOptions = { service: "edge-shop", deadlineMs: 3_000, spanEnrichmentEnabled: true };
 * console.log(options.deadlineMs);
 * ```
 */
export interface WithFlagpostOptions<Env = Record<string, unknown>> extends Omit<FlagpostOptions, "env">, RequestLifecycleOptions {
  /** Variables added to (and winning over) the worker's `env`. */
  envOverrides?: Readonly<Record<string, string>>;
  /** Called once, with the new instance and the first request's `env` (install providers, hooks). */
  setup?: (flagpost: Flagpost, env: Env) => void;
}

/**
 * A worker as `withFlagpost` returns it: `export default` it.
 *
 * @example
 * ```ts
 * // (fragment) worker = withFlagpost(handler)
 * console.log(worker.flagpost?.stats());
 * ```
 */
export interface FlagpostWorker<Env> {
  fetch(request: Request, env: Env, ctx: ExecutionContextLike): Promise<Response>;
  /** The instance, once the first request created it (undefined while disabled by a configuration error). */
  readonly flagpost: Flagpost | undefined;
  /**
   * The error that disabled telemetry in this isolate (e.g. a
   * `FlagpostError` for `DD_TRACE_AGENT_URL="agent:8126"`), if any.
   */
  readonly configError: unknown;
  /**
   * The counters of this worker: the instance's, plus
   * `flagpost.errors{config}` when its configuration was refused. The
   * registry is `options.stats` when given.
   */
  stats(): StatsSnapshot;
}

/**
 * The most a flush may take on a worker: Cloudflare cancels `waitUntil` work after 30 s.
 *
 * @example
 * ```ts
 * import { MAX_WORKER_FLUSH_DEADLINE_MS } from "flagpost/cloudflare";
 * console.log(MAX_WORKER_FLUSH_DEADLINE_MS); // 25000
 * ```
 */
export const MAX_WORKER_FLUSH_DEADLINE_MS = 25_000;

/**
 * Resolves once `response`'s body has been handed over entirely (at once
 * when it has none, when the client cancels it, or at the latest after
 * `maxWaitMs`), and returns the response to send in its place.
 */
function afterBody(response: Response, maxWaitMs: number): { response: Response; sent: Promise<void> } {
  if (response.body === null || response.status === 101 || (response as { webSocket?: unknown }).webSocket != null) {
    return { response, sent: Promise.resolve() };
  }
  let done!: () => void;
  const sent = new Promise<void>((resolve) => (done = resolve));
  const watch = new TransformStream<Uint8Array, Uint8Array>(
    { flush: () => done(), cancel: () => done() } as Transformer<Uint8Array, Uint8Array>,
  );
  const wrapped = new Response(response.body.pipeThrough(watch), response);
  // A stalled client must not hold the telemetry back forever.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const latest = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
  return { response: wrapped, sent: Promise.race([sent, latest]).finally(() => clearTimeout(timer)) };
}

/**
 * Wraps a worker: each request runs in its own scope, and the flush is
 * handed to `ctx.waitUntil` after the response. Throws `FlagpostError` when
 * `deadlineMs` exceeds {@link MAX_WORKER_FLUSH_DEADLINE_MS}.
 *
 * A configuration error found when the first request creates the instance
 * (a bad variable in `env`) never fails a request: it is logged once,
 * counted (`flagpost.errors{config}` in {@link FlagpostWorker.stats}), kept
 * in `configError`, and every request of this isolate is served without
 * telemetry (the handler gets a disabled instance and scope). It is not
 * retried per request — a worker's `env` does not change within an
 * isolate — but on the next isolate start, i.e. after the variable is fixed
 * and the worker redeployed.
 *
 * @example
 * ```ts
 * import { withFlagpost } from "flagpost/cloudflare";
 * export default withFlagpost({
 *   fetch: (_request, _env, _ctx, { scope }) => scope.span("hello", () => new Response("hello")),
 * }, { service: "hello-worker" });
 * ```
 */
export function withFlagpost<Env = Record<string, unknown>>(
  handler: FlagpostWorkerHandler<Env>,
  options: WithFlagpostOptions<Env> = {},
): FlagpostWorker<Env> {
  if (handler === null || typeof handler !== "object" || typeof handler.fetch !== "function") {
    throw new FlagpostError("invalid_argument", "handler must be an object with a fetch(request, env, ctx, flagpost) method", {
      field: "handler",
    });
  }
  const deadline = options.deadlineMs;
  if (deadline !== undefined && (typeof deadline !== "number" || !(deadline > 0) || deadline > MAX_WORKER_FLUSH_DEADLINE_MS)) {
    throw new FlagpostError(
      "invalid_argument",
      `deadlineMs must be a number of milliseconds in (0, ${MAX_WORKER_FLUSH_DEADLINE_MS}] (waitUntil work is cancelled after 30 s)`,
      { field: "deadlineMs" },
    );
  }
  const { envOverrides, setup, name, resource, deadlineMs, ...flagpostOptions } = options;
  let lifecycle: RequestLifecycleOptions = { name, resource, deadlineMs };
  let instance: Flagpost | undefined;
  let disabled: { flagpost: Flagpost; error: unknown } | undefined;
  const stats = flagpostOptions.stats ?? new StatsRegistry();

  const create = (env: Env): Flagpost | undefined => {
    try {
      return createFlagpost({
        scopeStore: asyncLocalScopeStore(),
        // Each request's waitUntil runs its own flush (work begun for one request may be cancelled with it).
        coalesceFlushes: false,
        ...flagpostOptions,
        stats,
        env: { ...stringVariables(env), ...envOverrides },
      });
    } catch (error) {
      // Telemetry must never break the host: serve without it in this isolate (logged and counted once).
      reportConfigError(error, stats, safeLogger(flagpostOptions.logger));
      disabled = { flagpost: disabledFlagpost(), error };
      return undefined;
    }
  };

  const obtain = (env: Env): Flagpost | undefined => {
    if (instance !== undefined || disabled !== undefined) return instance;
    const created = create(env);
    if (created === undefined) return undefined;
    if (deadlineMs === undefined && created.config.flushDeadlineMs > MAX_WORKER_FLUSH_DEADLINE_MS) {
      lifecycle = { ...lifecycle, deadlineMs: MAX_WORKER_FLUSH_DEADLINE_MS };
    }
    instance = created;
    setup?.(created, env);
    return created;
  };

  return {
    get flagpost() {
      return instance;
    },
    get configError() {
      return disabled?.error;
    },
    stats: () => stats.snapshot(),
    async fetch(request: Request, env: Env, ctx: ExecutionContextLike): Promise<Response> {
      const flagpost = obtain(env);
      if (flagpost === undefined) {
        const inert = disabled!.flagpost;
        return await runRequest(inert, request, lifecycle, (scope) => handler.fetch(request, env, ctx, { flagpost: inert, scope }));
      }
      let result: { response: Response; sent: Promise<void> };
      try {
        const response = await runRequest(flagpost, request, lifecycle, (scope) => handler.fetch(request, env, ctx, { flagpost, scope }));
        result = afterBody(response, lifecycle.deadlineMs ?? flagpost.config.flushDeadlineMs);
      } catch (error) {
        ctx.waitUntil(flushInBackground(flagpost, lifecycle.deadlineMs));
        throw error;
      }
      ctx.waitUntil(result.sent.then(() => flushInBackground(flagpost, lifecycle.deadlineMs)));
      return result.response;
    },
  };
}
