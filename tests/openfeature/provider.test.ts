/** FlagpostProvider / FlagpostWebProvider through the real OpenFeature SDKs. */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { OpenFeature as ServerOpenFeature, ProviderEvents, ProviderStatus } from "@openfeature/server-sdk";
import { OpenFeature as WebOpenFeature } from "@openfeature/web-sdk";
import { FlagpostError } from "../../src/core/errors.ts";
import { type EvaluationRecord, FlagpostProvider, FlagpostWebProvider } from "../../src/openfeature/mod.ts";
import { parseConfiguration } from "../../src/ufc/mod.ts";
import { readJson } from "../ufc/fixtures.ts";

const ufc = (await readJson("ufc-config.json")) as { flags: Record<string, unknown> };
const ufcText = JSON.stringify(ufc);

afterEach(async () => {
  await ServerOpenFeature.clearProviders();
  await WebOpenFeature.clearProviders();
  ServerOpenFeature.clearHandlers();
});

describe("server paradigm", () => {
  test("evaluates through the SDK with variant, reason and Datadog flag metadata", async () => {
    await ServerOpenFeature.setProviderAndWait(new FlagpostProvider({ configuration: ufc }));
    const client = ServerOpenFeature.getClient();
    const details = await client.getBooleanDetails("kill-switch", false, { targetingKey: "alice", country: "US" });
    expect(details).toMatchObject({ flagKey: "kill-switch", value: true, variant: "on", reason: "TARGETING_MATCH" });
    expect(details.flagMetadata).toEqual({ __dd_allocation_key: "on-for-NA", __dd_do_log: true });
    expect(details.errorCode).toBeUndefined();
    expect(await client.getStringValue("new-user-onboarding", "x", { targetingKey: "zach" })).toBe("purple");
    expect(await client.getNumberValue("integer-flag", 0, { targetingKey: "alice", email: "alice@mycompany.com", country: "US" })).toBe(3);
    expect(await client.getObjectValue("json-config-flag", {}, { targetingKey: "bob" })).toEqual({ integer: 2, string: "two", float: 2 });
  });

  test("errors come back as OpenFeature error codes with the default", async () => {
    await ServerOpenFeature.setProviderAndWait(new FlagpostProvider({ configuration: ufcText }));
    const client = ServerOpenFeature.getClient();
    expect(await client.getBooleanDetails("nope", false, {})).toMatchObject({ value: false, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
    expect(await client.getStringDetails("kill-switch", "d", { targetingKey: "a" })).toMatchObject({
      value: "d",
      errorCode: "TYPE_MISMATCH",
    });
    expect(await client.getStringDetails("operator-grease-flag", "d", { targetingKey: "a" })).toMatchObject({
      value: "d",
      reason: "ERROR",
      errorCode: "PARSE_ERROR",
    });
    expect(await client.getStringDetails("new-user-onboarding", "d", { country: "France" })).toMatchObject({
      value: "d",
      errorCode: "TARGETING_KEY_MISSING",
    });
    expect(await client.getNumberDetails("disabled_flag", 7, {})).toMatchObject({ value: 7, reason: "DISABLED" });
  });

  test("onEvaluation is called once per evaluation, success or error, with the telemetry fields", async () => {
    const records: EvaluationRecord[] = [];
    await ServerOpenFeature.setProviderAndWait(
      new FlagpostProvider({ configuration: ufc, onEvaluation: (r) => records.push(r), now: () => 1234 }),
    );
    const client = ServerOpenFeature.getClient();
    await client.getStringValue("new-user-onboarding", "d", { targetingKey: "zach", plan: "pro" });
    await client.getBooleanValue("missing", false, { targetingKey: "zach" });
    expect(records).toEqual([
      {
        flagKey: "new-user-onboarding",
        variant: "purple",
        value: "purple",
        reason: "TARGETING_MATCH",
        errorCode: undefined,
        allocationKey: "id rule",
        serialId: undefined,
        doLog: false,
        targetingKey: "zach",
        attributes: { plan: "pro" },
        timestamp: 1234,
        observeFullEvaluationData: false,
      },
      {
        flagKey: "missing",
        variant: undefined,
        value: false,
        reason: "ERROR",
        errorCode: "FLAG_NOT_FOUND",
        allocationKey: undefined,
        serialId: undefined,
        doLog: false,
        targetingKey: "zach",
        attributes: {},
        timestamp: 1234,
        observeFullEvaluationData: false,
      },
    ]);
  });

  test("a throwing or rejecting onEvaluation never changes the result", async () => {
    let calls = 0;
    const warnings: string[] = [];
    const logger = { debug() {}, warn: (m: string) => warnings.push(m), error() {} };
    const throwing = new FlagpostProvider({
      configuration: ufc,
      logger,
      onEvaluation: () => {
        calls++;
        throw new Error("boom");
      },
    });
    await ServerOpenFeature.setProviderAndWait(throwing);
    const details = await ServerOpenFeature.getClient().getBooleanDetails("kill-switch", false, { targetingKey: "a", country: "US" });
    expect(details).toMatchObject({ value: true, reason: "TARGETING_MATCH" });
    expect(details.errorCode).toBeUndefined();
    const rejecting = new FlagpostProvider({
      configuration: ufc,
      logger,
      onEvaluation: (() => {
        calls++;
        return Promise.reject(new Error("later"));
      }) as never,
    });
    expect((await rejecting.resolveBooleanEvaluation("kill-switch", false, { targetingKey: "a", country: "US" })).value).toBe(true);
    await Promise.resolve();
    expect(calls).toBe(2);
    expect(warnings.filter((w) => w.startsWith("onEvaluation"))).toEqual(["onEvaluation threw", "onEvaluation rejected"]);
  });

  test("serial ids reach flagMetadata", async () => {
    const config = {
      flags: {
        f: {
          key: "f",
          enabled: true,
          variationType: "BOOLEAN",
          variations: { on: { key: "on", value: true } },
          allocations: [{ key: "a", splits: [{ variationKey: "on", shards: [], serialId: 42 }], doLog: false }],
        },
      },
    };
    const provider = new FlagpostProvider({ configuration: config });
    expect((await provider.resolveBooleanEvaluation("f", false, {})).flagMetadata).toEqual({
      __dd_allocation_key: "a",
      __dd_do_log: false,
      __dd_split_serial_id: 42,
    });
  });

  test("setConfiguration emits CONFIGURATION_CHANGED with the changed flags and serves the new configuration", async () => {
    const provider = new FlagpostProvider({ configuration: ufc });
    await ServerOpenFeature.setProviderAndWait(provider);
    const changes: unknown[] = [];
    ServerOpenFeature.addHandler(ProviderEvents.ConfigurationChanged, (d) => {
      changes.push(d?.flagsChanged);
    });
    const next = structuredClone(ufc) as { flags: Record<string, { enabled: boolean }> };
    next.flags["kill-switch"]!.enabled = false;
    delete next.flags["empty_flag"];
    provider.setConfiguration(next);
    await new Promise((r) => setTimeout(r, 10));
    expect(changes).toEqual([["kill-switch", "empty_flag"]]);
    expect(await ServerOpenFeature.getClient().getBooleanDetails("kill-switch", false, { targetingKey: "a", country: "US" })).toMatchObject(
      { reason: "DISABLED" },
    );
  });

  test("setConfiguration rejects an unusable document and keeps the current one", () => {
    const provider = new FlagpostProvider({ configuration: ufc });
    expect(() => provider.setConfiguration("{oops")).toThrow(FlagpostError);
    expect(() => provider.setConfiguration({ flags: [] })).toThrow(FlagpostError);
    expect(provider.configuration?.flags.has("kill-switch")).toBe(true);
  });

  test("a precompiled configuration is accepted", async () => {
    const provider = new FlagpostProvider({ configuration: parseConfiguration(ufc) });
    expect((await provider.resolveStringEvaluation("empty-targeting-key-flag", "d", { targetingKey: "" })).value).toBe("on-value");
  });

  test("without any configuration: PROVIDER_NOT_READY until one is set, then READY", async () => {
    const provider = new FlagpostProvider();
    const events: string[] = [];
    provider.events.addHandler("PROVIDER_READY", () => events.push("ready"));
    expect(await provider.resolveBooleanEvaluation("kill-switch", false, {})).toMatchObject({
      reason: "ERROR",
      errorCode: "PROVIDER_NOT_READY",
    });
    provider.setConfiguration(ufc);
    expect(events).toEqual(["ready"]);
    expect((await provider.resolveBooleanEvaluation("kill-switch", false, { targetingKey: "a", country: "US" })).value).toBe(true);
  });

  test("bad options are rejected with FlagpostError naming the field", () => {
    for (
      const [options, field] of [
        [{ url: "not a url" }, "url"],
        [{ url: "ftp://x/y" }, "url"],
        [{ timeoutMs: 0 }, "timeoutMs"],
        [{ pollIntervalMs: 10 }, "pollIntervalMs"],
        [{ onEvaluation: 1 }, "onEvaluation"],
      ] as const
    ) {
      let error: unknown;
      try {
        new FlagpostProvider(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FlagpostError);
      expect((error as FlagpostError).field).toBe(field);
    }
  });
});

describe("web paradigm", () => {
  test("synchronous evaluation with the static context", async () => {
    const records: EvaluationRecord[] = [];
    await WebOpenFeature.setContext({ targetingKey: "alice", country: "US" });
    await WebOpenFeature.setProviderAndWait(new FlagpostWebProvider({ configuration: ufc, onEvaluation: (r) => records.push(r) }));
    const client = WebOpenFeature.getClient();
    const details = client.getBooleanDetails("kill-switch", false);
    expect(details).toMatchObject({
      value: true,
      variant: "on",
      reason: "TARGETING_MATCH",
      flagMetadata: { __dd_allocation_key: "on-for-NA", __dd_do_log: true },
    });
    expect(client.getStringDetails("kill-switch", "d")).toMatchObject({ value: "d", errorCode: "TYPE_MISMATCH" });
    expect(records.map((r) => [r.flagKey, r.reason, r.targetingKey, r.attributes])).toEqual([
      ["kill-switch", "TARGETING_MATCH", "alice", { country: "US" }],
      ["kill-switch", "ERROR", "alice", { country: "US" }],
    ]);
  });

  test("runsOn keeps each provider in its paradigm", () => {
    expect(new FlagpostWebProvider().runsOn).toBe("client");
    expect(new FlagpostProvider().runsOn).toBe("server");
  });
});

describe("configuration from a URL", () => {
  let server: ReturnType<typeof Bun.serve>;
  let hits: Array<{ path: string; ifNoneMatch: string | null; auth: string | null }> = [];
  let body = ufcText;
  let etag = '"v1"';
  beforeAll(() => {
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        const url = new URL(req.url);
        hits.push({ path: url.pathname, ifNoneMatch: req.headers.get("if-none-match"), auth: req.headers.get("authorization") });
        if (url.pathname === "/slow") {
          await new Promise((r) => setTimeout(r, 2000));
          return new Response(body);
        }
        if (url.pathname === "/500") return new Response("nope", { status: 500 });
        if (url.pathname === "/garbage") return new Response("<html>", { status: 200 });
        if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers: { etag } });
        return new Response(body, { headers: { etag, "content-type": "application/json" } });
      },
    });
  });
  afterAll(() => server.stop(true));
  afterEach(() => {
    hits = [];
    body = ufcText;
    etag = '"v1"';
  });
  const base = () => `http://127.0.0.1:${server.port}`;

  test("fetched at initialization, then conditionally with If-None-Match", async () => {
    const provider = new FlagpostProvider({ url: `${base()}/flags.json`, headers: { Authorization: "Bearer t" } });
    await ServerOpenFeature.setProviderAndWait(provider);
    expect(ServerOpenFeature.getClient().providerStatus).toBe(ProviderStatus.READY);
    expect(await ServerOpenFeature.getClient().getBooleanValue("kill-switch", false, { targetingKey: "a", country: "US" })).toBe(true);
    expect(await provider.refresh()).toEqual({ status: "not_modified" });
    expect(hits).toEqual([
      { path: "/flags.json", ifNoneMatch: null, auth: "Bearer t" },
      { path: "/flags.json", ifNoneMatch: '"v1"', auth: "Bearer t" },
    ]);
    const next = structuredClone(ufc) as { flags: Record<string, unknown> };
    delete next.flags["kill-switch"];
    body = JSON.stringify(next);
    etag = '"v2"';
    const changed: unknown[] = [];
    provider.events.addHandler("PROVIDER_CONFIGURATION_CHANGED", (d) => changed.push(d.flagsChanged));
    expect(await provider.refresh()).toEqual({ status: "updated", flagsChanged: ["kill-switch"] });
    expect(changed).toEqual([["kill-switch"]]);
    expect(await ServerOpenFeature.getClient().getBooleanDetails("kill-switch", false, {})).toMatchObject({ errorCode: "FLAG_NOT_FOUND" });
  });

  test("a failing first fetch puts the provider in ERROR through the SDK", async () => {
    const provider = new FlagpostProvider({ url: `${base()}/500` });
    let error: unknown;
    try {
      await ServerOpenFeature.setProviderAndWait(provider);
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(/HTTP 500/);
    // Like every error flagpost raises: a FlagpostError with a code and the field at fault.
    expect(error).toBeInstanceOf(FlagpostError);
    expect({ code: (error as FlagpostError).code, field: (error as FlagpostError).field }).toEqual({
      code: "invalid_config",
      field: "url",
    });
    expect(ServerOpenFeature.getClient().providerStatus).toBe(ProviderStatus.ERROR);
  });

  test("a refresh failure emits PROVIDER_ERROR and keeps serving; recovery emits READY", async () => {
    let path = "/flags.json";
    const provider = new FlagpostProvider({
      url: `${base()}/flags.json`,
      fetch: ((input: string, init: RequestInit) => fetch(input.replace("/flags.json", path), init)) as typeof fetch,
    });
    await provider.initialize();
    const events: string[] = [];
    provider.events.addHandler("PROVIDER_ERROR", (d) => events.push(`error: ${d.message}`));
    provider.events.addHandler("PROVIDER_READY", () => events.push("ready"));
    path = "/garbage";
    expect((await provider.refresh()).status).toBe("error");
    expect((await provider.resolveBooleanEvaluation("kill-switch", false, { targetingKey: "a", country: "US" })).value).toBe(true);
    path = "/flags.json";
    etag = '"v3"';
    expect((await provider.refresh()).status).toBe("updated");
    expect(events).toEqual([expect.stringMatching(/^error: UFC configuration is not valid JSON/), "ready"]);
  });

  test("the fetch is bounded by timeoutMs", async () => {
    const provider = new FlagpostProvider({ url: `${base()}/slow`, timeoutMs: 100 });
    const started = performance.now();
    const result = await provider.refresh();
    expect(result).toEqual({ status: "error", message: "configuration fetch timed out after 100 ms" });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  test("an oversized configuration is refused", async () => {
    const provider = new FlagpostProvider({ url: `${base()}/flags.json`, maxConfigurationLength: 100 });
    expect(await provider.refresh()).toMatchObject({ status: "error", message: expect.stringMatching(/too large/) });
  });

  test("polling refreshes until onClose", async () => {
    const provider = new FlagpostProvider({ url: `${base()}/flags.json`, pollIntervalMs: 1000 });
    await provider.initialize();
    await new Promise((r) => setTimeout(r, 1150));
    await provider.onClose();
    const count = hits.length;
    expect(count).toBe(2);
    await new Promise((r) => setTimeout(r, 1100));
    expect(hits.length).toBe(count);
  });
});
