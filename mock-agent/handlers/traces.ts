/**
 * `PUT|POST /v0.4/traces` and `/v0.5/traces`.
 *
 * @module
 */
import { countSpans, type DecodedTraces, decodeTracesV04, decodeTracesV05, TraceDecodeError, tracesV04 } from "../decode/msgpack-traces.ts";
import { overBudget, type PayloadScan, scanJson, scanMsgpack } from "../decode/budget.ts";
import { type IngestInput, mediaType, type Outcome, reject } from "../ingest.ts";

/**
 * Default `rate_by_service` answer: the agent's answer before it has computed any rate.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * createMockAgent({ rateByService: { ...DEFAULT_RATE_BY_SERVICE, "service:shop,env:prod": 0.5 } });
 * ```
 */
export const DEFAULT_RATE_BY_SERVICE: Readonly<Record<string, number>> = Object.freeze({ "service:,env:": 1 });

/** Handles one trace intake request. */
export function handleTraces(input: IngestInput, version: "v0.4" | "v0.5", rateByService: Record<string, number>): Outcome {
  const { request, body } = input;
  if (request.method !== "PUT" && request.method !== "POST") {
    return reject(405, `${request.method} not allowed on /${version}/traces (PUT or POST)`, { headers: { allow: "PUT, POST" } });
  }
  if (!body.ok) {
    return body.reason === "too_large"
      ? reject(413, body.message)
      : reject(body.reason === "unsupported_encoding" ? 415 : 400, body.message);
  }
  const type = mediaType(request);
  const json = type === "application/json" || type === "text/json";
  if (type !== "application/msgpack" && !(json && version === "v0.4")) {
    return reject(
      415,
      `Content-Type ${JSON.stringify(type)} not supported on /${version}/traces (application/msgpack${
        version === "v0.4" ? " or application/json" : ""
      })`,
    );
  }
  // The decode budget, checked on the raw bytes before anything is decoded.
  const scan: PayloadScan = json ? scanJson(body.bytes, input.limits) : scanMsgpack(body.bytes, input.limits);
  const refused = overBudget(scan, input.limits, json ? "JSON" : "msgpack");
  if (refused !== undefined) return reject(scan.over === "values" ? 413 : 400, refused);
  let traces: DecodedTraces;
  try {
    if (json) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(body.bytes));
      } catch (e) {
        return reject(400, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
      traces = tracesV04(parsed);
    } else {
      traces = version === "v0.4" ? decodeTracesV04(body.bytes) : decodeTracesV05(body.bytes);
    }
  } catch (e) {
    if (e instanceof TraceDecodeError) return reject(400, e.message);
    throw e;
  }
  const header = request.headers.get("x-datadog-trace-count");
  if (header === null) return reject(400, "X-Datadog-Trace-Count header is required");
  if (!/^\d{1,9}$/.test(header.trim())) {
    return reject(400, `X-Datadog-Trace-Count must be a non-negative integer, got ${JSON.stringify(header.slice(0, 40))}`);
  }
  const declared = Number(header.trim());
  if (declared !== traces.length) {
    return reject(
      400,
      `X-Datadog-Trace-Count is ${declared} but the payload has ${traces.length} trace chunk${traces.length === 1 ? "" : "s"}`,
    );
  }
  const spans = countSpans(traces);
  // Spans beyond the budget are counted in the summary, not stored.
  const kept = spans > input.limits.maxSpans ? keepSpans(traces, input.limits.maxSpans) : traces;
  const dropped = spans > input.limits.maxSpans ? `, ${spans - input.limits.maxSpans} spans past the mock agent's budget not stored` : "";
  return {
    status: 200,
    body: JSON.stringify({ rate_by_service: rateByService }),
    contentType: "application/json",
    summary: `${traces.length} trace${traces.length === 1 ? "" : "s"} / ${spans} span${spans === 1 ? "" : "s"}${dropped}`,
    decoded: { kind: "traces", version, traces: kept },
    decodedValues: scan.values,
  };
}

/** The first `max` spans, chunk by chunk (chunks past the budget are dropped). */
function keepSpans(traces: DecodedTraces, max: number): DecodedTraces {
  const out: DecodedTraces = [];
  let left = max;
  for (const chunk of traces) {
    if (left <= 0) break;
    out.push(chunk.length <= left ? chunk : chunk.slice(0, left));
    left -= chunk.length;
  }
  return out;
}
