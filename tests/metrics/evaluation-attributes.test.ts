import { describe, expect, test } from "bun:test";
import { evaluationAttributes, evaluationSeriesValues } from "../../src/metrics/evaluation-attributes.ts";
import type { EvaluationRecord } from "../../mod.ts";
import { evaluation } from "./_helpers.ts";

const attrs = (r: Partial<EvaluationRecord>) => {
  const values = evaluationSeriesValues(evaluation(r));
  return values === undefined ? undefined : Object.fromEntries(evaluationAttributes(values));
};

describe("evaluation attributes", () => {
  test("a match: key, variant, lower-cased reason, allocation key; no error.type", () => {
    expect(attrs({})).toEqual({
      "feature_flag.key": "checkout",
      "feature_flag.result.variant": "on",
      "feature_flag.result.reason": "targeting_match",
      "feature_flag.result.allocation_key": "beta",
    });
  });

  test("reason is trimmed and lower-cased; empty or missing reason is 'unknown'", () => {
    expect(attrs({ reason: "  TARGETING_MATCH\t" })!["feature_flag.result.reason"]).toBe("targeting_match");
    expect(attrs({ reason: "" })!["feature_flag.result.reason"]).toBe("unknown");
    expect(attrs({ reason: "   " })!["feature_flag.result.reason"]).toBe("unknown");
    expect(attrs({ reason: undefined as unknown as string })!["feature_flag.result.reason"]).toBe("unknown");
  });

  test("variant is always present, '' when there is none", () => {
    expect(attrs({ variant: undefined, reason: "DEFAULT", allocationKey: undefined })).toEqual({
      "feature_flag.key": "checkout",
      "feature_flag.result.variant": "",
      "feature_flag.result.reason": "default",
    });
  });

  test("error.type is the lower-cased error code, only on error; no allocation key on error/default/disabled", () => {
    expect(attrs({ reason: "ERROR", errorCode: "FLAG_NOT_FOUND", variant: undefined })).toEqual({
      "feature_flag.key": "checkout",
      "feature_flag.result.variant": "",
      "feature_flag.result.reason": "error",
      "error.type": "flag_not_found",
    });
    for (const reason of ["ERROR", "DEFAULT", "DISABLED", " Disabled "]) {
      expect(attrs({ reason, allocationKey: "a" })!["feature_flag.result.allocation_key"]).toBeUndefined();
    }
    for (const reason of ["STATIC", "SPLIT", "TARGETING_MATCH", "CACHED"]) {
      expect(attrs({ reason, allocationKey: "a" })!["feature_flag.result.allocation_key"]).toBe("a");
    }
    expect(attrs({ errorCode: "" })!["error.type"]).toBeUndefined();
    expect(attrs({ allocationKey: "" })!["feature_flag.result.allocation_key"]).toBeUndefined();
  });

  test("an empty or non-string flag key cannot be counted", () => {
    expect(attrs({ flagKey: "" })).toBeUndefined();
    expect(attrs({ flagKey: 42 as unknown as string })).toBeUndefined();
    expect(evaluationSeriesValues(null as unknown as EvaluationRecord)).toBeUndefined();
  });
});
