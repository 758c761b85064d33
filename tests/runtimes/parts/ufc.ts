/**
 * The UFC evaluator and the OpenFeature provider on every runtime: every
 * canonical case of ffe-system-test-data (value, reason, error code), plus
 * the pieces most likely to differ between engines — MD5 sharding, the
 * Unicode regex translation (`v` flag, look-behind), microsecond timestamps —
 * and the provider's flag metadata and `onEvaluation` seam. Also the
 * regex engine's Rust-fidelity answers, ReDoS patterns against 100 KB
 * attributes through `evaluateFlag` (each must finish: linear time on every
 * engine), and hostile configurations that may only spoil their own flag.
 */
import { type CanonicalCase, caseName, contextOf, expectedOf, expectedTypeOf, SUPERSEDED } from "../../support/canonical-cases.ts";
// Internals (not in the public API) come from the sources: on Node they are bundled into the entry.
import { parseTimestamp } from "../../../src/ufc/parse.ts";
import { compileRegex, RegexTranslationError } from "../../../src/ufc/regex.ts";
import { shardOf } from "../../../src/ufc/shard.ts";
import { REDOS_CASES, REGEX_FIDELITY } from "../../ufc/regex-fidelity.ts";
import type { Runtime, ScenarioContext, ScenarioInputs, ScenarioPart } from "../types.ts";

const caseKey = (file: string, i: number) => `ufc.${caseName(file, i)}`;

export const part: ScenarioPart = {
  name: "ufc",

  async run({ modules: { ufc, openfeature }, inputs }) {
    const out: Record<string, unknown> = {};
    const config = ufc.parseConfiguration(inputs.fixtures.ufcConfig as object);
    out["ufc.invalidFlags"] = config.invalidFlags.map((f) => f.key).sort();
    for (const { file, cases } of inputs.fixtures.cases) {
      (cases as CanonicalCase[]).forEach((c, i) => {
        const r = ufc.evaluateFlag(config, c.flag, expectedTypeOf(c.variationType), c.defaultValue, contextOf(c));
        out[caseKey(file, i)] = { value: r.value, reason: r.reason, errorCode: r.errorCode ?? null };
      });
    }

    out["ufc.shard"] = [shardOf("a", "b", 10000), shardOf("s", "ñ", 10000)];
    out["ufc.regex"] = [
      compileRegex("(?u)\\bmañana\\b").test("llega mañana temprano"),
      compileRegex("\\bñana\\b").test("mañana"),
      compileRegex("^[[:alnum:]]+$").test("abc123"),
      compileRegex("^[a-z&&[^aeiou]]+$").test("bcd"),
      compileRegex("^a.b$").test("a\rb"),
    ];
    let rejected = false;
    try {
      compileRegex("(?=x)");
    } catch (e) {
      rejected = e instanceof RegexTranslationError;
    }
    out["ufc.regex.rejects-lookahead"] = rejected;
    out["ufc.regex.fidelity"] = REGEX_FIDELITY.map(([pattern, text]) => {
      try {
        return compileRegex(pattern).test(text);
      } catch (e) {
        return e instanceof RegexTranslationError ? "error" : `unexpected ${(e as Error).name}`;
      }
    });
    const redosFlags: Record<string, unknown> = {};
    REDOS_CASES.forEach(([pattern], k) => {
      redosFlags[`redos-${k}`] = regexFlag(`redos-${k}`, pattern);
    });
    const redosConfig = ufc.parseConfiguration({ flags: redosFlags });
    out["ufc.regex.redos"] = REDOS_CASES.map(([_, make], k) =>
      [30, 100_000].map((n) => ufc.evaluateFlag(redosConfig, `redos-${k}`, "boolean", false, { attr: make(n) }).value)
    );
    out["ufc.hostile"] = hostile(ufc);
    // Microseconds past the millisecond, kept by the timestamp parser.
    out["ufc.timestamp.us"] = Math.round((parseTimestamp("2002-10-31T09:00:00.594321Z")! - Date.UTC(2002, 9, 31, 9, 0, 0, 594)) * 1000);

    const records: Array<Record<string, unknown>> = [];
    const onEvaluation = (
      r: { flagKey: string; variant?: string | undefined; reason: string; doLog: boolean; targetingKey?: string | undefined },
    ) => {
      records.push({
        flagKey: r.flagKey,
        variant: r.variant ?? null,
        reason: r.reason,
        doLog: r.doLog,
        targetingKey: r.targetingKey ?? null,
      });
      throw new Error("a failing callback must not change the result");
    };
    const provider = new openfeature.FlagpostProvider({ configuration: JSON.stringify(inputs.fixtures.ufcConfig), onEvaluation });
    await provider.initialize();
    const details = await provider.resolveBooleanEvaluation("kill-switch", false, { targetingKey: "alice", country: "US" });
    out["openfeature.server"] = {
      value: details.value,
      variant: details.variant,
      reason: details.reason,
      flagMetadata: details.flagMetadata,
    };
    const web = new openfeature.FlagpostWebProvider({ configuration: inputs.fixtures.ufcConfig as object, onEvaluation });
    const missing = web.resolveStringEvaluation("new-user-onboarding", "d", { country: "France" });
    out["openfeature.web"] = { value: missing.value, reason: missing.reason, errorCode: missing.errorCode ?? null };
    out["openfeature.records"] = records;
    return out;
  },

  expected(inputs: ScenarioInputs, _runtime: Runtime) {
    const out: Record<string, unknown> = {};
    out["ufc.invalidFlags"] = [...SUPERSEDED].sort();
    for (const { file, cases } of inputs.fixtures.cases) {
      (cases as CanonicalCase[]).forEach((c, i) => {
        const e = expectedOf(c);
        // The one ERROR case without a code in the fixture is a split needing a missing targeting key.
        const errorCode = e.errorCode ?? (e.reason === "ERROR" ? "TARGETING_KEY_MISSING" : null);
        out[caseKey(file, i)] = { value: e.value, reason: e.reason, errorCode };
      });
    }
    // md5("a-b") = 8ca2ed59…, md5("s-ñ") = e84a926d… (coreutils md5sum).
    out["ufc.shard"] = [0x8ca2ed59 % 10000, 0xe84a926d % 10000];
    out["ufc.regex"] = [true, false, true, true, true];
    out["ufc.regex.rejects-lookahead"] = true;
    out["ufc.regex.fidelity"] = REGEX_FIDELITY.map(([, , rust]) => rust);
    out["ufc.regex.redos"] = REDOS_CASES.map(([, , expected]) => [expected, expected]);
    out["ufc.hostile"] = {
      threw: null,
      invalid: ["deep-json", "huge-repetition", "nested-groups"],
      ok: true,
      integers: [2 ** 53, -(2 ** 63), 2 ** 63],
    };
    out["ufc.timestamp.us"] = 321;
    out["openfeature.server"] = {
      value: true,
      variant: "on",
      reason: "TARGETING_MATCH",
      flagMetadata: { __dd_do_log: true, __dd_allocation_key: "on-for-NA" },
    };
    out["openfeature.web"] = { value: "d", reason: "ERROR", errorCode: "TARGETING_KEY_MISSING" };
    out["openfeature.records"] = [
      { flagKey: "kill-switch", variant: "on", reason: "TARGETING_MATCH", doLog: true, targetingKey: "alice" },
      { flagKey: "new-user-onboarding", variant: null, reason: "ERROR", doLog: false, targetingKey: null },
    ];
    return out;
  },
};

/** A BOOLEAN flag that serves `true` when attribute `attr` matches `pattern`. */
function regexFlag(key: string, pattern: string): unknown {
  return {
    key,
    enabled: true,
    variationType: "BOOLEAN",
    variations: { on: { key: "on", value: true } },
    allocations: [{
      key: "match",
      rules: [{ conditions: [{ attribute: "attr", operator: "MATCHES", value: pattern }] }],
      splits: [{ variationKey: "on", shards: [] }],
    }],
  };
}

function integerFlag(key: string, value: number): unknown {
  return {
    key,
    enabled: true,
    variationType: "INTEGER",
    variations: { v: { key: "v", value } },
    allocations: [{ key: "all", splits: [{ variationKey: "v", shards: [] }] }],
  };
}

/** Hostile flags next to a good one: each spoils only itself, and parseConfiguration throws nothing. */
function hostile(ufc: ScenarioContext["modules"]["ufc"]): Record<string, unknown> {
  const depth = 25_000;
  const text = JSON.stringify({
    flags: {
      "nested-groups": regexFlag("nested-groups", "(".repeat(5000) + "a" + ")".repeat(5000)),
      "huge-repetition": regexFlag("huge-repetition", "a{1000}{1000}{1000}"),
      "deep-json": { key: "deep-json", enabled: true, variationType: "JSON", variations: { v: { key: "v", value: 0 } }, allocations: [] },
      "int-2^53": integerFlag("int-2^53", 2 ** 53),
      "int-min": integerFlag("int-min", -(2 ** 63)),
      "int-max": integerFlag("int-max", 2 ** 63),
      good: regexFlag("good", "^ok$"),
    },
  }).replace('"value":0}', `"value":${"[".repeat(depth)}${"]".repeat(depth)}}`);
  try {
    const config = ufc.parseConfiguration(text);
    return {
      threw: null,
      invalid: config.invalidFlags.map((f) => f.key).sort(),
      ok: ufc.evaluateFlag(config, "good", "boolean", false, { attr: "ok" }).value,
      integers: ["int-2^53", "int-min", "int-max"].map((k) => ufc.evaluateFlag(config, k, "integer", 0).value),
    };
  } catch (e) {
    return { threw: (e as Error).name };
  }
}
