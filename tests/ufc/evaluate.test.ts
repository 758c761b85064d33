/** evaluateFlag: order of checks, each reason, each error code, targeting keys, date windows. */
import { describe, expect, test } from "bun:test";
import { evaluateFlag, parseConfiguration } from "../../src/ufc/mod.ts";
import { shardOf } from "../../src/ufc/shard.ts";
import { configOf, ruleAllocation, stringFlag } from "./helpers.ts";

const half = (salt: string, start: number, end: number) => ({ salt, totalShards: 100, ranges: [{ start, end }] });

const config = parseConfiguration(configOf({
  rules: stringFlag("rules", [ruleAllocation([{ attribute: "country", operator: "ONE_OF", value: ["FR"] }])]),
  static: stringFlag("static", [{ key: "everyone", splits: [{ variationKey: "on", shards: [] }] }]),
  split: stringFlag("split", [{
    key: "ab",
    splits: [{ variationKey: "on", shards: [half("ab", 0, 50)], serialId: 7 }, { variationKey: "off", shards: [half("ab", 50, 100)] }],
    doLog: false,
  }]),
  fullRange: stringFlag("fullRange", [{
    key: "all",
    splits: [{ variationKey: "on", shards: [{ salt: "x", totalShards: 100, ranges: [{ start: 0, end: 100 }] }] }],
  }]),
  windowed: stringFlag("windowed", [{
    key: "window",
    startAt: "2030-01-01T00:00:00Z",
    endAt: "2030-01-31T00:00:00Z",
    splits: [{ variationKey: "on", shards: [] }],
  }]),
  windowedSplit: stringFlag("windowedSplit", [{
    key: "window",
    startAt: "2030-01-01T00:00:00Z",
    splits: [{ variationKey: "on", shards: [half("w", 0, 100 / 2)] }],
  }]),
  disabled: stringFlag("disabled", [], { enabled: false }),
  nothing: stringFlag("nothing", [ruleAllocation([{ attribute: "never", operator: "IS_NULL", value: false }])]),
  byId: stringFlag("byId", [ruleAllocation([{ attribute: "id", operator: "ONE_OF", value: ["alice"] }])]),
  integer: {
    key: "integer",
    enabled: true,
    variationType: "INTEGER",
    variations: { one: { key: "one", value: 1 } },
    allocations: [{ key: "a", splits: [{ variationKey: "one", shards: [] }] }],
  },
  numeric: {
    key: "numeric",
    enabled: true,
    variationType: "NUMERIC",
    variations: { pi: { key: "pi", value: 3.14 } },
    allocations: [{ key: "a", splits: [{ variationKey: "pi", shards: [] }] }],
  },
  json: {
    key: "json",
    enabled: true,
    variationType: "JSON",
    variations: { v: { key: "v", value: { a: [1] } } },
    allocations: [{ key: "a", splits: [{ variationKey: "v", shards: [] }] }],
  },
}));

describe("reasons", () => {
  test("rules → TARGETING_MATCH, with variant, allocation and doLog", () => {
    expect(evaluateFlag(config, "rules", "string", "d", { targetingKey: "k", country: "FR" })).toEqual({
      value: "on",
      variant: "on",
      allocationKey: "rule",
      reason: "TARGETING_MATCH",
      doLog: true,
    });
  });
  test("one split with empty shards → STATIC", () => {
    expect(evaluateFlag(config, "static", "string", "d", {}).reason).toBe("STATIC");
  });
  test("shards → SPLIT; doLog false and serialId carried", () => {
    const key = ["a", "b", "c", "d", "e", "f"].find((k) => shardOf("ab", k, 100) < 50)!;
    const r = evaluateFlag(config, "split", "string", "d", { targetingKey: key });
    expect(r).toEqual({ value: "on", variant: "on", allocationKey: "ab", reason: "SPLIT", serialId: 7, doLog: false });
    const other = ["a", "b", "c", "d", "e", "f"].find((k) => shardOf("ab", k, 100) >= 50)!;
    expect(evaluateFlag(config, "split", "string", "d", { targetingKey: other })).toMatchObject({ value: "off", reason: "SPLIT" });
    expect(evaluateFlag(config, "split", "string", "d", { targetingKey: other }).serialId).toBeUndefined();
  });
  test("a full-range shard is not significant: no key needed, but the reason stays SPLIT", () => {
    expect(evaluateFlag(config, "fullRange", "string", "d", {})).toMatchObject({ value: "on", reason: "SPLIT" });
  });
  test("date window + one split + no significant shard → DEFAULT with the variation", () => {
    const inside = Date.parse("2030-01-15T00:00:00Z");
    expect(evaluateFlag(config, "windowed", "string", "d", {}, inside)).toMatchObject({ value: "on", variant: "on", reason: "DEFAULT" });
  });
  test("date window with a significant shard → SPLIT", () => {
    const inside = Date.parse("2030-02-15T00:00:00Z");
    const key = ["a", "b", "c", "d", "e", "f"].find((k) => shardOf("w", k, 100) < 50)!;
    expect(evaluateFlag(config, "windowedSplit", "string", "d", { targetingKey: key }, inside).reason).toBe("SPLIT");
  });
  test("no allocation matches → DEFAULT with the caller's default, no variant", () => {
    expect(evaluateFlag(config, "nothing", "string", "d", { targetingKey: "k" })).toEqual({ value: "d", reason: "DEFAULT", doLog: false });
  });
  test("disabled flag → DISABLED with the default", () => {
    expect(evaluateFlag(config, "disabled", "string", "d", { targetingKey: "k" })).toEqual({
      value: "d",
      reason: "DISABLED",
      doLog: false,
    });
  });
});

describe("date windows (startAt ≤ now ≤ endAt)", () => {
  const start = Date.parse("2030-01-01T00:00:00Z");
  const end = Date.parse("2030-01-31T00:00:00Z");
  test.each([
    ["before start", start - 1, "DEFAULT", "d"],
    ["at start", start, "DEFAULT", "on"],
    ["at end", end, "DEFAULT", "on"],
    ["after end", end + 1, "DEFAULT", "d"],
  ])("%s", (_name, now, reason, value) => {
    const r = evaluateFlag(config, "windowed", "string", "d", {}, now as number);
    expect(r.reason).toBe(reason as never);
    expect(r.value).toBe(value as string);
  });
});

describe("errors", () => {
  test("no configuration → PROVIDER_NOT_READY", () => {
    expect(evaluateFlag(undefined, "rules", "string", "d", {})).toMatchObject({
      value: "d",
      reason: "ERROR",
      errorCode: "PROVIDER_NOT_READY",
    });
  });
  test("unknown flag → FLAG_NOT_FOUND", () => {
    expect(evaluateFlag(config, "missing", "string", "d", {})).toMatchObject({ value: "d", reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
  });
  test("inherited property names are not flags", () => {
    expect(evaluateFlag(config, "constructor", "string", "d", {}).errorCode).toBe("FLAG_NOT_FOUND");
  });
  test.each(
    [
      ["rules", "boolean"],
      ["rules", "number"],
      ["rules", "object"],
      ["numeric", "integer"],
      ["integer", "string"],
      ["json", "string"],
    ] as const,
  )("%s as %s → TYPE_MISMATCH", (flag, type) => {
    expect(evaluateFlag(config, flag, type, "d", {})).toMatchObject({ value: "d", reason: "ERROR", errorCode: "TYPE_MISMATCH" });
  });
  test("compatible types: number accepts INTEGER and NUMERIC, integer accepts INTEGER", () => {
    expect(evaluateFlag(config, "integer", "number", 0, {}).value).toBe(1);
    expect(evaluateFlag(config, "integer", "integer", 0, {}).value).toBe(1);
    expect(evaluateFlag(config, "numeric", "number", 0, {}).value).toBe(3.14);
    expect(evaluateFlag(config, "json", "object", {}, {}).value).toEqual({ a: [1] });
  });
  test("a disabled flag is DISABLED even when the type does not match", () => {
    expect(evaluateFlag(config, "disabled", "boolean", false, {}).reason).toBe("DISABLED");
  });
});

describe("targeting key", () => {
  test("missing key with significant shards → TARGETING_KEY_MISSING", () => {
    expect(evaluateFlag(config, "split", "string", "d", {})).toMatchObject({
      value: "d",
      reason: "ERROR",
      errorCode: "TARGETING_KEY_MISSING",
    });
  });
  test("a non-string key counts as missing", () => {
    expect(evaluateFlag(config, "split", "string", "d", { targetingKey: 42 as unknown as string }).errorCode).toBe("TARGETING_KEY_MISSING");
  });
  test("missing key without significant shards is fine", () => {
    expect(evaluateFlag(config, "static", "string", "d", {}).reason).toBe("STATIC");
    expect(evaluateFlag(config, "static", "string", "d").reason).toBe("STATIC");
  });
  test("the empty string is a valid key (hashed as such)", () => {
    const r = evaluateFlag(config, "split", "string", "d", { targetingKey: "" });
    expect(r.reason).toBe("SPLIT");
    expect(r.value).toBe(shardOf("ab", "", 100) < 50 ? "on" : "off");
  });
  test("attribute id falls back to the targeting key", () => {
    expect(evaluateFlag(config, "byId", "string", "d", { targetingKey: "alice" }).value).toBe("on");
    expect(evaluateFlag(config, "byId", "string", "d", { targetingKey: "bob" }).value).toBe("d");
  });
  test("an explicit id attribute wins over the targeting key", () => {
    expect(evaluateFlag(config, "byId", "string", "d", { targetingKey: "bob", id: "alice" }).value).toBe("on");
    expect(evaluateFlag(config, "byId", "string", "d", { targetingKey: "alice", id: "bob" }).value).toBe("d");
  });
  test("targetingKey is not an attribute by itself", () => {
    const c = parseConfiguration(
      configOf({ f: stringFlag("f", [ruleAllocation([{ attribute: "targetingKey", operator: "IS_NULL", value: true }])]) }),
    );
    expect(evaluateFlag(c, "f", "string", "d", { targetingKey: "alice" }).value).toBe("on");
  });
});

describe("served results", () => {
  test("are frozen, JSON values deeply", () => {
    const r = evaluateFlag(config, "json", "object", {}, {});
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.value)).toBe(true);
    expect(Object.isFrozen((r.value as { a: number[] }).a)).toBe(true);
  });
  test("a JSON value is a copy of the caller's object", () => {
    const value = { nested: { x: 1 } };
    const c = parseConfiguration(configOf({
      j: {
        key: "j",
        enabled: true,
        variationType: "JSON",
        variations: { v: { key: "v", value } },
        allocations: [{ key: "a", splits: [{ variationKey: "v", shards: [] }] }],
      },
    }));
    value.nested.x = 2;
    expect(evaluateFlag(c, "j", "object", {}, {}).value).toEqual({ nested: { x: 1 } });
    expect(Object.isFrozen(value)).toBe(false);
  });
});

describe("rules", () => {
  const c = parseConfiguration(configOf({
    f: stringFlag("f", [{
      key: "r",
      rules: [
        { conditions: [{ attribute: "a", operator: "ONE_OF", value: ["1"] }, { attribute: "b", operator: "ONE_OF", value: ["2"] }] },
        { conditions: [{ attribute: "c", operator: "ONE_OF", value: ["3"] }] },
      ],
      splits: [{ variationKey: "on", shards: [] }],
    }]),
    empty: stringFlag("empty", [{ key: "r", rules: [{ conditions: [] }], splits: [{ variationKey: "on", shards: [] }] }]),
  }));
  test("conditions are AND'd", () => {
    expect(evaluateFlag(c, "f", "string", "d", { a: "1", b: "2" }).value).toBe("on");
    expect(evaluateFlag(c, "f", "string", "d", { a: "1" }).value).toBe("d");
  });
  test("rules are OR'd", () => {
    expect(evaluateFlag(c, "f", "string", "d", { c: "3" }).value).toBe("on");
  });
  test("a rule without conditions matches everyone, as TARGETING_MATCH", () => {
    expect(evaluateFlag(c, "empty", "string", "d", {})).toMatchObject({ value: "on", reason: "TARGETING_MATCH" });
  });
  test("allocations are tried in order; the first match wins", () => {
    const ordered = parseConfiguration(configOf({
      f: stringFlag("f", [ruleAllocation([{ attribute: "x", operator: "IS_NULL", value: false }], "off"), {
        key: "rest",
        splits: [{ variationKey: "on", shards: [] }],
      }]),
    }));
    expect(evaluateFlag(ordered, "f", "string", "d", { x: 1 }).value).toBe("off");
    expect(evaluateFlag(ordered, "f", "string", "d", {}).value).toBe("on");
  });
});
