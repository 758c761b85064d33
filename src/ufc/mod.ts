/**
 * flagpost/ufc: a local evaluator of Datadog's Universal Flag Configuration,
 * runtime-agnostic (Web APIs only). Compile a configuration once with
 * `parseConfiguration`, evaluate with `evaluateFlag`.
 *
 * This module only re-exports.
 *
 * @example
 * ```ts
 * import { evaluateFlag, parseConfiguration } from "flagpost/ufc";
 * const config = parseConfiguration(ufcJsonText);
 * const { value, reason } = evaluateFlag(config, "new-checkout", "boolean", false, { targetingKey: "user-1", country: "FR" });
 * ```
 *
 * @module
 */
export { parseConfiguration, parseTimestamp } from "./parse.ts";
export { evaluateFlag, isTypeCompatible } from "./evaluate.ts";
export { compileRegex, RegexTranslationError, type TranslatedRegex, translateRegex } from "./regex.ts";
export { compareSemver, parseSemver, type Semver } from "./semver.ts";
export { attributeAsNumber, attributeAsString, formatNumber, parseNumberStrict } from "./coerce.ts";
export { shardOf } from "./shard.ts";
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
