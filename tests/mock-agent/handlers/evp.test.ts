/** The EVP proxy and agentless intakes (mock-agent/handlers/evp.ts). */
import { describe, expect, test } from "bun:test";
import { agent, EVP_HEADERS, EXPOSURE, exposureBody, json, send } from "../helpers.ts";

type ExposureRecord = { payload: unknown; problems: string[]; path: string };

describe("EVP proxy", () => {
  test.each(["v2", "v4"])("%s accepts exposures and keeps the decoded payload", async (version) => {
    const a = agent();
    const res = await send(a, `/evp_proxy/${version}/api/v2/exposures`, { method: "POST", headers: EVP_HEADERS, body: exposureBody(3) });
    expect(res.status).toBe(202);
    const [rec] = await json<ExposureRecord[]>(a, "/test/exposures");
    expect(rec!.problems).toEqual([]);
    expect(rec!.path).toBe(`/evp_proxy/${version}/api/v2/exposures`);
    expect((rec!.payload as { exposures: unknown[] }).exposures).toEqual([EXPOSURE, EXPOSURE, EXPOSURE]);
    expect(a.store.list()[0]!.summary).toBe("3 exposures");
  });

  test("a missing or invalid X-Datadog-EVP-Subdomain gets 502 with an empty body", async () => {
    const a = agent();
    for (const subdomain of [undefined, "", "bad host!", "a/b"]) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (subdomain !== undefined) headers["x-datadog-evp-subdomain"] = subdomain;
      const res = await send(a, "/evp_proxy/v2/api/v2/exposures", { method: "POST", headers, body: exposureBody() });
      expect(res.status).toBe(502);
      expect(await res.text()).toBe("");
    }
    expect(await json(a, "/test/exposures")).toEqual([]);
  });

  test("an over-limit body gets 502 with an empty body, counted on the stream (no Content-Length)", async () => {
    const a = agent({ maxBodyBytes: 1024 });
    const chunks = Array.from({ length: 5 }, () => new TextEncoder().encode("x".repeat(300)));
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        const next = chunks.shift();
        if (next === undefined) c.close();
        else c.enqueue(next);
      },
    });
    const res = await send(
      a,
      "/evp_proxy/v2/api/v2/exposures",
      { method: "POST", headers: EVP_HEADERS, body, duplex: "half" } as RequestInit,
    );
    expect(res.status).toBe(502);
    expect(await res.text()).toBe("");
    expect(a.store.list()[0]!.error).toBe("EVP proxy: body exceeds 1024 bytes");
  });

  test("schema problems are recorded, not rejected", async () => {
    const a = agent();
    const body = JSON.stringify({
      context: { service: "svc", env: "" },
      exposures: [{ ...EXPOSURE, timestamp: 1_700_000_000, subject: { id: 7 }, extra: true }],
    });
    expect((await send(a, "/evp_proxy/v2/api/v2/exposures", { method: "POST", headers: EVP_HEADERS, body })).status).toBe(202);
    const [rec] = await json<ExposureRecord[]>(a, "/test/exposures");
    expect(rec!.problems).toEqual([
      "context.env: empty values must be omitted",
      "exposures[0].timestamp: 1700000000 does not look like milliseconds since the epoch",
      "exposures[0].subject.id: must be a string (may be empty), got number",
      "exposures[0].subject.attributes: must be an object ({} when absent), got undefined",
      "exposures[0].extra: unknown field",
    ]);
    expect(a.store.list()[0]!.summary).toBe("1 exposure, 5 schema problems");
  });

  test("a subdomain other than event-platform-intake is accepted but flagged", async () => {
    const a = agent();
    await send(a, "/evp_proxy/v2/api/v2/exposures", {
      method: "POST",
      headers: { ...EVP_HEADERS, "x-datadog-evp-subdomain": "other-intake" },
      body: exposureBody(),
    });
    const [rec] = await json<ExposureRecord[]>(a, "/test/exposures");
    expect(rec!.problems).toEqual(['X-Datadog-EVP-Subdomain: expected "event-platform-intake", got "other-intake"']);
  });

  test("invalid JSON is 400, another content type 415, an unknown intake path 404, another EVP version 404", async () => {
    const a = agent();
    let res = await send(a, "/evp_proxy/v2/api/v2/exposures", { method: "POST", headers: EVP_HEADERS, body: "{not json" });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^invalid JSON in exposures body: /);
    res = await send(a, "/evp_proxy/v2/api/v2/exposures", {
      method: "POST",
      headers: { ...EVP_HEADERS, "content-type": "text/plain" },
      body: exposureBody(),
    });
    expect(res.status).toBe(415);
    res = await send(a, "/evp_proxy/v2/api/v2/logs", { method: "POST", headers: EVP_HEADERS, body: "{}" });
    expect(res.status).toBe(404);
    res = await send(a, "/evp_proxy/v9/api/v2/exposures", { method: "POST", headers: EVP_HEADERS, body: exposureBody() });
    expect(res.status).toBe(404);
    res = await send(a, "/evp_proxy/v2/api/v2/exposures", { method: "POST", headers: EVP_HEADERS, body: new Uint8Array([0xff, 0xfe]) });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("exposures body is not valid UTF-8\n");
  });

  test("flag evaluation events are accepted and listed", async () => {
    const a = agent();
    const res = await send(a, "/evp_proxy/v2/api/v2/flagevaluation", {
      method: "POST",
      headers: EVP_HEADERS,
      body: JSON.stringify([{ flag: "f" }, { flag: "g" }]),
    });
    expect(res.status).toBe(202);
    expect(await json(a, "/test/flagevaluations")).toMatchObject([{ payload: [{ flag: "f" }, { flag: "g" }] }]);
    expect(a.store.list()[0]!.kind).toBe("flagevaluation");
  });
});

describe("agentless intake", () => {
  test("requires DD-API-KEY", async () => {
    const a = agent();
    let res = await send(a, "/api/v2/exposures", { method: "POST", headers: { "content-type": "application/json" }, body: exposureBody() });
    expect(res.status).toBe(403);
    res = await send(a, "/api/v2/exposures", {
      method: "POST",
      headers: { "content-type": "application/json", "dd-api-key": "k" },
      body: exposureBody(),
    });
    expect(res.status).toBe(202);
    expect((await json<unknown[]>(a, "/test/exposures")).length).toBe(1);
  });

  test("accepts only the configured key when one is set", async () => {
    const a = agent({ apiKey: "secret" });
    const res = await send(a, "/api/v2/exposures", {
      method: "POST",
      headers: { "content-type": "application/json", "dd-api-key": "other" },
      body: exposureBody(),
    });
    expect(res.status).toBe(403);
    expect(a.store.list()[0]!.summary).toBe("403 wrong DD-API-KEY");
  });
});
