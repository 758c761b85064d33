/**
 * The one record every telemetry signal consumes (design principle 10).
 *
 * A flag evaluation happens once — in flagpost's provider, in another
 * provider seen through the OpenFeature hook, or in user code — and becomes
 * one `EvaluationRecord`. Exposures, evaluation metrics, flag-evaluation
 * rows and span enrichment all read this same shape, so no signal needs to
 * know where the evaluation came from, and one record is never counted
 * twice by two paths.
 *
 * It lives in core (not in the OpenFeature adapter) because the signals
 * must not depend on any evaluator: reasons and error codes are plain
 * strings here, so a record from a provider that is not flagpost's fits too.
 *
 * @module
 */

/**
 * OpenFeature resolution reasons flagpost's evaluator produces. Records from
 * other providers may carry any other string in `reason`; signals treat the
 * value case-insensitively.
 */
export type KnownEvaluationReason =
  | "STATIC"
  | "DEFAULT"
  | "TARGETING_MATCH"
  | "SPLIT"
  | "DISABLED"
  | "ERROR";

/** OpenFeature error codes (the allow-list Datadog's tracers send). Others may appear as plain strings. */
export type KnownEvaluationErrorCode =
  | "PROVIDER_NOT_READY"
  | "PROVIDER_FATAL"
  | "FLAG_NOT_FOUND"
  | "PARSE_ERROR"
  | "TYPE_MISMATCH"
  | "TARGETING_KEY_MISSING"
  | "INVALID_CONTEXT"
  | "GENERAL";

/**
 * One flag evaluation, as every signal consumes it.
 *
 * @example
 * ```ts
 * import type { EvaluationRecord } from "flagpost";
 * const record: EvaluationRecord = {
 *   flagKey: "new-checkout",
 *   variant: "on",
 *   value: true,
 *   reason: "TARGETING_MATCH",
 *   errorCode: undefined,
 *   allocationKey: "beta-users",
 *   serialId: 42,
 *   doLog: true,
 *   targetingKey: "user-123",
 *   attributes: { country: "FR" },
 *   timestamp: Date.now(),
 * };
 * console.log(record.flagKey);
 * ```
 */
export interface EvaluationRecord {
  /** The flag key that was evaluated. */
  readonly flagKey: string;
  /** The variant served; `undefined` when the caller's default was returned (no variant). */
  readonly variant: string | undefined;
  /** The value returned to the caller (the default when there is no variant). */
  readonly value: unknown;
  /** OpenFeature reason ({@link KnownEvaluationReason} from flagpost's evaluator; any string from other providers). */
  readonly reason: string;
  /** OpenFeature error code ({@link KnownEvaluationErrorCode}) when the evaluation failed, else `undefined`. */
  readonly errorCode: string | undefined;
  /** The allocation that served the variant, when there is one. */
  readonly allocationKey: string | undefined;
  /** The split's serial id (an i32 in the configuration; `0` is a valid id), when the split has one. */
  readonly serialId: number | undefined;
  /** Whether an exposure should be logged (the allocation's `doLog`; false when there is no variant). */
  readonly doLog: boolean;
  /** The context's targeting key; `""` is a valid key, `undefined` means none was given. */
  readonly targetingKey: string | undefined;
  /** The evaluation context without `targetingKey`. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Epoch milliseconds of the evaluation. */
  readonly timestamp: number;
  /**
   * The configuration's top-level `observeFullEvaluationData` consent: when
   * true, flag-evaluation rows may carry the raw targeting key and the
   * flattened context. Absent or false means only hashed subjects leave the
   * process.
   */
  readonly observeFullEvaluationData?: boolean;
}
