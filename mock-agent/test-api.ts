/**
 * The inspection and fault-injection API (`/test/...`), served on both
 * ports. Modelled on dd-apm-test-agent's session API.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { encodeBase64 } from "../src/core/base64.ts";
import { FlagpostError } from "../src/core/errors.ts";
import { readBody } from "./body.ts";
import { type DecodedSpan, spanToJson } from "./decode/msgpack-traces.ts";
import { type OtlpMetricsJson, sumEvaluations } from "./decode/otlp-metrics.ts";
import { type FaultRegistry, parseFaultSpec } from "./faults.ts";
import { requestToken } from "./ingest.ts";
import type { RecordedRequest, RequestStore } from "./store.ts";

const MAX_FAULT_BODY = 64 * 1024;

/** The JSON shape of one entry of `GET /test/session/requests`. */
export interface RequestJson {
  id: number;
  time: number;
  method: string;
  path: string;
  url: string;
  headers: Record<string, string>;
  /** Body as received, base64. */
  body: string;
  status: number;
  kind: string;
  sessionToken: string | null;
  fault: boolean;
  summary: string;
  error?: string;
}

/** Renders a recorded request for `GET /test/session/requests`. */
export function requestToJson(r: RecordedRequest): RequestJson {
  const out: RequestJson = {
    id: r.id,
    time: r.time,
    method: r.method,
    path: r.path,
    url: r.path + r.query,
    headers: r.headers,
    body: encodeBase64(r.body),
    status: r.status,
    kind: r.kind,
    sessionToken: r.sessionToken,
    fault: r.fault,
    summary: r.summary,
  };
  if (r.error !== undefined) out.error = r.error;
  return out;
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
  /** Session-filtered records, or a 404 response for a session never seen. */
  const scoped = (c: Context): RecordedRequest[] | Response => {
    const token = requestToken(c.req.raw, new URL(c.req.url));
    if (token !== null && !store.hasSession(token)) {
      return c.json({ error: `no test session ${JSON.stringify(token)}` }, 404);
    }
    return store.list(token);
  };

  const start = (c: Context) => {
    const token = requestToken(c.req.raw, new URL(c.req.url));
    if (token === null) return c.json({ error: "test_session_token (query) or X-Datadog-Test-Session-Token (header) is required" }, 400);
    store.startSession(token);
    return c.json({ session: token });
  };
  app.get("/test/session/start", start);
  app.post("/test/session/start", start);

  const clear = (c: Context) => {
    const token = requestToken(c.req.raw, new URL(c.req.url));
    store.clear(token);
    return c.json({ cleared: token ?? "all" });
  };
  app.get("/test/session/clear", clear);
  app.post("/test/session/clear", clear);

  app.get("/test/session/requests", (c) => {
    const records = scoped(c);
    return records instanceof Response ? records : c.json(records.map(requestToJson));
  });

  app.get("/test/exposures", (c) => {
    const records = scoped(c);
    if (records instanceof Response) return records;
    return c.json(
      records.flatMap((r) =>
        r.decoded?.kind === "exposures"
          ? [{
            id: r.id,
            time: r.time,
            path: r.path,
            sessionToken: r.sessionToken,
            payload: r.decoded.payload,
            problems: r.decoded.problems,
          }]
          : []
      ),
    );
  });

  app.get("/test/flagevaluations", (c) => {
    const records = scoped(c);
    if (records instanceof Response) return records;
    return c.json(
      records.flatMap((r) =>
        r.decoded?.kind === "flagevaluation"
          ? [{
            id: r.id,
            time: r.time,
            path: r.path,
            sessionToken: r.sessionToken,
            payload: r.decoded.payload,
            problems: r.decoded.problems,
          }]
          : []
      ),
    );
  });

  app.get("/test/metrics", (c) => {
    const records = scoped(c);
    if (records instanceof Response) return records;
    const requests: Array<{ id: number; time: number; sessionToken: string | null; format: string; request: OtlpMetricsJson }> = [];
    for (const r of records) {
      if (r.decoded?.kind === "metrics") {
        requests.push({ id: r.id, time: r.time, sessionToken: r.sessionToken, format: r.decoded.format, request: r.decoded.request });
      }
    }
    return c.json({ requests, evaluations: sumEvaluations(requests.map((r) => r.request)) });
  });

  app.get("/test/traces", (c) => {
    const records = scoped(c);
    if (records instanceof Response) return records;
    return c.json(groupTraces(records).map((trace) => trace.map(spanToJson)));
  });

  app.get("/test/stats", (c) => c.json({ ...store.stats(), pendingFaults: faults.list().length }));

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
      return c.json(parsed.map((s) => faults.add(s)), 201);
    } catch (e) {
      if (e instanceof FlagpostError) return c.json({ error: e.message, field: e.field }, 400);
      throw e;
    }
  });
}
