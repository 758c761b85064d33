/**
 * The OpenFeature hook through the real server and web SDKs: one record per
 * evaluation whichever path reports it (the hook alone, a FlagpostProvider
 * given the instance, both), Datadog's metadata keys (and the older ones)
 * read from a provider that is not flagpost's, the request scope found from
 * a hint, the hook's own scope or the scope store, and a hook that never throws.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AsyncLocalStorage } from "node:async_hooks";
import { OpenFeature as ServerOpenFeature, type Provider, type ResolutionDetails } from "@openfeature/server-sdk";
import { OpenFeature as WebOpenFeature } from "@openfeature/web-sdk";
import {
  createFlagpost,
  decodeSpanTags,
  type EvaluationRecord,
  FLAGPOST_SCOPE_HINT,
  type FlagpostSignal,
  type RequestScope,
  type ScopeStore,
} from "../../mod.ts";
import { FlagpostProvider, FlagpostWebProvider } from "../../src/openfeature/mod.ts";
import { recordFromDetails } from "../../src/openfeature/hook.ts";

const flags = JSON.parse(readFileSync(join(import.meta.dir, "../../examples/flags.json"), "utf8"));
let domains = 0;
const domain = () => `hook-test-${++domains}`;

/** A flagpost instance with a signal that keeps every record it is fed. */
function recording(options: Parameters<typeof createFlagpost>[0] = {}) {
  const records: EvaluationRecord[] = [];
  const keep: FlagpostSignal = {
    name: "keep",
    record: (r) => void records.push(r),
    flush: () => Promise.resolve({ sent: 0, dropped: {}, retried: 0, requests: 0, pending: 0, durationMs: 0 }),
  };
  const flagpost = createFlagpost({ ...options, signals: [keep] });
  return { flagpost, records };
}

function alsStore(): ScopeStore {
  const als = new AsyncLocalStorage<RequestScope>();
  return { run: (scope, fn) => als.run(scope, fn), current: () => als.getStore() };
}

/** A provider that is not flagpost's, answering with the given metadata. */
function foreignProvider(flagMetadata: Record<string, string | number | boolean>, variant = "on"): Provider {
  const details = <T>(value: T): Promise<ResolutionDetails<T>> =>
    Promise.resolve({ value, variant, reason: "TARGETING_MATCH", flagMetadata });
  return {
    metadata: { name: "someone-else" },
    runsOn: "server",
    resolveBooleanEvaluation: (_k, _d) => details(true),
    resolveStringEvaluation: (_k, _d) => details("blue"),
    resolveNumberEvaluation: (_k, _d) => details(3),
    resolveObjectEvaluation: <T>(_k: string, d: T) => details(d),
  } as Provider;
}

describe("recordFromDetails", () => {
  test("reads Datadog's metadata keys", () => {
    const r = recordFromDetails(
      { flagKey: "f", context: { targetingKey: "u", plan: "pro" } },
      {
        flagKey: "f",
        value: "x",
        variant: "v",
        reason: "SPLIT",
        flagMetadata: { __dd_allocation_key: "a", __dd_do_log: false, __dd_split_serial_id: 0 },
      },
      5,
    );
    expect(r).toEqual({
      flagKey: "f",
      variant: "v",
      value: "x",
      reason: "SPLIT",
      errorCode: undefined,
      allocationKey: "a",
      serialId: 0,
      doLog: false,
      targetingKey: "u",
      attributes: { plan: "pro" },
      timestamp: 5,
    });
  });

  test("reads the older allocationKey / doLog keys", () => {
    const r = recordFromDetails({ flagKey: "f", context: {} }, {
      flagKey: "f",
      value: 1,
      variant: "v",
      flagMetadata: { allocationKey: "old", doLog: true },
    }, 1);
    expect([r.allocationKey, r.doLog, r.serialId, r.reason, r.targetingKey]).toEqual(["old", true, undefined, "UNKNOWN", undefined]);
  });

  test("an error without reason is ERROR; no variant means doLog false", () => {
    const r = recordFromDetails({ flagKey: "f", context: { targetingKey: "" } }, {
      flagKey: "f",
      value: false,
      errorCode: "FLAG_NOT_FOUND" as never,
      flagMetadata: { __dd_do_log: true },
    }, 1);
    expect([r.reason, r.errorCode, r.variant, r.doLog, r.targetingKey]).toEqual(["ERROR", "FLAG_NOT_FOUND", undefined, false, ""]);
  });

  test("a serial id that is not a non-negative integer is ignored", () => {
    for (const bad of [-1, 1.5, "x", true]) {
      const r = recordFromDetails({ flagKey: "f", context: {} }, {
        flagKey: "f",
        value: 1,
        variant: "v",
        flagMetadata: { __dd_split_serial_id: bad as never },
      }, 1);
      expect(r.serialId).toBeUndefined();
    }
  });
});

describe("hook with @openfeature/server-sdk", () => {
  test("FlagpostProvider without the instance + hook: the hook records each evaluation once", async () => {
    const { flagpost, records } = recording();
    const d = domain();
    await ServerOpenFeature.setProviderAndWait(d, new FlagpostProvider({ configuration: flags }));
    const client = ServerOpenFeature.getClient(d);
    client.addHooks(flagpost.hook());
    await client.getBooleanValue("new-checkout", false, { targetingKey: "ann", email: "ann@example.com" });
    await client.getStringValue("checkout-theme", "classic", { targetingKey: "bob" });
    await client.getBooleanValue("missing-flag", false, { targetingKey: "bob" });
    expect(records.map((r) => [r.flagKey, r.variant, r.allocationKey, r.serialId, r.doLog, r.errorCode])).toEqual([
      ["new-checkout", "on", "internal-users", 1, true, undefined],
      ["checkout-theme", records[1]!.variant, "theme-experiment", records[1]!.variant === "classic" ? 10 : 11, true, undefined],
      ["missing-flag", undefined, undefined, undefined, false, "FLAG_NOT_FOUND"],
    ]);
    expect(records[0]!.attributes).toEqual({ email: "ann@example.com" });
    expect(flagpost.stats()["evaluations.recorded"]).toEqual({ "": 3 });
  });

  test("FlagpostProvider given the instance + its hook: recorded once, by the provider", async () => {
    const { flagpost, records } = recording();
    const d = domain();
    await ServerOpenFeature.setProviderAndWait(d, new FlagpostProvider({ configuration: flags, flagpost }));
    const client = ServerOpenFeature.getClient(d);
    client.addHooks(flagpost.hook());
    for (let i = 0; i < 10; i++) await client.getBooleanValue("new-checkout", false, { targetingKey: `u${i}`, country: "FR" });
    await client.getBooleanValue("missing-flag", false, { targetingKey: "x" }); // error path: same metadata object
    await client.getNumberValue("max-cart-items", 1, { targetingKey: "x" });
    expect(records).toHaveLength(12);
    expect(flagpost.stats()["evaluations.recorded"]).toEqual({ "": 12 });
  });

  test("the provider's mark is invisible to JSON and string keys", async () => {
    const { flagpost } = recording();
    const d = domain();
    await ServerOpenFeature.setProviderAndWait(d, new FlagpostProvider({ configuration: flags, flagpost }));
    const details = await ServerOpenFeature.getClient(d).getBooleanDetails("new-checkout", false, {
      targetingKey: "a",
      email: "a@example.com",
    });
    expect(Object.keys(details.flagMetadata).sort()).toEqual(["__dd_allocation_key", "__dd_do_log", "__dd_split_serial_id"]);
    expect(JSON.parse(JSON.stringify(details.flagMetadata))).toEqual({
      __dd_allocation_key: "internal-users",
      __dd_do_log: true,
      __dd_split_serial_id: 1,
    });
  });

  test("another flagpost instance's hook still records an evaluation the provider gave to the first", async () => {
    const first = recording();
    const second = recording();
    const d = domain();
    await ServerOpenFeature.setProviderAndWait(d, new FlagpostProvider({ configuration: flags, flagpost: first.flagpost }));
    const client = ServerOpenFeature.getClient(d);
    client.addHooks(second.flagpost.hook());
    await client.getBooleanValue("new-checkout", false, { targetingKey: "a" });
    expect([first.records.length, second.records.length]).toEqual([1, 1]);
  });

  test("a provider that is not flagpost's: metadata read, recorded once", async () => {
    const { flagpost, records } = recording();
    const d = domain();
    await ServerOpenFeature.setProviderAndWait(
      d,
      foreignProvider({ allocationKey: "legacy-alloc", doLog: true, __dd_split_serial_id: 42 }),
    );
    const client = ServerOpenFeature.getClient(d);
    client.addHooks(flagpost.hook());
    await client.getStringValue("color", "red", { targetingKey: "zoe", tier: 2 });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      flagKey: "color",
      variant: "on",
      value: "blue",
      reason: "TARGETING_MATCH",
      allocationKey: "legacy-alloc",
      serialId: 42,
      doLog: true,
      targetingKey: "zoe",
      attributes: { tier: 2 },
    });
  });
});

describe("hook with @openfeature/web-sdk", () => {
  test("FlagpostWebProvider with and without the instance", async () => {
    const { flagpost, records } = recording();
    const d1 = domain();
    const d2 = domain();
    await WebOpenFeature.setContext(d1, { targetingKey: "web-user", country: "US" });
    await WebOpenFeature.setContext(d2, { targetingKey: "web-user", country: "US" });
    await WebOpenFeature.setProviderAndWait(d1, new FlagpostWebProvider({ configuration: flags, flagpost }));
    await WebOpenFeature.setProviderAndWait(d2, new FlagpostWebProvider({ configuration: flags }));
    const c1 = WebOpenFeature.getClient(d1);
    const c2 = WebOpenFeature.getClient(d2);
    c1.addHooks(flagpost.hook());
    c2.addHooks(flagpost.hook());
    c1.getBooleanValue("new-checkout", false);
    c2.getBooleanValue("new-checkout", false);
    expect(records).toHaveLength(2);
    expect(records.map((r) => [r.targetingKey, r.allocationKey])).toEqual([["web-user", "rollout"], ["web-user", "rollout"]]);
  });
});

describe("request scope of a hooked evaluation", () => {
  test("hint, then the hook's scope, then the scope store", async () => {
    const flagpost = createFlagpost({ spanEnrichmentEnabled: true, scopeStore: alsStore() });
    const d = domain();
    await ServerOpenFeature.setProviderAndWait(
      d,
      foreignProvider({ __dd_allocation_key: "a", __dd_do_log: true, __dd_split_serial_id: 5 }),
    );
    const hinted = flagpost.startRequest({ name: "n", resource: "hinted" });
    const bound = flagpost.startRequest({ name: "n", resource: "bound" });
    const stored = flagpost.startRequest({ name: "n", resource: "stored" });
    const client = ServerOpenFeature.getClient(d);
    client.addHooks(flagpost.hook({ scope: bound }));
    await flagpost.runInScope(stored, async () => {
      await client.getBooleanValue("f", false, { targetingKey: "u" }, { hookHints: { [FLAGPOST_SCOPE_HINT]: hinted } });
      await client.getBooleanValue("f", false, { targetingKey: "u" });
    });
    const plain = ServerOpenFeature.getClient(d);
    plain.addHooks(flagpost.hook());
    await flagpost.runInScope(stored, () => plain.getBooleanValue("f", false, { targetingKey: "u" }));
    const ids = async (s: RequestScope) => decodeSpanTags(await s.enrichment!.toTags()).serialIds;
    expect([await ids(hinted), await ids(bound), await ids(stored)]).toEqual([[5], [5], [5]]);
    expect(flagpost.stats()["evaluations.recorded"]).toEqual({ "": 3 });
  });

  test("provider-recorded outside any scope: the scoped hook adds it to enrichment once, without counting it again", async () => {
    const flagpost = createFlagpost({ spanEnrichmentEnabled: true });
    const d = domain();
    await ServerOpenFeature.setProviderAndWait(d, new FlagpostProvider({ configuration: flags, flagpost }));
    const scope = flagpost.startRequest({ name: "n", resource: "r" });
    const client = ServerOpenFeature.getClient(d);
    client.addHooks(flagpost.hook({ scope }), flagpost.hook({ scope })); // two hooks: still once
    await client.getBooleanValue("new-checkout", false, { targetingKey: "ann", email: "ann@example.com" });
    const tags = decodeSpanTags(await scope.enrichment!.toTags());
    expect(tags.serialIds).toEqual([1]);
    expect(Object.values(tags.subjects)).toEqual([[1]]);
    expect(flagpost.stats()["evaluations.recorded"]).toEqual({ "": 1 });
  });

  test("provider-recorded inside a stored scope: enriched by the provider's record, not again by the hook", async () => {
    const flagpost = createFlagpost({ spanEnrichmentEnabled: true, scopeStore: alsStore() });
    const d = domain();
    await ServerOpenFeature.setProviderAndWait(d, new FlagpostProvider({ configuration: flags, flagpost }));
    const scope = flagpost.startRequest({ name: "n", resource: "r" });
    const client = ServerOpenFeature.getClient(d);
    client.addHooks(flagpost.hook());
    await flagpost.runInScope(scope, () => client.getBooleanValue("new-checkout", false, { targetingKey: "a", email: "a@example.com" }));
    await scope.end();
    expect(flagpost.stats()["span_enrichment.dropped"]).toBeUndefined(); // nothing added after end, nothing twice
    expect(decodeSpanTags(await scope.enrichment!.toTags()).serialIds).toEqual([1]);
  });

  test("without a scope, evaluations still count for exposures and metrics", async () => {
    const { flagpost, records } = recording({ spanEnrichmentEnabled: true });
    const d = domain();
    await ServerOpenFeature.setProviderAndWait(d, new FlagpostProvider({ configuration: flags }));
    const client = ServerOpenFeature.getClient(d);
    client.addHooks(flagpost.hook());
    await client.getBooleanValue("new-checkout", false, { targetingKey: "a" });
    expect(records).toHaveLength(1);
  });
});

describe("the hook never throws", () => {
  test("garbage details and a throwing scope store are contained and counted", () => {
    const flagpost = createFlagpost({
      scopeStore: {
        run: (_s, fn) => fn(),
        current: () => {
          throw new Error("store broken");
        },
      },
    });
    const hook = flagpost.hook();
    expect(() => hook.finally({ flagKey: "f", context: {} } as never, { flagKey: "f", value: 1, flagMetadata: {} } as never)).not.toThrow();
    expect(() => hook.finally(null as never, null as never)).not.toThrow();
    expect(flagpost.stats()["flagpost.errors"]).toEqual({ hook: 1 });
    expect(flagpost.stats()["evaluations.recorded"]).toEqual({ "": 1 });
  });
});
