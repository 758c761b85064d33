/** The decode budget (mock-agent/decode/budget.ts) and how each intake applies it (issue 8, item 7). */
import { describe, expect, test } from "bun:test";
import { encode } from "@msgpack/msgpack";
import { DEFAULT_DECODE_LIMITS, scanJson, scanMsgpack, scanProtobuf } from "../../../mock-agent/mod.ts";
import { otlpMessage } from "../../../mock-agent/decode/otlp-schema.ts";
import { agent, EVP_HEADERS, EXPOSURE, json, send } from "../helpers.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
const limits = DEFAULT_DECODE_LIMITS;

describe("scanJson", () => {
  test("counts containers and separators outside strings, and the nesting depth", () => {
    expect(scanJson(utf8('{"a":[1,2]}'), limits)).toEqual({ values: 5, depth: 2 });
    expect(scanJson(utf8('["[{,:", "\\"]"]'), limits)).toEqual({ values: 3, depth: 1 });
    expect(scanJson(utf8("42"), limits)).toEqual({ values: 1, depth: 0 });
  });

  test("stops at the first bound crossed", () => {
    expect(scanJson(utf8(`[${"{},".repeat(1_000)}{}]`), { ...limits, maxValues: 100 }).over).toBe("values");
    expect(scanJson(utf8("[".repeat(100_000)), limits)).toEqual({ values: 66, depth: 65, over: "depth" });
  });
});

describe("scanMsgpack", () => {
  test("counts every value from the headers, skipping string and binary bodies", () => {
    expect(scanMsgpack(encode([[], [1, 2]]), limits)).toEqual({ values: 5, depth: 2 });
    const span = { service: "s".repeat(300), name: "n", meta: { a: "b" }, bin: new Uint8Array(70_000), big: 2n ** 63n };
    expect(scanMsgpack(encode([[span]], { useBigInt64: true }), limits)).toEqual({ values: 15, depth: 4 });
  });

  test("10 million empty arrays are refused after the first million, 100,000 levels after 64", () => {
    const n = 10_000_000;
    const bytes = new Uint8Array(n + 5).fill(0x90);
    bytes[0] = 0xdd;
    new DataView(bytes.buffer).setUint32(1, n);
    expect(scanMsgpack(bytes, limits)).toMatchObject({ values: 1_000_001, over: "values" });
    expect(scanMsgpack(new Uint8Array(100_000).fill(0x91), limits)).toMatchObject({ depth: 65, over: "depth" });
  });
});

describe("scanProtobuf", () => {
  const request = otlpMessage("ExportMetricsServiceRequest");
  test("descends into message fields named by the schema", () => {
    // resource_metrics { resource { attributes { key: "k" } } }
    const bytes = new Uint8Array([0x0a, 0x07, 0x0a, 0x05, 0x0a, 0x03, 0x0a, 0x01, 0x6b]);
    expect(scanProtobuf(bytes, request, limits)).toEqual({ values: 4, depth: 4 });
    expect(scanProtobuf(bytes, request, { ...limits, maxDepth: 3 }).over).toBe("depth");
  });

  test("5 million empty messages are refused after the first million", () => {
    const bytes = new Uint8Array(10_000_000);
    for (let i = 0; i < bytes.length; i += 2) bytes[i] = 0x0a;
    expect(scanProtobuf(bytes, request, limits)).toMatchObject({ values: 1_000_001, over: "values" });
  });
});

describe("intakes apply the budget before decoding", () => {
  test("over the value budget: 413 on traces, EVP and OTLP; too deep: 400; nothing decoded", async () => {
    const a = agent({ decodeLimits: { maxValues: 50 } });
    const many = encode([Array.from({ length: 60 }, () => ({}))]);
    let res = await send(a, "/v0.4/traces", {
      method: "PUT",
      headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "1" },
      body: many,
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe("payload has more than 50 msgpack values; the mock agent does not decode it\n");
    res = await send(a, "/evp_proxy/v2/api/v2/exposures", {
      method: "POST",
      headers: EVP_HEADERS,
      body: JSON.stringify({ context: {}, exposures: Array.from({ length: 60 }, () => ({})) }),
    });
    expect(res.status).toBe(413);
    res = await send(a, "/v1/metrics", {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: Uint8Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? 0x0a : 0x00)), // 60 empty ResourceMetrics
    });
    expect(res.status).toBe(413);
    const b = agent();
    res = await send(b, "/api/v2/exposures", {
      method: "POST",
      headers: { "content-type": "application/json", "dd-api-key": "k" },
      body: `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("payload is nested deeper than 64 levels; the mock agent does not decode it\n");
    expect([...a.store.list(), ...b.store.list()].every((r) => r.decoded === undefined)).toBe(true);
    expect((await send(b, "/test/exposures")).status).toBe(200);
  });

  test("spans, events and problems past the budget are counted in the summary, not stored", async () => {
    const a = agent({ decodeLimits: { maxSpans: 3, maxExposures: 2, maxProblems: 4 } });
    const spans = Array.from({ length: 5 }, (_, i) => ({ service: "s", name: "n", trace_id: 1, span_id: i + 1 }));
    await send(a, "/v0.4/traces", {
      method: "PUT",
      headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "2" },
      body: encode([spans.slice(0, 2), spans.slice(2)]),
    });
    expect(a.store.list()[0]!.summary).toBe("2 traces / 5 spans, 2 spans past the mock agent's budget not stored");
    expect((await json<unknown[][]>(a, "/test/traces"))[0]!.length).toBe(3);

    await send(a, "/evp_proxy/v2/api/v2/exposures", {
      method: "POST",
      headers: EVP_HEADERS,
      body: JSON.stringify({ context: {}, exposures: [EXPOSURE, {}, {}, {}, {}] }),
    });
    const [rec] = await json<Array<{ payload: { exposures: unknown[] }; problems: string[] }>>(a, "/test/exposures");
    expect(rec!.payload.exposures.length).toBe(2);
    expect(rec!.problems.length).toBe(5);
    expect(rec!.problems[4]).toMatch(/^… \d+ more problems$/);
    expect(a.store.list()[1]!.summary).toMatch(/, 3 events past the mock agent's budget not stored$/);
  });
});
