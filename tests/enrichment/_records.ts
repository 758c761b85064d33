/** EvaluationRecord builders shared by the span-enrichment tests (and the CLI's). */
import type { EvaluationRecord } from "../../src/core/evaluation.ts";
import { evaluationRecord } from "../support/records.ts";

/**
 * A matched evaluation with a serial id. `targetingKey` null means "no
 * targeting key" (undefined would select the default).
 */
export function match(
  serialId: number,
  targetingKey: string | null = "user-123",
  doLog = true,
  flagKey = `flag-${serialId}`,
): EvaluationRecord {
  return evaluationRecord({
    flagKey,
    reason: "STATIC",
    allocationKey: "allocation",
    serialId,
    doLog,
    targetingKey: targetingKey ?? undefined,
    attributes: {},
  });
}

/** An evaluation that returned the caller's default (no variant, no serial id). */
export function runtimeDefault(flagKey: string, value: unknown): EvaluationRecord {
  return evaluationRecord({
    flagKey,
    variant: undefined,
    value,
    reason: "ERROR",
    errorCode: "FLAG_NOT_FOUND",
    allocationKey: undefined,
    serialId: undefined,
    doLog: false,
    targetingKey: "user-123",
    attributes: {},
  });
}
