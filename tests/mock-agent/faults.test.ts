import { describe, expect, test } from "bun:test";
import { ConnectionDroppedError, FaultLimitError, FaultRegistry, parseFaultSpec } from "../../mock-agent/mod.ts";
import { agent, EVP_HEADERS, exposureBody, json, send } from "./helpers.ts";

const addFault = (a: ReturnType<typeof agent>, spec: unknown) => send(a, "/test/faults", { method: "POST", body: JSON.stringify(spec) });
const postExposure = (a: ReturnType<typeof agent>) =>
  send(a, "/evp_proxy/v2/api/v2/exposures", { method: "POST", headers: EVP_HEADERS, body: exposureBody() });

describe("fault injection", () => {
  test("the next `times` matching requests get the status and Retry-After, then normal service resumes", async () => {
    const a = agent();
    const res = await addFault(a, { path: "/evp_proxy/v2/api/v2/exposures", status: 503, retryAfter: 2, times: 2 });
    expect(res.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const r = await postExposure(a);
      expect(r.status).toBe(503);
      expect(r.headers.get("retry-after")).toBe("2");
      expect(await r.text()).toBe("");
    }
    expect((await postExposure(a)).status).toBe(202);
    const records = a.store.list();
    expect(records.map((r) => [r.status, r.fault])).toEqual([[503, true], [503, true], [202, false]]);
    expect((await json<unknown[]>(a, "/test/exposures")).length).toBe(1); // faulted attempts are not "received" exposures
    expect(await json(a, "/test/stats")).toMatchObject({ faulted: 2, pendingFaults: 0 });
  });

  test("GET lists pending faults, DELETE clears them", async () => {
    const a = agent();
    await addFault(a, [{ path: "/v1/metrics", status: 429, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT" }, {
      path: "/v0.4/*",
      delayMs: 5,
      times: 3,
    }]);
    expect(await json(a, "/test/faults")).toMatchObject([
      { path: "/v1/metrics", status: 429, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT", remaining: 1 },
      { path: "/v0.4/*", delayMs: 5, remaining: 3 },
    ]);
    expect(await json(a, "/test/faults", { method: "DELETE" })).toEqual({ cleared: 2 });
    expect(await json(a, "/test/faults")).toEqual([]);
  });

  test("a prefix path and a method restrict matching", () => {
    const f = new FaultRegistry();
    f.add({ path: "/evp_proxy/*", method: "post", status: 500 });
    expect(f.take("GET", "/evp_proxy/v2/x")).toBeUndefined();
    expect(f.take("POST", "/v0.4/traces")).toBeUndefined();
    expect(f.take("POST", "/evp_proxy/v4/api/v2/exposures")?.status).toBe(500);
    expect(f.list()).toEqual([]);
  });

  test("a delay-only fault delays, then the request is served normally", async () => {
    const a = agent();
    await addFault(a, { path: "/info", delayMs: 20 });
    const res = await send(a, "/info");
    expect(res.status).toBe(200);
    expect(a.store.list()[0]!.fault).toBe(true);
  });

  test("dropConnection makes app.fetch reject like fetch on a reset connection", async () => {
    const a = agent();
    await addFault(a, { path: "/v1/metrics", dropConnection: true });
    const attempt = send(a, "/v1/metrics", {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array(0),
    });
    await expect(attempt).rejects.toBeInstanceOf(ConnectionDroppedError);
    await expect(send(a, "/v1/metrics", { method: "POST", body: "" })).resolves.toBeInstanceOf(Response);
    expect(new ConnectionDroppedError("/x")).toBeInstanceOf(TypeError);
    expect(a.store.list()[0]).toMatchObject({ status: 0, fault: true, summary: "connection dropped (injected fault)" });
  });

  test.each([
    [{ status: 500 }, 'fault.path must be a string starting with "/", got undefined'],
    [{ path: "x", status: 500 }, 'fault.path must be a string starting with "/", got "x"'],
    [{ path: "/x" }, "fault needs at least one effect: status, delayMs or dropConnection"],
    [{ path: "/x", status: 600 }, "fault.status must be an integer from 100 to 599, got 600"],
    [{ path: "/x", status: 503, times: 0 }, "fault.times must be an integer from 1 to 1000000, got 0"],
    [{ path: "/x", delayMs: -1 }, "fault.delayMs must be an integer from 0 to 60000, got -1"],
    [{ path: "/x", retryAfter: 1, delayMs: 1 }, "fault.retryAfter needs a status to go with, got 1"],
    [{ path: "/x", status: 503, dropConnection: true }, "fault.status cannot be combined with dropConnection, got 503"],
    [{ path: "/x", dropConnection: "yes" }, 'fault.dropConnection must be a boolean, got "yes"'],
    [
      { path: "/x", status: 500, colour: "red" },
      'fault.colour is not a known field (path, method, status, retryAfter, location, delayMs, times, dropConnection), got "red"',
    ],
    [[1], "fault must be a JSON object, got 1"],
  ])("rejects %j: %s", async (spec, message) => {
    const a = agent();
    const res = await addFault(a, spec);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(message);
    expect(await json(a, "/test/faults")).toEqual([]);
    if (!Array.isArray(spec)) expect(() => parseFaultSpec(spec)).toThrow(message);
  });

  test("invalid JSON in a fault is a 400", async () => {
    const res = await send(agent(), "/test/faults", { method: "POST", body: "{" });
    expect(res.status).toBe(400);
  });
});

describe("bounded faults (issue 8, item 9)", () => {
  test("at most 1,000 pending faults: the API answers 429 beyond, the registry throws FaultLimitError", async () => {
    const a = agent();
    const batch = Array.from({ length: 999 }, () => ({ path: "/nowhere", status: 500 }));
    expect((await addFault(a, batch)).status).toBe(201);
    expect((await addFault(a, [{ path: "/x", status: 500 }, { path: "/y", status: 500 }])).status).toBe(429);
    expect((await addFault(a, { path: "/x", status: 500 })).status).toBe(201);
    const refused = await addFault(a, { path: "/x", status: 500 });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: "1000 faults are already pending; clear some (DELETE /test/faults) before adding more" });
    expect(() => a.faults.add({ path: "/z", status: 500 })).toThrow(FaultLimitError);
    await send(a, "/test/faults", { method: "DELETE" });
    expect((await addFault(a, { path: "/x", status: 500 })).status).toBe(201);
  });
});

describe("redirect faults", () => {
  test("a 3xx fault can carry a Location (to test that clients never follow); location needs a 3xx status", async () => {
    const a = agent();
    expect((await addFault(a, { path: "/info", status: 307, location: "http://elsewhere.test/steal" })).status).toBe(201);
    const res = await send(a, "/info");
    expect([res.status, res.headers.get("location")]).toEqual([307, "http://elsewhere.test/steal"]);
    expect(() => parseFaultSpec({ path: "/info", status: 503, location: "http://x.test/" })).toThrow("needs a 3xx status");
    expect(() => parseFaultSpec({ path: "/info", status: 302, location: "/relative" })).toThrow("must be an absolute http(s) URL");
  });
});
