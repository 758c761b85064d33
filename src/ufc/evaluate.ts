/**
 * `evaluateFlag`: one flag, one context, against a compiled configuration.
 *
 * Order of checks (the native evaluator's):
 * 1. no configuration → ERROR / PROVIDER_NOT_READY;
 * 2. unknown flag → ERROR / FLAG_NOT_FOUND;
 * 3. invalid flag → ERROR / PARSE_ERROR;
 * 4. disabled flag → DISABLED;
 * 5. flag type incompatible with the expected type → ERROR / TYPE_MISMATCH;
 * 6. allocations in order: active while `startAt ≤ now ≤ endAt`, rules OR'd
 *    (none means everyone), conditions AND'd, then the first split whose
 *    shards all match. A split that needs hashing without a targeting key →
 *    ERROR / TARGETING_KEY_MISSING (`""` is a valid key);
 * 7. nothing matched → DEFAULT with the caller's default.
 *
 * @module
 */
import type {
  CompiledConfiguration,
  CompiledSplit,
  EvaluationContext,
  EvaluationErrorCode,
  EvaluationReason,
  EvaluationResult,
  ExpectedType,
  VariationType,
} from "./model.ts";
import { matchesShard } from "./shard.ts";

/**
 * Whether a flag of `variationType` can serve a caller expecting `expected`.
 *
 * @example
 * ```ts
 * import { isTypeCompatible } from "./evaluate.ts"; // internal: not exported from "flagpost/ufc"
 * isTypeCompatible("number", "INTEGER"); // true
 * isTypeCompatible("integer", "NUMERIC"); // false
 * ```
 */
export function isTypeCompatible(expected: ExpectedType, variationType: VariationType): boolean {
  switch (expected) {
    case "boolean":
      return variationType === "BOOLEAN";
    case "string":
      return variationType === "STRING";
    case "number":
      return variationType === "NUMERIC" || variationType === "INTEGER";
    case "integer":
      return variationType === "INTEGER";
    case "object":
      return variationType === "JSON";
    default:
      return false;
  }
}

function fallback<T>(
  value: T,
  reason: EvaluationReason,
  errorCode?: EvaluationErrorCode,
  errorMessage?: string,
): EvaluationResult<T> {
  if (errorCode === undefined) return { value, reason, doLog: false };
  return errorMessage === undefined ? { value, reason, errorCode, doLog: false } : { value, reason, errorCode, errorMessage, doLog: false };
}

const EMPTY_CONTEXT: EvaluationContext = {};

/**
 * Evaluates `flagKey` for `context`. Never throws: every failure is a result
 * with the caller's `defaultValue`, reason ERROR and an error code.
 *
 * `now` (epoch milliseconds, default `Date.now()`) decides which allocation
 * date windows are active.
 *
 * @example
 * ```ts
 * import { evaluateFlag, parseConfiguration } from "flagpost/ufc";
 * const config = parseConfiguration({
 *   flags: {
 *     "kill-switch": {
 *       key: "kill-switch",
 *       enabled: true,
 *       variationType: "BOOLEAN",
 *       variations: { on: { key: "on", value: true } },
 *       allocations: [{
 *         key: "on-for-NA",
 *         rules: [{ conditions: [{ attribute: "country", operator: "ONE_OF", value: ["US", "Canada", "Mexico"] }] }],
 *         splits: [{ variationKey: "on", shards: [] }],
 *         doLog: true,
 *       }],
 *     },
 *   },
 * });
 * const result = evaluateFlag(config, "kill-switch", "boolean", false, { targetingKey: "alice", country: "US" });
 * // { value: true, variant: "on", allocationKey: "on-for-NA", reason: "TARGETING_MATCH", doLog: true }
 * ```
 */
export function evaluateFlag<T>(
  config: CompiledConfiguration | undefined,
  flagKey: string,
  expectedType: ExpectedType,
  defaultValue: T,
  context: EvaluationContext = EMPTY_CONTEXT,
  now: number = Date.now(),
): EvaluationResult<T> {
  if (config === undefined) return fallback(defaultValue, "ERROR", "PROVIDER_NOT_READY", "no flag configuration yet");
  const flag = config.flags.get(flagKey);
  if (flag === undefined) return fallback(defaultValue, "ERROR", "FLAG_NOT_FOUND", `flag ${JSON.stringify(flagKey)} not found`);
  if (flag.kind === "invalid") return fallback(defaultValue, "ERROR", "PARSE_ERROR", flag.message);
  if (flag.kind === "disabled") return fallback(defaultValue, "DISABLED");
  if (!isTypeCompatible(expectedType, flag.variationType)) {
    return fallback(
      defaultValue,
      "ERROR",
      "TYPE_MISMATCH",
      `flag ${JSON.stringify(flagKey)} is ${flag.variationType}, not ${expectedType}`,
    );
  }
  const ctx = context ?? EMPTY_CONTEXT;
  const rawKey = ctx.targetingKey;
  const targetingKey = typeof rawKey === "string" ? rawKey : undefined;

  const allocations = flag.allocations;
  for (let a = 0; a < allocations.length; a++) {
    const allocation = allocations[a]!;
    if (now < allocation.startAt || now > allocation.endAt) continue;
    const rules = allocation.rules;
    if (rules.length > 0) {
      let any = false;
      for (let r = 0; r < rules.length && !any; r++) {
        const conditions = rules[r]!;
        let all = true;
        for (let c = 0; c < conditions.length; c++) {
          if (!conditions[c]!(ctx, targetingKey)) {
            all = false;
            break;
          }
        }
        any = all;
      }
      if (!any) continue;
    }
    const splits = allocation.splits;
    for (let s = 0; s < splits.length; s++) {
      const split: CompiledSplit = splits[s]!;
      const shards = split.shards;
      if (shards.length > 0) {
        if (targetingKey === undefined) {
          return fallback(defaultValue, "ERROR", "TARGETING_KEY_MISSING", `flag ${JSON.stringify(flagKey)} needs a targeting key`);
        }
        let all = true;
        for (let k = 0; k < shards.length; k++) {
          if (!matchesShard(shards[k]!, targetingKey)) {
            all = false;
            break;
          }
        }
        if (!all) continue;
      }
      return split.result as EvaluationResult<T>;
    }
  }
  return fallback(defaultValue, "DEFAULT");
}
