/**
 * `startMockAgent`: the mock agent on real sockets, two listeners (APM port
 * and OTLP port) over one store.
 *
 * Servers per runtime: `Bun.serve` on Bun; `@hono/node-server` (`node:http`)
 * on Node **and on Deno**. Deno runs the `node:http` server too because
 * `Deno.serve` has no way to reset a connection before the status line
 * (a handler error becomes a 500, an errored body stream arrives after a
 * 200), and `dropConnection` faults must make the client's `fetch` reject.
 * `@hono/node-server` is loaded with a dynamic `import()` inside that branch
 * only, so bundles for workers can mark it external.
 *
 * @module
 */
import { FlagpostError } from "../src/core/errors.ts";
import { createMockAgent, DEFAULT_REQUEST_TIMEOUT_MS, type MockAgent, type MockAgentOptions } from "./app.ts";
import { ConnectionDroppedError } from "./ingest.ts";

/**
 * Options of `startMockAgent`: where to listen, plus every `createMockAgent` option.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * await startMockAgent({ host: "127.0.0.1", port: 0, otlpPort: 0, maxRequests: 500 });
 * ```
 */
export interface StartMockAgentOptions extends MockAgentOptions {
  /** Interface to bind (default `"127.0.0.1"`). */
  host?: string;
  /** APM port (default 8126; 0 picks a free port). */
  port?: number;
  /** OTLP/HTTP port (default 4318; 0 picks a free port). */
  otlpPort?: number;
}

/**
 * A listening mock agent.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const agent: RunningMockAgent = await startMockAgent({ port: 0, otlpPort: 0 }); agent.url; await agent.close();
 * ```
 */
export interface RunningMockAgent extends MockAgent {
  /** Base URL of the APM port, e.g. `http://127.0.0.1:8126`. */
  url: string;
  /** Base URL of the OTLP port, e.g. `http://127.0.0.1:4318` (metrics go to `${otlpUrl}/v1/metrics`). */
  otlpUrl: string;
  /** Which server implementation is listening. */
  server: "bun" | "node-http";
  /** Stops both listeners and closes open connections. */
  close(): Promise<void>;
}

type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

interface Listener {
  port: number;
  close(): Promise<void>;
}

// Minimal local shapes of the runtime globals, so this file builds with Web types only.
interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
interface BunGlobal {
  serve(options: {
    hostname: string;
    port: number;
    idleTimeout?: number;
    fetch(request: Request): Response | Promise<Response>;
    error?(error: Error): Response;
  }): BunServer;
}
interface NodeSocketLike {
  destroy(): void;
}
interface NodeServerLike {
  requestTimeout?: number;
  headersTimeout?: number;
  timeout?: number;
  listen(port: number, host: string): void;
  once(event: "listening" | "error", cb: (error?: Error) => void): void;
  address(): { port: number } | string | null;
  close(cb: (err?: Error) => void): void;
  closeAllConnections?(): void;
}

interface NodeServerModule {
  createAdaptorServer(options: {
    overrideGlobalObjects?: boolean;
    fetch(request: Request, env: unknown): Promise<Response>;
  }): unknown;
}

/** A response whose body errors at once: Bun resets the connection before the status line. */
function resetResponse(): Response {
  return new Response(new ReadableStream({ start: (c) => c.error() }));
}

function validPort(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new FlagpostError("invalid_argument", `${field} must be an integer from 0 to 65535, got ${String(value)}`, { field });
  }
  return value;
}

function listenBun(bun: BunGlobal, host: string, port: number, fetch: Fetch, timeoutMs: number): Promise<Listener> {
  const server = bun.serve({
    hostname: host,
    port,
    // Seconds (Bun caps it at 255) without a byte either way; like Node's timeouts, it frees a connection a silent client holds.
    // The default (70 s) is above the longest delay fault (60 s), which holds a request silently.
    idleTimeout: Math.max(1, Math.min(255, Math.ceil(timeoutMs / 1000))),
    async fetch(request) {
      try {
        return await fetch(request);
      } catch (e) {
        if (e instanceof ConnectionDroppedError) return resetResponse();
        return new Response(`mock agent internal error\n`, { status: 500 });
      }
    },
    error: () => new Response(`mock agent internal error\n`, { status: 500 }),
  });
  return Promise.resolve({ port: server.port, close: async () => void (await server.stop(true)) });
}

async function listenNode(host: string, port: number, fetch: Fetch, timeoutMs: number): Promise<Listener> {
  // Loaded here only, so bundles for workers can stub or externalize the package.
  const { createAdaptorServer } = (await import("@hono/node-server")) as unknown as NodeServerModule;
  const server = createAdaptorServer({
    overrideGlobalObjects: false, // never replace the host process's Request/Response
    fetch: async (request: Request, env: unknown) => {
      try {
        return await fetch(request);
      } catch (e) {
        if (e instanceof ConnectionDroppedError) {
          (env as { incoming: { socket: NodeSocketLike } }).incoming.socket.destroy();
          return new Response(null, { status: 500 });
        }
        return new Response(`mock agent internal error\n`, { status: 500 });
      }
    },
  }) as NodeServerLike;
  // The whole request, its headers, and any silence are bounded (Node defaults: 300 s, 60 s, none).
  server.requestTimeout = timeoutMs;
  server.headersTimeout = Math.min(60_000, timeoutMs);
  server.timeout = timeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) => reject(e));
    server.once("listening", () => resolve());
    server.listen(port, host);
  });
  const address = server.address();
  const actual = typeof address === "object" && address !== null ? address.port : port;
  return {
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts the mock agent on two ports (APM and OTLP) and resolves once both
 * listen. Port 0 picks a free port; read the chosen ones from `url` and
 * `otlpUrl`. Works on Deno, Bun and Node; in a worker, use
 * `createMockAgent().app.fetch` instead.
 *
 * @example
 * ```ts
 * import { startMockAgent } from "flagpost/mock-agent";
 * const agent = await startMockAgent({ port: 0, otlpPort: 0 });
 * await fetch(`${agent.url}/info`);
 * await agent.close();
 * ```
 */
export async function startMockAgent(options: StartMockAgentOptions = {}): Promise<RunningMockAgent> {
  const host = options.host ?? "127.0.0.1";
  const port = validPort(options.port ?? 8126, "port");
  const otlpPort = validPort(options.otlpPort ?? 4318, "otlpPort");
  const agent = createMockAgent(options);
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const g = globalThis as { Bun?: BunGlobal; Deno?: unknown; process?: { versions?: { node?: string } } };
  let kind: RunningMockAgent["server"];
  let listen: (port: number, fetch: Fetch) => Promise<Listener>;
  if (g.Bun !== undefined) {
    const bun = g.Bun;
    kind = "bun";
    listen = (p, f) => listenBun(bun, host, p, f, timeoutMs);
  } else if (g.Deno !== undefined || g.process?.versions?.node !== undefined) {
    kind = "node-http";
    listen = (p, f) => listenNode(host, p, f, timeoutMs);
  } else {
    throw new FlagpostError("invalid_argument", "startMockAgent needs Deno, Bun or Node; in a worker use createMockAgent().app.fetch", {
      field: "runtime",
    });
  }
  const apm = await listen(port, (r) => agent.apmApp.fetch(r));
  let otlp: Listener;
  try {
    otlp = await listen(otlpPort, (r) => agent.otlpApp.fetch(r));
  } catch (e) {
    await apm.close();
    throw e;
  }
  agent.info.receiverPort = apm.port;
  const base = (p: number) => `http://${host.includes(":") ? `[${host}]` : host}:${p}`;
  let closed: Promise<void> | undefined;
  return {
    ...agent,
    url: base(apm.port),
    otlpUrl: base(otlp.port),
    server: kind,
    close: () => (closed ??= Promise.all([apm.close(), otlp.close()]).then(() => {})),
  };
}
