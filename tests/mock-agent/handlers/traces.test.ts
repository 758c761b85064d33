/** Trace intake (mock-agent/handlers/traces.ts): v0.4 and v0.5 over HTTP, decoded and recorded. */
import { describe, expect, test } from "bun:test";
import { encode } from "@msgpack/msgpack";
import { decodeTracesV05 } from "../../../mock-agent/mod.ts";
import { agent, json, send } from "../helpers.ts";

const BIG_TRACE = 0xfedcba9876543210n; // > 2^63, needs uint64
const START = 1_700_000_000_123_456_789n; // > 2^53, needs int64

const spanMap = (over: Record<string, unknown> = {}) => ({
  service: "checkout",
  name: "http.request",
  resource: "GET /cart",
  trace_id: BIG_TRACE,
  span_id: 42n,
  parent_id: 0,
  start: START,
  duration: 1500,
  error: 0,
  meta: { "ffe_flags_enc": "ZAgUAg==", "_dd.p.tid": "65f0a1b200000000" },
  metrics: { "_sampling_priority_v1": 1, "_dd.measured": 1.5 },
  type: "web",
  ...over,
});

const v04 = (traces: unknown) => encode(traces, { useBigInt64: true });

function putTraces(
  a: ReturnType<typeof agent>,
  version: "v0.4" | "v0.5",
  body: Uint8Array | string,
  count: string | null,
  contentType = "application/msgpack",
) {
  const headers: Record<string, string> = { "content-type": contentType };
  if (count !== null) headers["x-datadog-trace-count"] = count;
  return send(a, `/${version}/traces`, { method: "PUT", headers, body: body as BodyInit });
}

describe("v0.4 traces", () => {
  test("decodes spans with exact 64-bit integers and answers rate_by_service", async () => {
    const a = agent();
    const res = await putTraces(a, "v0.4", v04([[spanMap(), spanMap({ span_id: 43n, parent_id: 42n })], [spanMap({ trace_id: 7 })]]), "2");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ rate_by_service: { "service:,env:": 1 } });
    expect(res.headers.get("datadog-agent-state")).toMatch(/^[0-9a-f]{64}$/);
    const [record] = a.store.list();
    expect(record!.summary).toBe("2 traces / 3 spans");
    if (record!.decoded?.kind !== "traces") throw new Error("not decoded");
    const span = record!.decoded.traces[0]![0]!;
    expect(span.trace_id).toBe(BIG_TRACE);
    expect(span.start).toBe(START);
    expect(span.meta["ffe_flags_enc"]).toBe("ZAgUAg==");
    expect(span.metrics["_dd.measured"]).toBe(1.5);
    const traces = await json<Array<Array<Record<string, unknown>>>>(a, "/test/traces");
    expect(traces.map((t) => t.length)).toEqual([2, 1]);
    expect(traces[0]![0]!["trace_id"]).toBe(BIG_TRACE.toString());
    expect(traces[0]![0]!["start"]).toBe(START.toString());
  });

  test("POST works too and the rate_by_service answer is configurable", async () => {
    const a = agent({ rateByService: { "service:checkout,env:prod": 0.5 } });
    const res = await send(a, "/v0.4/traces", {
      method: "POST",
      headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "1" },
      body: v04([[spanMap()]]),
    });
    expect(await res.json()).toEqual({ rate_by_service: { "service:checkout,env:prod": 0.5 } });
  });

  test("accepts JSON on v0.4 like the agent", async () => {
    const a = agent();
    const body = JSON.stringify([[{ service: "s", name: "n", resource: "r", trace_id: 1, span_id: 2, start: 3, duration: 4 }]]);
    const res = await putTraces(a, "v0.4", body, "1", "application/json");
    expect(res.status).toBe(200);
  });

  test("spans arriving in separate payloads are grouped by trace id", async () => {
    const a = agent();
    await putTraces(a, "v0.4", v04([[spanMap()]]), "1");
    await putTraces(a, "v0.4", v04([[spanMap({ span_id: 99 })]]), "1");
    const traces = await json<unknown[][]>(a, "/test/traces");
    expect(traces.length).toBe(1);
    expect(traces[0]!.length).toBe(2);
  });

  test.each([
    ["a string trace id", [[spanMap({ trace_id: "1" })]], /traces\[0\]\[0\]\.trace_id: expected uint64, got str/],
    ["a negative span id", [[spanMap({ span_id: -1 })]], /span_id: -1 out of uint64 range/],
    ["a float duration", [[spanMap({ duration: 1.5 })]], /duration: expected int64, got float/],
    ["an error outside int32", [[spanMap({ error: 2 ** 31 })]], /error: 2147483648 out of int32 range/],
    ["a non-string meta value", [[spanMap({ meta: { a: 1 } })]], /meta\.a: expected str, got int/],
    ["a string metric", [[spanMap({ metrics: { a: "1" } })]], /metrics\.a: expected float64, got str/],
    ["a span that is not a map", [[[1, 2, 3]]], /traces\[0\]\[0\]: expected map, got array/],
    ["a trace that is not an array", [spanMap()], /traces\[0\]: expected array, got map/],
    ["a payload that is not an array", { a: 1 }, /payload: expected array, got map/],
  ])("rejects %s with a one-line 400", async (_name, payload, reason) => {
    const a = agent();
    const res = await putTraces(a, "v0.4", v04(payload), "1");
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toMatch(reason);
    expect(text.trim().split("\n").length).toBe(1);
    expect(a.store.list()[0]!.decoded).toBeUndefined();
  });

  test("malformed msgpack is a 400 naming the problem", async () => {
    const a = agent();
    for (const body of [new Uint8Array([0xc1]), new Uint8Array([0x91, 0x91, 0xde, 0x00]), new Uint8Array(0)]) {
      const res = await putTraces(a, "v0.4", body, "1");
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/^invalid msgpack: /);
    }
  });

  test("X-Datadog-Trace-Count must be present and equal the number of chunks", async () => {
    const a = agent();
    const body = v04([[spanMap()], [spanMap()]]);
    let res = await putTraces(a, "v0.4", body, null);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("X-Datadog-Trace-Count header is required\n");
    res = await putTraces(a, "v0.4", body, "3");
    expect(await res.text()).toBe("X-Datadog-Trace-Count is 3 but the payload has 2 trace chunks\n");
    res = await putTraces(a, "v0.4", body, "two");
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/must be a non-negative integer/);
  });

  test("wrong content type is 415, wrong method 405", async () => {
    const a = agent();
    expect((await putTraces(a, "v0.4", v04([]), "0", "text/plain")).status).toBe(415);
    expect((await putTraces(a, "v0.5", "[]", "0", "application/json")).status).toBe(415);
    const res = await send(a, "/v0.4/traces", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("PUT, POST");
  });
});

describe("v0.5 traces", () => {
  const table = ["", "checkout", "http.request", "GET /cart", "web", "ffe_flags_enc", "ZAgUAg==", "_sampling_priority_v1"];
  const span = [1, 2, 3, BIG_TRACE, 42n, 0, START, 1500, 0, { 5: 6 }, { 7: 1 }, 4];
  test("decodes the string table and 12-element spans", async () => {
    const a = agent();
    const res = await putTraces(a, "v0.5", encode([table, [[span, span]]], { useBigInt64: true }), "1");
    expect(res.status).toBe(200);
    const r = a.store.list()[0]!;
    expect(r.summary).toBe("1 trace / 2 spans");
    if (r.decoded?.kind !== "traces") throw new Error("not decoded");
    expect(r.decoded.version).toBe("v0.5");
    expect(r.decoded.traces[0]![0]).toEqual({
      service: "checkout",
      name: "http.request",
      resource: "GET /cart",
      trace_id: BIG_TRACE,
      span_id: 42n,
      parent_id: 0n,
      start: START,
      duration: 1500n,
      error: 0,
      meta: { ffe_flags_enc: "ZAgUAg==" },
      metrics: { _sampling_priority_v1: 1 },
      type: "web",
    });
  });

  test.each([
    ["a span with 11 elements", [table, [[span.slice(0, 11)]]], /expected a 12-element span array, got 11/],
    ["an index past the table", [table, [[[99, ...span.slice(1)]]]], /service: string index 99 out of range \(table has 8\)/],
    ['a table not starting with ""', [["x", ...table.slice(1)], [[span]]], /stringTable\[0\]: must be ""/],
    ["a non-string table entry", [["", 5], []], /stringTable\[1\]: expected str, got int/],
    ["a payload of 3 elements", [table, [], []], /expected \[stringTable, traces\] \(2 elements\), got 3/],
    ["a string used as an index", [table, [[["svc", ...span.slice(1)]]]], /service: expected uint32 string index, got str/],
  ])("rejects %s", async (_name, payload, reason) => {
    expect(() => decodeTracesV05(encode(payload, { useBigInt64: true }))).toThrow(reason);
    const res = await putTraces(agent(), "v0.5", encode(payload, { useBigInt64: true }), "1");
    expect(res.status).toBe(400);
  });
});
