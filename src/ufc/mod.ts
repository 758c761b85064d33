/**
 * flagpost/ufc: a local evaluator of Datadog's Universal Flag Configuration,
 * runtime-agnostic (Web APIs only). Compile a configuration once with
 * `parseConfiguration`, evaluate with `evaluateFlag`.
 *
 * This module only re-exports the public API (the regex translator, semver,
 * number coercion and sharding helpers stay internal).
 *
 * @example
 * ```ts
 * import { evaluateFlag, parseConfiguration } from "flagpost/ufc";
 *
 * const config = parseConfiguration({
 *   flags: {
 *     "new-checkout": {
 *       key: "new-checkout",
 *       enabled: true,
 *       variationType: "BOOLEAN",
 *       variations: { on: { key: "on", value: true }, off: { key: "off", value: false } },
 *       allocations: [{
 *         key: "france",
 *         rules: [{ conditions: [{ attribute: "country", operator: "ONE_OF", value: ["FR"] }] }],
 *         splits: [{ variationKey: "on", shards: [] }],
 *         doLog: true,
 *       }],
 *     },
 *   },
 * });
 * const { value, reason } = evaluateFlag(config, "new-checkout", "boolean", false, { targetingKey: "user-1", country: "FR" });
 * console.log(value, reason); // true TARGETING_MATCH
 * ```
 *
 * @module
 */
export { parseConfiguration } from "./parse.ts";
export { evaluateFlag } from "./evaluate.ts";
export type {
  CompiledConfiguration,
  CompiledFlagEntry,
  ConditionOperator,
  EvaluationContext,
  EvaluationErrorCode,
  EvaluationReason,
  EvaluationResult,
  ExpectedType,
  FlagValue,
  InvalidFlag,
  JsonValue,
  UfcAllocation,
  UfcCondition,
  UfcConfiguration,
  UfcFlag,
  UfcRule,
  UfcShard,
  UfcSplit,
  VariationType,
} from "./model.ts";
