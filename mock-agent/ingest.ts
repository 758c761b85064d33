/**
 * The pipeline every intake request goes through: read the body (bounded),
 * apply an injected fault if one matches, run the endpoint's handler, record
 * the exchange in the store, answer.
 *
 * @module
 */
import { delay } from "../src/core/delay.ts";
import { type BodyResult, readBody } from "./body.ts";
import type { DecodeLimits } from "./decode/budget.ts";
import type { Fault, FaultRegistry } from "./faults.ts";
import type { DecodedBody, RecordedRequest, RequestKind, RequestStore } from "./store.ts";

/**
 * The header that names a test session (as in dd-apm-test-agent).
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * await fetch(`${agent.url}/v0.4/traces`, { method: "PUT", headers: { [SESSION_HEADER]: "t1" }, body });
 * ```
 */
export const SESSION_HEADER = "x-datadog-test-session-token";
/**
 * The query parameter that names a test session (as in dd-apm-test-agent).
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * await fetch(`${agent.url}/test/exposures?${SESSION_QUERY}=t1`);
 * ```
 */
export const SESSION_QUERY = "test_session_token";

/**
 * Thrown (and let through `app.fetch`) when a fault drops the connection.
 * In-process, the caller's `fetch` replacement rejects with it, as a real
 * `fetch` rejects with a `TypeError` on a reset connection; on a socket,
 * `startMockAgent` turns it into a reset connection.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * try { await agent.app.fetch(request); } catch (e) { e instanceof ConnectionDroppedError; }
 * ```
 */
export class ConnectionDroppedError extends TypeError {
  constructor(path: string) {
    super(`mock agent dropped the connection (injected fault on ${path})`);
    this.name = "ConnectionDroppedError";
  }
}

/** What a handler decided. `body` null means an empty body. */
export interface Outcome {
  status: number;
  body?: string | Uint8Array | null;
  contentType?: string;
  headers?: Record<string, string>;
  summary: string;
  error?: string;
  decoded?: DecodedBody;
  /** Values the decode budget counted in the payload: the store accounts for the decoded form by it. */
  decodedValues?: number;
}

/** What a handler gets: the request, its (already bounded) body, and the decode budget. */
export interface IngestInput {
  request: Request;
  url: URL;
  body: BodyResult;
  limits: DecodeLimits;
}

/** Shared state of one mock agent. */
export interface IngestContext {
  store: RequestStore;
  faults: FaultRegistry;
  maxBodyBytes: number;
  /** The whole request body must arrive within this time (408 and closed beyond). */
  requestTimeoutMs: number;
  /** Bytes of a refused body drained so the client gets the answer (see `readBody`). */
  maxDrainBytes: number;
  /** Bounds on what one payload may cost to decode. */
  decodeLimits: DecodeLimits;
  onRequest: ((record: RecordedRequest) => void) | undefined;
  now: () => number;
}

/** A one-line plain-text rejection. */
export function reject(status: number, reason: string, extra: Partial<Outcome> = {}): Outcome {
  return { status, body: `${reason}\n`, contentType: "text/plain; charset=utf-8", summary: reason, error: reason, ...extra };
}

/** The media type of a request, lower-cased, without parameters. */
export function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

function headersOf(request: Request): Record<string, string> {
  const out: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

/** The session token a request names (header first, then query), or null. */
export function requestToken(request: Request, url: URL): string | null {
  const token = request.headers.get(SESSION_HEADER) ?? url.searchParams.get(SESSION_QUERY);
  return token === null || token === "" ? null : token;
}

/**
 * Runs one intake request through the pipeline and returns the response.
 * Never rejects, except with `ConnectionDroppedError` for an injected drop.
 */
export async function ingest(
  ctx: IngestContext,
  request: Request,
  kind: RequestKind,
  handle: (input: IngestInput) => Outcome | Promise<Outcome>,
): Promise<Response> {
  const time = ctx.now();
  const url = new URL(request.url);
  const body = request.method === "GET" || request.method === "HEAD"
    ? ({ ok: true, raw: new Uint8Array(0), bytes: new Uint8Array(0) } as BodyResult)
    : await readBody(request, ctx.maxBodyBytes, { timeoutMs: ctx.requestTimeoutMs, maxDrainBytes: ctx.maxDrainBytes });
  const close = !body.ok && body.closeConnection === true;
  if (!body.ok && body.reason === "timeout") {
    // A client this slow is not answered by a handler, nor by a fault: 408, and the connection closes.
    const outcome = reject(408, body.message);
    record(ctx, request, url, time, kind, body, outcome, false);
    return respond(outcome, true);
  }
  const fault = ctx.faults.take(request.method, url.pathname);
  let outcome: Outcome;
  let faulted = false;
  if (fault !== undefined && fault.delayMs > 0) await delay(fault.delayMs, request.signal);
  if (fault !== undefined && fault.dropConnection) {
    record(
      ctx,
      request,
      url,
      time,
      kind,
      body,
      { status: 0, summary: "connection dropped (injected fault)", error: "connection dropped" },
      true,
      fault,
    );
    throw new ConnectionDroppedError(url.pathname);
  }
  if (fault !== undefined && fault.status !== null) {
    faulted = true;
    outcome = {
      status: fault.status,
      body: null,
      summary: `injected fault ${fault.status}`,
      error: "injected fault",
      headers: {
        ...(fault.retryAfter !== null ? { "retry-after": fault.retryAfter } : {}),
        ...(fault.location !== null ? { location: fault.location } : {}),
      },
    };
  } else {
    try {
      outcome = await handle({ request, url, body, limits: ctx.decodeLimits });
    } catch (e) {
      // Handlers validate their input; reaching this is a mock agent bug, still never fatal.
      outcome = reject(500, `mock agent internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  record(ctx, request, url, time, kind, body, outcome, faulted || (fault !== undefined), fault);
  return respond(outcome, close);
}

/** The response for an outcome; `close` asks the server to close the connection after it (body not drained). */
function respond(outcome: Outcome, close: boolean): Response {
  const headers = new Headers(outcome.headers);
  if (outcome.contentType !== undefined) headers.set("content-type", outcome.contentType);
  if (close) headers.set("connection", "close");
  const payload = outcome.body ?? null;
  const noBody = outcome.status === 204 || outcome.status === 304 || (outcome.status >= 100 && outcome.status < 200);
  return new Response(noBody ? null : (payload as BodyInit | null), { status: outcome.status, headers });
}

function record(
  ctx: IngestContext,
  request: Request,
  url: URL,
  time: number,
  kind: RequestKind,
  body: BodyResult,
  outcome: Outcome,
  fault: boolean,
  applied?: Fault,
): void {
  const entry: RecordedRequest = {
    id: ctx.store.nextId(),
    time,
    method: request.method,
    path: url.pathname,
    query: url.search,
    headers: headersOf(request),
    body: body.raw,
    status: outcome.status,
    kind,
    sessionToken: ctx.store.sessionFor(requestToken(request, url)),
    fault,
    summary: outcome.summary,
  };
  if (outcome.error !== undefined) entry.error = outcome.error;
  if (applied !== undefined) entry.appliedFault = applied;
  if (outcome.decoded !== undefined && outcome.status >= 200 && outcome.status < 300) {
    entry.decoded = outcome.decoded;
    if (outcome.decodedValues !== undefined) entry.decodedValues = outcome.decodedValues;
  }
  ctx.store.add(entry);
  if (ctx.onRequest !== undefined) {
    try {
      ctx.onRequest(entry);
    } catch {
      // a logging callback never breaks the agent
    }
  }
}
