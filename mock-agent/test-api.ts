/**
 * The inspection and fault-injection API (`/test/...`), served on both
 * ports. Modelled on dd-apm-test-agent's session API.
 *
 * Nothing it answers can exhaust memory, whatever the store holds:
 *
 * - every list is **paged**: `?limit=` (default {@link DEFAULT_PAGE_SIZE}
 *   for the legacy array routes, {@link DEFAULT_REQUESTS_PAGE_SIZE} for
 *   `/test/requests`, at most {@link MAX_PAGE_SIZE}), `?after=<id>` (a
 *   cursor: requests with a larger id) and `?offset=`; the next page is named
 *   in `Link: <…>; rel="next"`, `X-Next-After` and `X-Total-Count` headers
 *   (and in the envelope of `/test/requests`);
 * - a page stops early at {@link MAX_PAGE_BYTES} of JSON (at least one entry);
 * - raw bodies are inlined (base64, built in linear time) only up to
 *   {@link INLINE_BODY_LIMIT}; larger ones are fetched one at a time from
 *   `GET /test/requests/:id/body`;
 * - an entry that cannot be rendered is replaced by an error entry, never a 500.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { encodeBase64 } from "../src/core/base64.ts";
import { FlagpostError } from "../src/core/errors.ts";
import { discardBody, readBody } from "./body.ts";
import { type DecodedSpan, spanToJson } from "./decode/msgpack-traces.ts";
import { type OtlpMetricsJson, sumEvaluations } from "./decode/otlp-metrics.ts";
import { FaultLimitError, type FaultRegistry, MAX_PENDING_FAULTS as MAX_PENDING, parseFaultSpec } from "./faults.ts";
import { requestToken } from "./ingest.ts";
import type { RecordedRequest, RequestKind, RequestStore } from "./store.ts";

const MAX_FAULT_BODY = 64 * 1024;
const MAX_TOKEN_LENGTH = 256;

/**
 * Raw bodies up to this size (64 KiB) are inlined as base64 in request listings; larger ones are served by `/test/requests/:id/body`.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const inline = body.length <= INLINE_BODY_LIMIT;
 * ```
 */
export const INLINE_BODY_LIMIT = 64 * 1024;
/**
 * Entries per page of the legacy array routes (`/test/session/requests`, `/test/exposures`, …) when `limit` is absent.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * await fetch(`${agent.url}/test/exposures?limit=${DEFAULT_PAGE_SIZE}`);
 * ```
 */
export const DEFAULT_PAGE_SIZE = 1_000;
/**
 * Entries per page of `/test/requests` when `limit` is absent.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * await fetch(`${agent.url}/test/requests?limit=${DEFAULT_REQUESTS_PAGE_SIZE}`);
 * ```
 */
export const DEFAULT_REQUESTS_PAGE_SIZE = 100;
/**
 * Largest accepted `limit`.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * await fetch(`${agent.url}/test/requests?limit=${MAX_PAGE_SIZE}`);
 * ```
 */
export const MAX_PAGE_SIZE = 10_000;
/**
 * A page stops growing once its JSON reaches this size (8 MiB); at least one entry is always returned.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * MAX_PAGE_BYTES; // 8388608
 * ```
 */
export const MAX_PAGE_BYTES = 8 * 1024 * 1024;

/**
 * The JSON shape of one recorded request in `/test/requests` and `/test/session/requests`.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const { requests }: { requests: RequestJson[] } = await (await fetch(`${agent.url}/test/requests`)).json();
 * ```
 */
export interface RequestJson {
  id: number;
  time: number;
  method: string;
  path: string;
  url: string;
  headers: Record<string, string>;
  /** Body as received (before inflating), base64; `null` when larger than {@link INLINE_BODY_LIMIT} (see `bodyUrl`). */
  body: string | null;
  /** Size of the body as received, in bytes. */
  bodyBytes: number;
  /** True when `body` was left out for its size. */
  bodyTruncated?: true;
  /** Where the raw body is served: `/test/requests/<id>/body`. */
  bodyUrl: string;
  status: number;
  kind: string;
  sessionToken: string | null;
  fault: boolean;
  summary: string;
  error?: string;
}

/**
 * Renders a recorded request for the inspection API (body inlined up to {@link INLINE_BODY_LIMIT}).
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * agent.store.list().map(requestToJson);
 * ```
 */
export function requestToJson(r: RecordedRequest): RequestJson {
  const inline = r.body.length <= INLINE_BODY_LIMIT;
  const out: RequestJson = {
    id: r.id,
    time: r.time,
    method: r.method,
    path: r.path,
    url: r.path + r.query,
    headers: r.headers,
    body: inline ? encodeBase64(r.body) : null,
    bodyBytes: r.body.length,
    bodyUrl: `/test/requests/${r.id}/body`,
    status: r.status,
    kind: r.kind,
    sessionToken: r.sessionToken,
    fault: r.fault,
    summary: r.summary,
  };
  if (!inline) out.bodyTruncated = true;
  if (r.error !== undefined) out.error = r.error;
  return out;
}

/** A page request: `limit`, `after` (id cursor), `offset`. */
interface PageQuery {
  limit: number;
  after: number;
  offset: number;
}

function parsePage(url: URL, defaultLimit: number): PageQuery | string {
  const int = (name: string, min: number, max: number, fallback: number): number | string => {
    const text = url.searchParams.get(name);
    if (text === null || text === "") return fallback;
    if (!/^\d{1,15}$/.test(text) || Number(text) < min || Number(text) > max) {
      return `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text.slice(0, 40))}`;
    }
    return Number(text);
  };
  const limit = int("limit", 1, MAX_PAGE_SIZE, defaultLimit);
  const after = int("after", 0, Number.MAX_SAFE_INTEGER, 0);
  const offset = int("offset", 0, Number.MAX_SAFE_INTEGER, 0);
  for (const v of [limit, after, offset]) if (typeof v === "string") return v;
  return { limit: limit as number, after: after as number, offset: offset as number };
}

/** One page of rendered entries, as JSON texts, with what the next page is. */
interface RenderedPage {
  parts: string[];
  /** Matching records in all (before paging). */
  total: number;
  /** Id of the last record on this page when more follow, else null. */
  nextAfter: number | null;
}

/**
 * Pages `records` (already filtered) and renders each with `render` (a JSON
 * value), stopping at `limit` entries or {@link MAX_PAGE_BYTES}. A record
 * that cannot be stringified becomes an error entry (never a 500).
 */
function renderPage(records: readonly RecordedRequest[], page: PageQuery, render: (r: RecordedRequest) => unknown): RenderedPage {
  const after = records.filter((r) => r.id > page.after);
  const window = after.slice(page.offset);
  const parts: string[] = [];
  let bytes = 2;
  let used = 0;
  for (const r of window) {
    if (parts.length >= page.limit) break;
    let text: string;
    try {
      const value = render(r);
      text = JSON.stringify(value) ?? "null";
    } catch (e) {
      text = JSON.stringify({ id: r.id, error: `could not render: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}` });
    }
    if (parts.length > 0 && bytes + text.length + 1 > MAX_PAGE_BYTES) break;
    parts.push(text);
    bytes += text.length + 1;
    used++;
  }
  const more = window.length > used;
  return { parts, total: records.length, nextAfter: more && used > 0 ? window[used - 1]!.id : more ? page.after : null };
}

/** A JSON array response of a page, with `X-Total-Count`, `X-Next-After` and `Link: rel="next"` headers. */
function arrayPage(c: Context, page: RenderedPage, limit: number): Response {
  const headers: Record<string, string> = { "content-type": "application/json", "x-total-count": String(page.total) };
  if (page.nextAfter !== null) {
    const next = new URL(c.req.url);
    next.searchParams.set("after", String(page.nextAfter));
    next.searchParams.set("limit", String(limit));
    next.searchParams.delete("offset");
    headers["x-next-after"] = String(page.nextAfter);
    headers["link"] = `<${next.pathname}${next.search}>; rel="next"`;
  }
  return new Response(`[${page.parts.join(",")}]`, { status: 200, headers });
}

/**
 * Groups decoded spans by trace id across every accepted trace payload, in
 * first-seen order.
 */
export function groupTraces(records: readonly RecordedRequest[]): DecodedSpan[][] {
  const byTrace = new Map<bigint, DecodedSpan[]>();
  for (const r of records) {
    if (r.decoded?.kind !== "traces") continue;
    for (const chunk of r.decoded.traces) {
      for (const span of chunk) {
        let group = byTrace.get(span.trace_id);
        if (group === undefined) byTrace.set(span.trace_id, group = []);
        group.push(span);
      }
    }
  }
  return [...byTrace.values()];
}

/** Registers the `/test/...` routes on `app`. */
export function registerTestApi(app: Hono, store: RequestStore, faults: FaultRegistry): void {
  /** Session-filtered records (optionally of one decoded kind), or a 404 response for a session never seen. */
  const scoped = (c: Context, decodedKind?: RequestKind): RecordedRequest[] | Response => {
    const token = requestToken(c.req.raw, new URL(c.req.url));
    if (token !== null && !store.hasSession(token)) {
      return c.json({ error: `no test session ${JSON.stringify(token.slice(0, MAX_TOKEN_LENGTH))}` }, 404);
    }
    const records = store.list(token);
    return decodedKind === undefined ? records : records.filter((r) => r.decoded?.kind === decodedKind);
  };

  /** A legacy array route: session-scoped, filtered, paged, bounded. */
  const arrayRoute = (path: string, decodedKind: RequestKind | undefined, render: (r: RecordedRequest) => unknown) =>
    app.get(path, (c) => {
      const records = scoped(c, decodedKind);
      if (records instanceof Response) return records;
      const page = parsePage(new URL(c.req.url), DEFAULT_PAGE_SIZE);
      if (typeof page === "string") return c.json({ error: page }, 400);
      return arrayPage(c, renderPage(records, page, render), page.limit);
    });

  const start = async (c: Context) => {
    await discardBody(c.req.raw, MAX_FAULT_BODY);
    const token = requestToken(c.req.raw, new URL(c.req.url));
    if (token === null) return c.json({ error: "test_session_token (query) or X-Datadog-Test-Session-Token (header) is required" }, 400);
    if (token.length > MAX_TOKEN_LENGTH) return c.json({ error: `a session token has at most ${MAX_TOKEN_LENGTH} characters` }, 400);
    store.startSession(token);
    return c.json({ session: token });
  };
  app.get("/test/session/start", start);
  app.post("/test/session/start", start);

  const clear = async (c: Context) => {
    await discardBody(c.req.raw, MAX_FAULT_BODY);
    const token = requestToken(c.req.raw, new URL(c.req.url));
    store.clear(token);
    return c.json({ cleared: token ?? "all" });
  };
  app.get("/test/session/clear", clear);
  app.post("/test/session/clear", clear);

  arrayRoute("/test/session/requests", undefined, requestToJson);

  // The paged listing with an envelope, for pages and tools: { requests, total, limit, nextAfter, next }.
  app.get("/test/requests", (c) => {
    const url = new URL(c.req.url);
    const kind = url.searchParams.get("kind");
    let records = scoped(c);
    if (records instanceof Response) return records;
    if (kind !== null && kind !== "") records = records.filter((r) => r.kind === kind);
    const page = parsePage(url, DEFAULT_REQUESTS_PAGE_SIZE);
    if (typeof page === "string") return c.json({ error: page }, 400);
    const rendered = renderPage(records, page, requestToJson);
    let next: string | null = null;
    if (rendered.nextAfter !== null) {
      url.searchParams.set("after", String(rendered.nextAfter));
      url.searchParams.set("limit", String(page.limit));
      url.searchParams.delete("offset");
      next = `${url.pathname}${url.search}`;
    }
    const envelope = `{"total":${rendered.total},"limit":${page.limit},"nextAfter":${rendered.nextAfter},"next":${
      JSON.stringify(next)
    },"requests":[${rendered.parts.join(",")}]}`;
    return new Response(envelope, { headers: { "content-type": "application/json" } });
  });

  const byId = (c: Context): RecordedRequest | Response => {
    const text = c.req.param("id") ?? "";
    const record = /^\d{1,15}$/.test(text) ? store.get(Number(text)) : undefined;
    return record ?? c.json({ error: `no stored request ${JSON.stringify(text.slice(0, 40))} (evicted, cleared or never received)` }, 404);
  };
  app.get("/test/requests/:id", (c) => {
    const record = byId(c);
    return record instanceof Response ? record : c.json(requestToJson(record));
  });
  // One raw body, as received on the wire (before inflating).
  app.get("/test/requests/:id/body", (c) => {
    const record = byId(c);
    if (record instanceof Response) return record;
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="request-${record.id}.bin"`,
    };
    const type = record.headers["content-type"];
    const encoding = record.headers["content-encoding"];
    if (type !== undefined) headers["x-original-content-type"] = type;
    if (encoding !== undefined) headers["x-original-content-encoding"] = encoding;
    return new Response(record.body as Uint8Array<ArrayBuffer>, { headers });
  });

  // Decoded EVP payloads, with their schema problems.
  for (const [path, kind] of [["/test/exposures", "exposures"], ["/test/flagevaluations", "flagevaluation"]] as const) {
    arrayRoute(
      path,
      kind,
      (r) =>
        r.decoded?.kind === kind
          ? { id: r.id, time: r.time, path: r.path, sessionToken: r.sessionToken, payload: r.decoded.payload, problems: r.decoded.problems }
          : undefined,
    );
  }

  // { requests: [...this page], evaluations: summed over this page's requests }.
  app.get("/test/metrics", (c) => {
    const records = scoped(c, "metrics");
    if (records instanceof Response) return records;
    const page = parsePage(new URL(c.req.url), DEFAULT_PAGE_SIZE);
    if (typeof page === "string") return c.json({ error: page }, 400);
    const requests: OtlpMetricsJson[] = [];
    const rendered = renderPage(records, page, (r) => {
      if (r.decoded?.kind !== "metrics") return undefined;
      requests.push(r.decoded.request);
      return { id: r.id, time: r.time, sessionToken: r.sessionToken, format: r.decoded.format, request: r.decoded.request };
    });
    requests.length = rendered.parts.length; // the last one rendered may not have fit
    const response = arrayPage(c, rendered, page.limit);
    const body = `{"requests":[${rendered.parts.join(",")}],"evaluations":${JSON.stringify(sumEvaluations(requests))}}`;
    return new Response(body, { headers: response.headers });
  });

  // Spans of this page's trace payloads, grouped by trace id (a trace split across pages appears on each).
  app.get("/test/traces", (c) => {
    const records = scoped(c, "traces");
    if (records instanceof Response) return records;
    const page = parsePage(new URL(c.req.url), DEFAULT_PAGE_SIZE);
    if (typeof page === "string") return c.json({ error: page }, 400);
    // Records are paged by the size of their spans' JSON, then their spans are regrouped by trace id.
    const onPage: RecordedRequest[] = [];
    const rendered = renderPage(records, page, (r) => {
      onPage.push(r);
      return r.decoded?.kind === "traces" ? r.decoded.traces.flat().map(spanToJson) : [];
    });
    onPage.length = rendered.parts.length; // the last one rendered may not have fit
    const parts = groupTraces(onPage).map((trace) => {
      try {
        return JSON.stringify(trace.map(spanToJson));
      } catch (e) {
        return JSON.stringify({ error: `could not render: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}` });
      }
    });
    return arrayPage(c, { ...rendered, parts }, page.limit);
  });

  app.get("/test/stats", (c) => c.json({ ...store.stats(), sessions: store.sessionCount, pendingFaults: faults.size }));

  app.get("/test/faults", (c) => c.json(faults.list()));
  app.delete("/test/faults", (c) => {
    const n = faults.list().length;
    faults.clear();
    return c.json({ cleared: n });
  });
  app.post("/test/faults", async (c) => {
    const body = await readBody(c.req.raw, MAX_FAULT_BODY);
    if (!body.ok) return c.json({ error: body.message }, body.reason === "too_large" ? 413 : 400);
    let spec: unknown;
    try {
      spec = JSON.parse(new TextDecoder().decode(body.bytes));
    } catch (e) {
      return c.json({ error: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` }, 400);
    }
    const specs = Array.isArray(spec) ? spec : [spec];
    try {
      // Validate all before registering any.
      const parsed = specs.map((s) => parseFaultSpec(s));
      if (faults.size + parsed.length > MAX_PENDING) throw new FaultLimitError(MAX_PENDING);
      return c.json(parsed.map((s) => faults.add(s)), 201);
    } catch (e) {
      if (e instanceof FlagpostError) return c.json({ error: e.message, field: e.field }, 400);
      if (e instanceof FaultLimitError) return c.json({ error: e.message }, 429);
      throw e;
    }
  });
}
