/**
 * Types of Datadog's Universal Flag Configuration (UFC): the wire format (what
 * the backend sends), the compiled form `parseConfiguration` produces, and the
 * result of `evaluateFlag`.
 *
 * @module
 */

/** The type of a flag's variation values, as written in the configuration. */
export type VariationType = "BOOLEAN" | "INTEGER" | "NUMERIC" | "STRING" | "JSON";

/**
 * The type the caller expects. `"number"` accepts INTEGER and NUMERIC flags,
 * `"integer"` only INTEGER flags, `"object"` JSON flags.
 */
export type ExpectedType = "boolean" | "string" | "number" | "integer" | "object";

/** Condition operators of the UFC format. */
export type ConditionOperator =
  | "MATCHES"
  | "NOT_MATCHES"
  | "ONE_OF"
  | "NOT_ONE_OF"
  | "GT"
  | "GTE"
  | "LT"
  | "LTE"
  | "IS_NULL"
  | "SEMVER_EQ"
  | "SEMVER_NEQ"
  | "SEMVER_LT"
  | "SEMVER_LTE"
  | "SEMVER_GT"
  | "SEMVER_GTE";

/** A JSON value (what a JSON flag serves). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Any value a flag can serve. */
export type FlagValue = boolean | number | string | JsonValue;

/**
 * UFC wire format: the whole document. Unknown fields are ignored.
 *
 * @example
 * ```ts
 * import { parseConfiguration, type UfcConfiguration } from "flagpost/ufc";
 * const doc: UfcConfiguration = { flags: { f: { key: "f", enabled: true, variationType: "BOOLEAN",
 *   variations: { on: { key: "on", value: true } }, allocations: [{ key: "all", splits: [{ variationKey: "on", shards: [] }] }] } } };
 * ```
 */
export interface UfcConfiguration {
  createdAt?: string;
  format?: string;
  environment?: { name?: string };
  flags: Record<string, UfcFlag>;
}

/** UFC wire format: one flag. */
export interface UfcFlag {
  key: string;
  enabled: boolean;
  variationType: VariationType;
  variations: Record<string, { key: string; value: FlagValue }>;
  allocations: UfcAllocation[];
}

/** UFC wire format: an allocation (rules, an optional date window, splits). */
export interface UfcAllocation {
  key: string;
  rules?: UfcRule[] | null;
  startAt?: string | null;
  endAt?: string | null;
  splits: UfcSplit[];
  /** Defaults to `true`. */
  doLog?: boolean;
}

/** UFC wire format: a rule, matched when all its conditions match. */
export interface UfcRule {
  conditions: UfcCondition[];
}

/** UFC wire format: one condition on one attribute. */
export interface UfcCondition {
  attribute: string;
  operator: ConditionOperator;
  value: boolean | number | string | string[];
}

/** UFC wire format: a split, chosen when the subject falls in all its shards. */
export interface UfcSplit {
  variationKey: string;
  shards: UfcShard[];
  serialId?: number | null;
}

/** UFC wire format: md5(`salt-targetingKey`) modulo `totalShards` must fall in one of `ranges`. */
export interface UfcShard {
  salt: string;
  totalShards: number;
  ranges: Array<{ start: number; end: number }>;
}

/**
 * The evaluation context, OpenFeature style: an optional `targetingKey` and
 * any attributes. Attributes that are strings, numbers, booleans or `null`
 * take part in conditions; `undefined` is absent; other values (objects,
 * arrays, dates) are present but match no operator except `IS_NULL: false`.
 *
 * @example
 * ```ts
 * import { evaluateFlag, type EvaluationContext, parseConfiguration } from "flagpost/ufc";
 * const context: EvaluationContext = { targetingKey: "user-1", country: "FR", age: 42 };
 * console.log(evaluateFlag(parseConfiguration({ flags: {} }), "f", "string", "default", context).value); // "default"
 * ```
 */
export interface EvaluationContext {
  targetingKey?: string;
  [attribute: string]: unknown;
}

/** Why an evaluation returned its value (OpenFeature reasons). */
export type EvaluationReason = "TARGETING_MATCH" | "SPLIT" | "STATIC" | "DEFAULT" | "DISABLED" | "ERROR";

/** Why an evaluation failed (OpenFeature error codes). Set only when `reason` is `"ERROR"`. */
export type EvaluationErrorCode =
  | "FLAG_NOT_FOUND"
  | "TYPE_MISMATCH"
  | "TARGETING_KEY_MISSING"
  | "PARSE_ERROR"
  | "PROVIDER_NOT_READY"
  | "GENERAL";

/**
 * The outcome of one evaluation. When a variation is served, `variant` and
 * `allocationKey` are set (and `serialId` when the split has one); otherwise
 * `value` is the caller's default and `doLog` is false.
 *
 * Results that serve a variation are shared, frozen objects (one per split):
 * copy before changing them. JSON values are deep-frozen for the same reason.
 *
 * @example
 * ```ts
 * import { evaluateFlag, type EvaluationResult, parseConfiguration } from "flagpost/ufc";
 * const config = parseConfiguration({ flags: {} });
 * const r: EvaluationResult<boolean> = evaluateFlag(config, "f", "boolean", false, {});
 * if (r.reason === "ERROR") console.warn(r.errorCode, r.errorMessage);
 * ```
 */
export interface EvaluationResult<T = FlagValue> {
  readonly value: T;
  readonly variant?: string;
  readonly allocationKey?: string;
  readonly reason: EvaluationReason;
  readonly errorCode?: EvaluationErrorCode;
  readonly errorMessage?: string;
  readonly serialId?: number;
  /** Whether an exposure should be logged for this evaluation (the allocation's `doLog`). */
  readonly doLog: boolean;
}

/** Tests whether a context satisfies a compiled condition. */
export type Predicate = (context: EvaluationContext, targetingKey: string | undefined) => boolean;

/** A compiled shard: a pre-encoded salt, a modulus and half-open ranges. */
export interface CompiledShard {
  readonly salt: string;
  readonly totalShards: number;
  /** Flat [start0, end0, start1, end1, …]. */
  readonly ranges: readonly number[];
}

/** A compiled split: its significant shards and the precomputed result it serves. */
export interface CompiledSplit {
  /** Shards that can exclude a subject (a shard covering [0, totalShards) is dropped). */
  readonly shards: readonly CompiledShard[];
  readonly result: EvaluationResult;
}

/** A compiled allocation. */
export interface CompiledAllocation {
  readonly key: string;
  /** Epoch milliseconds (may be fractional); `-Infinity` when absent. */
  readonly startAt: number;
  /** Epoch milliseconds (may be fractional); `Infinity` when absent. */
  readonly endAt: number;
  /** Each rule is a list of conditions (AND); rules are OR'd; empty means "everyone". */
  readonly rules: readonly (readonly Predicate[])[];
  readonly splits: readonly CompiledSplit[];
}

/** A flag that compiled. */
export interface CompiledFlag {
  readonly kind: "flag";
  readonly key: string;
  readonly variationType: VariationType;
  readonly allocations: readonly CompiledAllocation[];
}

/** A flag present but disabled: evaluates to the default with reason DISABLED. */
export interface DisabledFlag {
  readonly kind: "disabled";
  readonly key: string;
}

/** A flag that could not be compiled: evaluates to the default with ERROR / PARSE_ERROR. */
export interface InvalidFlag {
  readonly kind: "invalid";
  readonly key: string;
  /** What was wrong, naming the field (e.g. `allocations[0].rules[1].conditions[0].value: …`). */
  readonly message: string;
}

/** One entry of a compiled configuration. */
export type CompiledFlagEntry = CompiledFlag | DisabledFlag | InvalidFlag;

/**
 * The result of `parseConfiguration`: every flag, compiled or marked as disabled/invalid.
 *
 * @example
 * ```ts
 * import { type CompiledConfiguration, parseConfiguration } from "flagpost/ufc";
 * const text = JSON.stringify({ flags: { "new-checkout": { key: "new-checkout", enabled: false } } });
 * const config: CompiledConfiguration = parseConfiguration(text);
 * config.flags.get("new-checkout")?.kind; // "flag" | "disabled" | "invalid"
 * ```
 */
export interface CompiledConfiguration {
  readonly createdAt: string | undefined;
  readonly environment: string | undefined;
  /**
   * The configuration's top-level `observeFullEvaluationData` consent (default
   * false): whether flag-evaluation rows may carry raw targeting keys and context.
   */
  readonly observeFullEvaluationData: boolean;
  readonly flags: ReadonlyMap<string, CompiledFlagEntry>;
  /** The flags that could not be compiled, with the reason (also in `flags`). */
  readonly invalidFlags: readonly InvalidFlag[];
}
