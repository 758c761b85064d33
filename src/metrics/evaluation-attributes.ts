/**
 * The attribute set of one evaluation's `feature_flag.evaluations` point,
 * exactly as Datadog's tracers build it (dd-trace-js `eval-metrics-hook.js`,
 * the PHP sidecar):
 *
 * - `feature_flag.key`;
 * - `feature_flag.result.variant`: always, `""` when there is no variant;
 * - `feature_flag.result.reason`: trimmed and lower-cased, `""` → `unknown`
 *   (so `TARGETING_MATCH` and ` targeting_match` are one series);
 * - `error.type`: the lower-cased error code, only when there is one;
 * - `feature_flag.result.allocation_key`: only when set and the reason is not
 *   `error`, `default` or `disabled` (no allocation served those).
 *
 * @module
 */
import type { EvaluationRecord } from "../core/evaluation.ts";
import type { MetricAttribute } from "./otlp-request.ts";

/** Attribute keys of a `feature_flag.evaluations` point. */
export const EVALUATION_ATTRIBUTE = Object.freeze(
  {
    flagKey: "feature_flag.key",
    variant: "feature_flag.result.variant",
    reason: "feature_flag.result.reason",
    errorType: "error.type",
    allocationKey: "feature_flag.result.allocation_key",
  } as const,
);

/** Reasons under which no allocation served the value, so no allocation key is sent. */
function servedByAllocation(reason: string): boolean {
  return reason !== "error" && reason !== "default" && reason !== "disabled";
}

/** A record's normalized attribute values (`errorType`/`allocationKey` absent when not sent). */
export interface EvaluationSeriesValues {
  readonly flagKey: string;
  readonly variant: string;
  readonly reason: string;
  readonly errorType: string | undefined;
  readonly allocationKey: string | undefined;
}

/**
 * The normalized attribute values of `record`, or `undefined` when the
 * record cannot be counted (not an object, or an empty or non-string flag
 * key). Never throws.
 *
 * @example
 * ```ts
 * import { evaluationSeriesValues } from "./evaluation-attributes.ts"; // internal
 * const values = evaluationSeriesValues({
 *   flagKey: "checkout", variant: "on", value: true, reason: " TARGETING_MATCH ", errorCode: undefined,
 *   allocationKey: "beta", serialId: 1, doLog: true, targetingKey: "u1", attributes: {}, timestamp: 0,
 * });
 * console.log(values?.reason); // "targeting_match"
 * ```
 */
export function evaluationSeriesValues(record: EvaluationRecord): EvaluationSeriesValues | undefined {
  if (record === null || typeof record !== "object") return undefined;
  const flagKey: unknown = record.flagKey;
  if (typeof flagKey !== "string" || flagKey === "") return undefined;
  const rawVariant: unknown = record.variant;
  const variant = typeof rawVariant === "string" ? rawVariant : "";
  const rawReason: unknown = record.reason;
  const trimmed = typeof rawReason === "string" ? rawReason.trim().toLowerCase() : "";
  const reason = trimmed === "" ? "unknown" : trimmed;
  const rawError: unknown = record.errorCode;
  const errorType = typeof rawError === "string" && rawError !== "" ? rawError.toLowerCase() : undefined;
  const rawAllocation: unknown = record.allocationKey;
  const allocationKey = typeof rawAllocation === "string" && rawAllocation !== "" && servedByAllocation(reason) ? rawAllocation : undefined;
  return { flagKey, variant, reason, errorType, allocationKey };
}

/**
 * The point attributes of normalized values, in a fixed order.
 *
 * @example
 * ```ts
 * import { evaluationAttributes } from "./evaluation-attributes.ts"; // internal
 * const attributes = evaluationAttributes({ flagKey: "f", variant: "", reason: "error", errorType: "flag_not_found", allocationKey: undefined });
 * console.log(attributes.map(([k]) => k)); // ["feature_flag.key", "feature_flag.result.variant", "feature_flag.result.reason", "error.type"]
 * ```
 */
export function evaluationAttributes(values: EvaluationSeriesValues): MetricAttribute[] {
  const out: MetricAttribute[] = [
    [EVALUATION_ATTRIBUTE.flagKey, values.flagKey],
    [EVALUATION_ATTRIBUTE.variant, values.variant],
    [EVALUATION_ATTRIBUTE.reason, values.reason],
  ];
  if (values.errorType !== undefined) out.push([EVALUATION_ATTRIBUTE.errorType, values.errorType]);
  if (values.allocationKey !== undefined) out.push([EVALUATION_ATTRIBUTE.allocationKey, values.allocationKey]);
  return out;
}
