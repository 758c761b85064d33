/**
 * The one `EvaluationRecord` builder of the tests, so that every signal's
 * tests (exposures, metrics, flag-evaluation rows, span enrichment) and the
 * runtime matrix parts start from the same evaluation and state only what a
 * test changes. It imports the library for types only, so the runtime
 * matrix parts may import it (they must not load the library themselves).
 */
import type { EvaluationRecord } from "../../src/core/evaluation.ts";

/** The timestamp of {@link evaluationRecord}'s default record (epoch ms). */
export const T0 = 1_700_000_000_000;

/**
 * A logged targeting match: flag `checkout`, variant `on` (value `true`),
 * allocation `beta`, serial id 7, subject `alice` with `{ plan: "pro" }`, at
 * {@link T0}. `overrides` replace any field (`undefined` included).
 */
export function evaluationRecord(overrides: Partial<EvaluationRecord> = {}): EvaluationRecord {
  return {
    flagKey: "checkout",
    variant: "on",
    value: true,
    reason: "TARGETING_MATCH",
    errorCode: undefined,
    allocationKey: "beta",
    serialId: 7,
    doLog: true,
    targetingKey: "alice",
    attributes: { plan: "pro" },
    timestamp: T0,
    ...overrides,
  };
}
