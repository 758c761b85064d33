/**
 * `createMockAgent`: the mock agent as Hono apps over one shared store.
 *
 * @module
 */
import { Hono } from "hono";
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DRAIN_BYTES } from "./body.ts";
import { type DecodeLimits, DEFAULT_DECODE_LIMITS } from "./decode/budget.ts";
import { FaultRegistry } from "./faults.ts";
import { handleAgentlessExposures, handleAgentlessFlagEvaluation, handleEvp } from "./handlers/evp.ts";
import { agentState, infoBody, type InfoSettings } from "./handlers/info.ts";
import { handleOtlpMetrics } from "./handlers/otlp.ts";
import { DEFAULT_RATE_BY_SERVICE, handleTraces } from "./handlers/traces.ts";
import { ConnectionDroppedError, ingest, type IngestContext, reject } from "./ingest.ts";
import { type RecordedRequest, RequestStore } from "./store.ts";
import { registerTestApi } from "./test-api.ts";
import { registerPage } from "./page/routes.ts";
import { describeValue, FlagpostError } from "../src/core/errors.ts";

/**
 * Default time a request body may take to arrive (70 s: above the longest delay fault, 60 s).
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * createMockAgent({ requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS / 7 });
 * ```
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 70_000;

function positiveOption(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > 2_147_483_647) {
    throw new FlagpostError("invalid_argument", `${field} must be an integer from 1 to 2147483647, got ${describeValue(value)}`, { field });
  }
  return value;
}

function decodeLimitsOf(partial: Partial<DecodeLimits> | undefined): DecodeLimits {
  const limits = { ...DEFAULT_DECODE_LIMITS };
  for (const key of Object.keys(DEFAULT_DECODE_LIMITS) as Array<keyof DecodeLimits>) {
    limits[key] = positiveOption(partial?.[key], `decodeLimits.${key}`, DEFAULT_DECODE_LIMITS[key]);
  }
  return limits;
}

/**
 * Options of `createMockAgent`. Every field is optional.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const options: MockAgentOptions = { maxRequests: 1_000, apiKey: "test-key" };
 * ```
 */
export interface MockAgentOptions {
  /** The `rate_by_service` object answered to trace payloads (default `{"service:,env:": 1}`). */
  rateByService?: Record<string, number>;
  /** Body limit on the wire and after inflating (default 10 MiB, the agent's EVP limit). */
  maxBodyBytes?: number;
  /** Store bound in requests (default 10,000). */
  maxRequests?: number;
  /** Store bound in bytes: wire bodies, headers and decoded forms (estimated), default 128 MiB. */
  maxStoredBytes?: number;
  /**
   * The whole request body must arrive within this time (default 70,000 ms,
   * above the longest delay fault); a slower client is answered 408 and its
   * connection closed. `startMockAgent` also uses it as the listener's idle timeout.
   */
  requestTimeoutMs?: number;
  /** Bytes of a refused (too large) body read and discarded so the client gets the answer (default 16 MiB; beyond, `Connection: close`). */
  maxDrainBytes?: number;
  /** What one payload may cost to decode and store (defaults: `DEFAULT_DECODE_LIMITS`). */
  decodeLimits?: Partial<DecodeLimits>;
  /** When set, the agentless intake accepts only this `DD-API-KEY` (default: any non-empty key). */
  apiKey?: string;
  /** Agent version reported by `/info` (default `"7.70.0"`). */
  agentVersion?: string;
  /** `client_drop_p0s` reported by `/info` (default true, as recent agents). */
  clientDropP0s?: boolean;
  /** `config.receiver_port` reported by `/info` (default 8126; `startMockAgent` sets the real one). */
  receiverPort?: number;
  /** Called after each intake request is answered (the CLI logs with it). Errors it throws are ignored. */
  onRequest?: (record: RecordedRequest) => void;
  /** Clock for record times (default `Date.now`). */
  now?: () => number;
}

/**
 * A mock agent: Hono apps (usable in-process through `fetch`) over a shared store and fault registry.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const agent: MockAgent = createMockAgent(); agent.faults.add({ path: "/v1/metrics", status: 503 });
 * ```
 */
export interface MockAgent {
  /** Every endpoint (APM and OTLP) on one app, for in-process use: `agent.app.fetch(request)`. */
  app: Hono;
  /**
   * A `fetch` served in-process by {@link MockAgent.app} (any host in the URL),
   * to pass as the `fetch` option of flagpost's writers and exporters.
   */
  fetch: typeof fetch;
  /** The APM port's endpoints only (`/info`, traces, EVP proxy, agentless intake, `/test/...`). */
  apmApp: Hono;
  /** The OTLP port's endpoints only (`/v1/metrics`, `/test/...`). */
  otlpApp: Hono;
  /** Recorded requests. */
  store: RequestStore;
  /** Pending injected faults. */
  faults: FaultRegistry;
  /** Settings reflected in `/info`; `startMockAgent` updates `receiverPort`. */
  info: InfoSettings;
}

/**
 * Creates a mock Datadog agent. Nothing listens: use `app.fetch` in-process
 * (including inside workerd), or `startMockAgent` for real sockets.
 *
 * A fault with `dropConnection` makes `app.fetch` reject with
 * `ConnectionDroppedError` (a `TypeError`, like `fetch` on a reset
 * connection).
 *
 * @example
 * ```ts
 * import { createMockAgent } from "flagpost/mock-agent";
 * const agent = createMockAgent();
 * const res = await agent.app.fetch(new Request("http://agent/info"));
 * res.headers.get("datadog-agent-state"); // SHA-256 hex of the body
 * agent.store.list(); // [{ method: "GET", path: "/info", status: 200, ... }]
 * ```
 */
export function createMockAgent(options: MockAgentOptions = {}): MockAgent {
  const store = new RequestStore({
    ...(options.maxRequests !== undefined ? { maxRequests: options.maxRequests } : {}),
    ...(options.maxStoredBytes !== undefined ? { maxBytes: options.maxStoredBytes } : {}),
  });
  const faults = new FaultRegistry();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const rateByService = { ...(options.rateByService ?? DEFAULT_RATE_BY_SERVICE) };
  const info: InfoSettings = {
    version: options.agentVersion ?? "7.70.0",
    receiverPort: options.receiverPort ?? 8126,
    maxRequestBytes: maxBodyBytes,
    clientDropP0s: options.clientDropP0s ?? true,
  };
  const ctx: IngestContext = {
    store,
    faults,
    maxBodyBytes,
    requestTimeoutMs: positiveOption(options.requestTimeoutMs, "requestTimeoutMs", DEFAULT_REQUEST_TIMEOUT_MS),
    maxDrainBytes: positiveOption(options.maxDrainBytes, "maxDrainBytes", DEFAULT_MAX_DRAIN_BYTES),
    decodeLimits: decodeLimitsOf(options.decodeLimits),
    onRequest: options.onRequest,
    now: options.now ?? Date.now,
  };

  const build = (apm: boolean, otlp: boolean): Hono => {
    const app = new Hono();
    // While a drop is pending, close connections after each answer: HTTP clients (undici, Bun,
    // Deno's hyper) transparently retry a request whose *reused* keep-alive connection is reset,
    // which would hide the injected drop. A fresh connection's reset is reported to the caller.
    app.use("*", async (c, next) => {
      await next();
      if (faults.hasPendingDrop()) {
        try {
          c.res.headers.set("connection", "close");
        } catch {
          // immutable headers: nothing to do
        }
      }
    });
    registerTestApi(app, store, faults);
    if (apm) {
      registerPage(app, store, faults); // GET / (the page), its assets, /test/events and the fault form
      app.all("/info", (c) =>
        ingest(ctx, c.req.raw, "info", async ({ request }) => {
          if (request.method !== "GET") return reject(405, `${request.method} not allowed on /info (GET)`, { headers: { allow: "GET" } });
          const body = infoBody(info);
          return {
            status: 200,
            body,
            contentType: "application/json",
            headers: { "datadog-agent-state": await agentState(body) },
            summary: "agent info",
          };
        }));
      for (const version of ["v0.4", "v0.5"] as const) {
        app.all(`/${version}/traces`, (c) =>
          ingest(ctx, c.req.raw, "traces", async (input) => {
            const outcome = handleTraces(input, version, rateByService);
            const state = await agentState(infoBody(info));
            return { ...outcome, headers: { ...outcome.headers, "datadog-agent-state": state } };
          }));
      }
      app.all("/evp_proxy/:version/*", (c) => {
        const version = c.req.param("version");
        const kind = c.req.path.endsWith("/api/v2/exposures")
          ? "exposures"
          : c.req.path.endsWith("/api/v2/flagevaluation")
          ? "flagevaluation"
          : "other";
        if (version !== "v2" && version !== "v4") {
          return ingest(ctx, c.req.raw, "other", () => reject(404, `EVP proxy version ${JSON.stringify(version)} not served (v2, v4)`));
        }
        const intakePath = c.req.path.slice(`/evp_proxy/${version}`.length);
        return ingest(ctx, c.req.raw, kind, (input) => handleEvp(input, intakePath));
      });
      app.all("/api/v2/exposures", (c) => ingest(ctx, c.req.raw, "exposures", (input) => handleAgentlessExposures(input, options.apiKey)));
      app.all(
        "/api/v2/flagevaluation",
        (c) => ingest(ctx, c.req.raw, "flagevaluation", (input) => handleAgentlessFlagEvaluation(input, options.apiKey)),
      );
    }
    if (otlp) {
      app.all("/v1/metrics", (c) => ingest(ctx, c.req.raw, "metrics", handleOtlpMetrics));
    }
    app.notFound((c) => ingest(ctx, c.req.raw, "other", ({ url }) => reject(404, `no mock agent endpoint at ${url.pathname}`)));
    app.onError((err, c) => {
      if (err instanceof ConnectionDroppedError) throw err;
      return c.text(`mock agent internal error: ${err.message}\n`, 500);
    });
    return app;
  };

  const app = build(true, true);
  // Like fetch: an aborted signal rejects the call (with the signal's reason), even while a delay fault holds the answer.
  const inProcessFetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const signal = request.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      Promise.resolve(app.fetch(request)).then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }) as typeof fetch;
  return { app, fetch: inProcessFetch, apmApp: build(true, false), otlpApp: build(false, true), store, faults, info };
}
