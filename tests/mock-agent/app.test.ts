/**
 * The composed app (mock-agent/app.ts; mock-agent/mod.ts only re-exports, and every test imports through it):
 * routing across every intake, hostile input, a burst, and the APM/OTLP split.
 */
import { describe, expect, test } from "bun:test";
import { encode } from "@msgpack/msgpack";
import { agent, EVP_HEADERS, exposureBody, json, otlpVectorBytes, send } from "./helpers.ts";

const ENDPOINTS: Array<[string, string, Record<string, string>]> = [
  ["PUT", "/v0.4/traces", { "content-type": "application/msgpack", "x-datadog-trace-count": "1" }],
  ["PUT", "/v0.5/traces", { "content-type": "application/msgpack", "x-datadog-trace-count": "1" }],
  ["POST", "/evp_proxy/v2/api/v2/exposures", EVP_HEADERS],
  ["POST", "/evp_proxy/v4/api/v2/flagevaluation", EVP_HEADERS],
  ["POST", "/api/v2/exposures", { "content-type": "application/json", "dd-api-key": "k" }],
  ["POST", "/v1/metrics", { "content-type": "application/x-protobuf" }],
  ["POST", "/v1/metrics", { "content-type": "application/json" }],
];

const GARBAGE: Array<[string, Uint8Array]> = [
  ["random bytes", Uint8Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) & 0xff)],
  ["truncated msgpack", encode([[{ service: "s", name: "n" }]]).slice(0, 9)],
  ["invalid JSON", new TextEncoder().encode('{"context": {')],
  ["a lone 0xff", new Uint8Array([0xff])],
  ["deep JSON nesting", new TextEncoder().encode("[".repeat(100_000))],
];

describe("no input stops it", () => {
  for (const [method, path, headers] of ENDPOINTS) {
    for (const [name, body] of GARBAGE) {
      test(`${method} ${path} (${headers["content-type"]}) with ${name} gets a clear 4xx`, async () => {
        const a = agent();
        const res = await send(a, path, { method, headers, body: body as BodyInit });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect((await send(a, "/info")).status).toBe(200);
      });
    }
  }
  test("wrong content types are 415 on every typed endpoint", async () => {
    const a = agent();
    for (const [method, path, headers] of ENDPOINTS) {
      if (path === "/api/v2/exposures" || path.startsWith("/evp_proxy")) {
        const res = await send(a, path, { method, headers: { ...headers, "content-type": "application/xml" }, body: "<x/>" });
        expect(res.status).toBe(415);
      } else {
        const res = await send(a, path, { method, headers: { ...headers, "content-type": "application/xml" }, body: "<x/>" });
        expect(res.status).toBe(415);
      }
    }
  });

  test("huge headers are recorded and answered", async () => {
    const a = agent();
    const headers: Record<string, string> = { ...EVP_HEADERS, "x-huge": "h".repeat(1024 * 1024) };
    for (let i = 0; i < 200; i++) headers[`x-many-${i}`] = String(i);
    const res = await send(a, "/evp_proxy/v2/api/v2/exposures", { method: "POST", headers, body: exposureBody() });
    expect(res.status).toBe(202);
    expect(a.store.list()[0]!.headers["x-huge"]!.length).toBe(1024 * 1024);
  });

  test("unknown paths are 404 and recorded", async () => {
    const a = agent();
    const res = await send(a, "/v0.4/trace", { method: "PUT", body: "x" });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("no mock agent endpoint at /v0.4/trace\n");
    expect(a.store.list()[0]!.kind).toBe("other");
  });

  test("a 10,000-request burst in-process: every request answered, store bounded, then still serving", async () => {
    const a = agent({ maxRequests: 2_000 });
    const body = encode([[{ service: "s", name: "n", trace_id: 1, span_id: 1 }]]);
    const headers = { "content-type": "application/msgpack", "x-datadog-trace-count": "1" };
    const statuses = await Promise.all(
      Array.from(
        { length: 10_000 },
        (_, i) =>
          i % 2 === 0
            ? send(a, "/v0.4/traces", { method: "PUT", headers, body }).then((r) => r.status)
            : send(a, "/v0.4/traces", { method: "PUT", headers, body: "garbage" }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200).length).toBe(5_000);
    expect(statuses.filter((s) => s === 400).length).toBe(5_000);
    expect(await json(a, "/test/stats")).toMatchObject({
      received: 10_000,
      stored: 2_000,
      evicted: 8_000,
      byStatus: { "200": 5_000, "400": 5_000 },
    });
    expect((await send(a, "/info")).status).toBe(200);
  });
});

const PROTOBUF = { "content-type": "application/x-protobuf" };

describe("APM and OTLP apps", () => {
  test("OTLP is not served by the APM-only app, nor traces by the OTLP-only app", async () => {
    const a = agent();
    const bytes = await otlpVectorBytes();
    expect(
      (await a.apmApp.fetch(new Request("http://a/v1/metrics", { method: "POST", headers: PROTOBUF, body: bytes as BodyInit }))).status,
    ).toBe(404);
    expect((await a.otlpApp.fetch(new Request("http://a/info"))).status).toBe(404);
    expect((await a.otlpApp.fetch(new Request("http://a/test/stats"))).status).toBe(200);
  });
});
