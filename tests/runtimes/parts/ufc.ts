/**
 * The UFC evaluator and the OpenFeature provider on every runtime: every
 * canonical case of ffe-system-test-data (value, reason, error code), plus
 * the pieces most likely to differ between engines — MD5 sharding, the
 * Unicode regex translation (`v` flag, look-behind), microsecond timestamps —
 * and the provider's flag metadata and `onEvaluation` seam.
 */
import { type CanonicalCase, caseName, contextOf, expectedOf, expectedTypeOf, SUPERSEDED } from "../../support/canonical-cases.ts";
// Internals (not in the public API) come from the sources: on Node they are bundled into the entry.
import { parseTimestamp } from "../../../src/ufc/parse.ts";
import { compileRegex, RegexTranslationError } from "../../../src/ufc/regex.ts";
import { shardOf } from "../../../src/ufc/shard.ts";
import type { Runtime, ScenarioInputs, ScenarioPart } from "../types.ts";

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
