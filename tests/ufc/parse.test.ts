/** parseConfiguration: per-flag isolation, unknown fields, defaults, what makes a flag invalid. */
import { describe, expect, test } from "bun:test";
import { FlagpostError } from "../../src/core/errors.ts";
import { evaluateFlag, parseConfiguration } from "../../src/ufc/mod.ts";
import { parseTimestamp } from "../../src/ufc/parse.ts";
import { configOf, ruleAllocation, stringFlag } from "./helpers.ts";

const good = stringFlag("good", [{ key: "all", splits: [{ variationKey: "on", shards: [] }] }]);

describe("one malformed flag leaves the rest working", () => {
  const broken: Record<string, unknown> = {
    "allocations-not-array": { ...good, key: "x", allocations: "nope" },
    "unknown-operator": stringFlag("x", [ruleAllocation([{ attribute: "a", operator: "NOPE" as never, value: "a" }])]),
    "bad-regex": stringFlag("x", [ruleAllocation([{ attribute: "a", operator: "MATCHES", value: "[invalid" }])]),
    "untranslatable-regex": stringFlag("x", [ruleAllocation([{ attribute: "a", operator: "MATCHES", value: "a(?=b)" }])]),
    "wrong-variation-type": { ...good, variationType: "BOOLEAN" },
    "integer-not-integer": {
      key: "x",
      enabled: true,
      variationType: "INTEGER",
      variations: { a: { key: "a", value: 1.5 } },
      allocations: [],
    },
    "unknown-variation-key": stringFlag("x", [{ key: "a", splits: [{ variationKey: "missing", shards: [] }] }]),
    "total-shards-zero": stringFlag("x", [{
      key: "a",
      splits: [{ variationKey: "on", shards: [{ salt: "s", totalShards: 0, ranges: [] }] }],
    }]),
    "non-numeric-comparison": stringFlag("x", [ruleAllocation([{ attribute: "a", operator: "GT", value: "10" }])]),
    "bad-timestamp": stringFlag("x", [{ key: "a", startAt: "yesterday", splits: [{ variationKey: "on", shards: [] }] }]),
    "bad-serial-id": stringFlag("x", [{ key: "a", splits: [{ variationKey: "on", shards: [], serialId: 2 ** 31 }] }]),
    "bad-do-log": stringFlag("x", [{ key: "a", splits: [{ variationKey: "on", shards: [] }], doLog: "yes" as never }]),
    "unknown-variation-type": { ...good, variationType: "DATE" },
    "missing-enabled": { key: "x", variationType: "STRING", variations: {}, allocations: [] },
    "null-flag": null,
    "range-not-integer": stringFlag("x", [{
      key: "a",
      splits: [{ variationKey: "on", shards: [{ salt: "s", totalShards: 10, ranges: [{ start: 0.5, end: 3 }] }] }],
    }]),
  };
  const config = parseConfiguration(configOf({ ...broken, good }));

  test("each broken flag is invalid, with a message naming the field", () => {
    expect(config.invalidFlags.map((f) => f.key).sort()).toEqual(Object.keys(broken).sort());
    const byKey = new Map(config.invalidFlags.map((f) => [f.key, f.message]));
    expect(byKey.get("allocations-not-array")).toMatch(/^allocations: expected an array/);
    expect(byKey.get("total-shards-zero")).toMatch(/allocations\[0\]\.splits\[0\]\.shards\[0\]\.totalShards/);
    expect(byKey.get("untranslatable-regex")).toMatch(/allocations\[0\]\.rules\[0\]\.conditions\[0\]\.value/);
  });
  test.each(Object.keys(broken))("%s evaluates to ERROR / PARSE_ERROR with the default", (key) => {
    expect(evaluateFlag(config, key, "string", "d", { targetingKey: "k" })).toMatchObject({
      value: "d",
      reason: "ERROR",
      errorCode: "PARSE_ERROR",
    });
  });
  test("the valid neighbour still serves", () => {
    expect(evaluateFlag(config, "good", "string", "d", {})).toMatchObject({ value: "on", reason: "STATIC" });
  });
});

describe("the native order: shape, then enabled, then values", () => {
  test("a disabled flag with a wrong-typed variation is DISABLED", () => {
    const c = parseConfiguration(configOf({ f: { ...good, enabled: false, variationType: "BOOLEAN" } }));
    expect(evaluateFlag(c, "f", "boolean", false, {}).reason).toBe("DISABLED");
  });
  test("a disabled flag with an unknown operator is PARSE_ERROR", () => {
    const c = parseConfiguration(configOf({
      f: { ...stringFlag("f", [ruleAllocation([{ attribute: "a", operator: "NOPE" as never, value: "a" }])]), enabled: false },
    }));
    expect(evaluateFlag(c, "f", "string", "d", {}).errorCode).toBe("PARSE_ERROR");
  });
});

describe("tolerance and defaults", () => {
  test("unknown fields at every level are ignored", () => {
    const c = parseConfiguration({
      createdAt: "2026-01-01T00:00:00Z",
      extra: 1,
      environment: { name: "prod", extra: true },
      flags: {
        f: {
          ...stringFlag("f", [{
            key: "a",
            extra: "x",
            rules: [{ extra: 1, conditions: [{ attribute: "c", operator: "ONE_OF", value: ["US"], extra: null }] }],
            splits: [{
              variationKey: "on",
              extra: [],
              shards: [{ salt: "s", totalShards: 10, extra: 1, ranges: [{ start: 0, end: 10, extra: 2 }] }],
            }],
          } as never]),
          extra: { deep: true },
        },
      },
    });
    expect(c.invalidFlags).toEqual([]);
    expect(c.environment).toBe("prod");
    expect(evaluateFlag(c, "f", "string", "d", { c: "US" })).toMatchObject({ value: "on", reason: "TARGETING_MATCH" });
  });
  test("doLog defaults to true; null rules, startAt, endAt, serialId mean absent", () => {
    const c = parseConfiguration(configOf({
      f: stringFlag("f", [{
        key: "a",
        rules: null,
        startAt: null,
        endAt: null,
        splits: [{ variationKey: "on", shards: [], serialId: null }],
      }]),
    }));
    expect(evaluateFlag(c, "f", "string", "d", {})).toEqual({
      value: "on",
      variant: "on",
      allocationKey: "a",
      reason: "STATIC",
      doLog: true,
    });
  });
  test("JSON text and objects compile the same", () => {
    const doc = configOf({ good });
    expect(evaluateFlag(parseConfiguration(JSON.stringify(doc)), "good", "string", "d")).toEqual(
      evaluateFlag(parseConfiguration(doc), "good", "string", "d"),
    );
  });
  test("an empty variations map with no allocations is valid (DEFAULT)", () => {
    const c = parseConfiguration(configOf({ e: { key: "e", enabled: true, variationType: "STRING", variations: {}, allocations: [] } }));
    expect(evaluateFlag(c, "e", "string", "d", {})).toMatchObject({ value: "d", reason: "DEFAULT" });
  });
});

describe("unusable documents throw FlagpostError", () => {
  test.each([["not json"], ["[]"], ["null"], ['{"flags": []}'], ["{}"]])("%s", (text) => {
    let error: unknown;
    try {
      parseConfiguration(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlagpostError);
    expect((error as FlagpostError).code).toBe("invalid_config");
  });
});

describe("parseTimestamp", () => {
  test("RFC 3339 with fractions and offsets", () => {
    expect(parseTimestamp("2002-10-31T09:00:00.594Z")).toBe(Date.parse("2002-10-31T09:00:00.594Z"));
    expect(parseTimestamp("2002-10-31T09:00:00.594321Z")).toBeCloseTo(Date.parse("2002-10-31T09:00:00.594Z") + 0.321, 6);
    expect(parseTimestamp("2002-10-31T11:00:00+02:00")).toBe(Date.parse("2002-10-31T09:00:00Z"));
    expect(parseTimestamp("2002-10-31T09:00:00Z")).toBe(Date.parse("2002-10-31T09:00:00Z"));
  });
  test.each([["2002-10-31"], ["2002-13-01T00:00:00Z"], ["2002-02-30T00:00:00Z"], ["2002-10-31T09:00:00"], ["tomorrow"]])(
    "rejects %s",
    (t) => {
      expect(parseTimestamp(t)).toBeUndefined();
    },
  );
});

describe("hostile configurations spoil only their own flag", () => {
  const integer = (value: unknown) => ({
    key: "x",
    enabled: true,
    variationType: "INTEGER",
    variations: { v: { key: "v", value } },
    allocations: [{ key: "all", splits: [{ variationKey: "v", shards: [] }] }],
  });
  const jsonFlag = (value: unknown) => ({
    key: "x",
    enabled: true,
    variationType: "JSON",
    variations: { v: { key: "v", value } },
    allocations: [{ key: "all", splits: [{ variationKey: "v", shards: [] }] }],
  });
  const matches = (pattern: string) => stringFlag("x", [ruleAllocation([{ attribute: "a", operator: "MATCHES", value: pattern }])]);
  const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

  test("INTEGER values span the signed 64-bit range (beyond 2^53 as the nearest double)", () => {
    const config = parseConfiguration(configOf({
      "2^53": integer(2 ** 53),
      "-2^63": integer(-(2 ** 63)),
      "i64::MAX": integer(2 ** 63), // 9223372036854775807 in the JSON text parses to 2^63
      "2^64": integer(2 ** 64),
      "1.5": integer(1.5),
    }));
    expect(config.invalidFlags.map((f) => f.key).sort()).toEqual(["1.5", "2^64"]);
    expect(evaluateFlag(config, "2^53", "integer", 0).value).toBe(2 ** 53);
    expect(evaluateFlag(config, "-2^63", "integer", 0).value).toBe(-(2 ** 63));
    const fromText = parseConfiguration(
      `{"flags":{"max":${JSON.stringify(integer(0)).replace('"value":0', '"value":9223372036854775807')}}}`,
    );
    expect(evaluateFlag(fromText, "max", "integer", 0).value).toBe(2 ** 63);
  });

  test("JSON values nested deeper than 128 levels (serde_json's limit) are PARSE_ERROR, at any depth, without recursion", () => {
    for (const depth of [129, 25_000, 200_000]) {
      const text = JSON.stringify(configOf({ deep: jsonFlag(0), good })).replace('"value":0', `"value":${nested(depth)}`);
      const config = parseConfiguration(text);
      expect(config.invalidFlags.map((f) => f.key)).toEqual(["deep"]);
      expect(evaluateFlag(config, "good", "string", "d", {}).value).toBe("on");
    }
    const ok = parseConfiguration(configOf({ deep: jsonFlag(JSON.parse(nested(128))) }));
    expect(ok.invalidFlags).toEqual([]);
    expect(Object.isFrozen((evaluateFlag(ok, "deep", "object", {}).value as unknown[])[0])).toBe(true);
  });

  test("regex limits: nesting (250), compiled size, and nothing escapes as a RangeError", () => {
    const config = parseConfiguration(configOf({
      "groups-250": matches("(".repeat(250) + "a" + ")".repeat(250)),
      "groups-251": matches("(".repeat(251) + "a" + ")".repeat(251)),
      "groups-5000": matches("(".repeat(5000) + "a" + ")".repeat(5000)),
      "classes-5000": matches("[".repeat(5000) + "a" + "]".repeat(5000)),
      "stars-5000": matches("a" + "*".repeat(5000)),
      "size": matches("a{1000}{1000}{1000}"),
      good,
    }));
    expect(config.invalidFlags.map((f) => f.key).sort()).toEqual(["classes-5000", "groups-251", "groups-5000", "size", "stars-5000"]);
    expect(evaluateFlag(config, "groups-250", "string", "d", { a: "a" }).value).toBe("on");
    expect(config.invalidFlags.find((f) => f.key === "size")!.message).toMatch(/compiled size/);
  });

  test("an object whose getters throw spoils only its flag", () => {
    const evil = { ...good };
    Object.defineProperty(evil, "allocations", {
      enumerable: true,
      get() {
        throw new TypeError("boom");
      },
    });
    const config = parseConfiguration(configOf({ evil, good }));
    expect(config.invalidFlags.map((f) => f.key)).toEqual(["evil"]);
    expect(evaluateFlag(config, "good", "string", "d", {}).value).toBe("on");
  });

  test("a malformed document is a FlagpostError and nothing else", () => {
    for (const doc of ["{", "[]", "null", '{"flags":[]}', "1", `{"flags":${nested(200_000)}}`]) {
      expect(() => parseConfiguration(doc)).toThrow(FlagpostError);
    }
  });
});
