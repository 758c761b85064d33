/**
 * Conditions: each UFC condition compiled once into a predicate on the
 * evaluation context. Operator semantics follow Datadog's native evaluator:
 *
 * - `MATCHES` / `NOT_MATCHES`: the attribute as a string (numbers in plain
 *   decimal, booleans as `true`/`false`) searched with the Rust-dialect regex
 *   (unanchored). A missing or null attribute matches neither.
 * - `ONE_OF` / `NOT_ONE_OF`: the attribute as a string, compared exactly with
 *   the listed strings. A missing or null attribute matches neither.
 * - `GT` `GTE` `LT` `LTE`: the attribute as a number (strings parsed
 *   strictly); the comparison value must be a JSON number.
 * - `IS_NULL`: `true` matches a missing or null attribute, `false` any other.
 * - `SEMVER_*`: a string attribute that is valid SemVer, compared by precedence.
 *
 * The attribute `id` falls back to the targeting key when the context has no
 * `id`. `targetingKey` itself is not an attribute.
 *
 * @module
 */
import { attributeAsNumber, attributeAsString } from "./coerce.ts";
import { InvalidFlagError } from "./invalid.ts";
import type { ConditionOperator, EvaluationContext, Predicate } from "./model.ts";
import { compileRegex, type RegexMatcher, RegexTranslationError } from "./regex.ts";
import { compareSemver, parseSemver } from "./semver.ts";

type Reader = (context: EvaluationContext, targetingKey: string | undefined) => unknown;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * How an attribute is read from the context: `id` falls back to the targeting
 * key; names inherited from `Object.prototype` (`constructor`, `toString`, …)
 * are only read when the context has them as its own property.
 */
function attributeReader(name: string): Reader {
  if (name === "id") {
    return (context, targetingKey) => {
      const value = hasOwn.call(context, "id") ? context.id : undefined;
      return value === undefined ? targetingKey : value;
    };
  }
  if (name === "targetingKey") return () => undefined;
  if (name in Object.prototype) return (context) => (hasOwn.call(context, name) ? context[name] : undefined);
  return (context) => context[name];
}

function singletonString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === "string") return value[0];
  return undefined;
}

const OPERATORS: readonly string[] = [
  "MATCHES",
  "NOT_MATCHES",
  "ONE_OF",
  "NOT_ONE_OF",
  "GT",
  "GTE",
  "LT",
  "LTE",
  "IS_NULL",
  "SEMVER_EQ",
  "SEMVER_NEQ",
  "SEMVER_LT",
  "SEMVER_LTE",
  "SEMVER_GT",
  "SEMVER_GTE",
];

/**
 * Whether `operator` is one of the UFC condition operators.
 *
 * @example
 * ```ts
 * import { isConditionOperator } from "./operators.ts"; // internal: not exported from "flagpost/ufc"
 * isConditionOperator("ONE_OF"); // true
 * isConditionOperator("NOT_A_REAL_OPERATOR"); // false
 * ```
 */
export function isConditionOperator(operator: unknown): operator is ConditionOperator {
  return typeof operator === "string" && OPERATORS.includes(operator);
}

/**
 * Compiles one condition into a predicate. Throws `InvalidFlagError` (naming
 * `path`) for an unknown operator, a value of the wrong shape, a regex that
 * cannot be translated or an invalid version.
 *
 * @example
 * ```ts
 * import { compileCondition } from "./operators.ts"; // internal: not exported from "flagpost/ufc"
 * const isAdult = compileCondition({ attribute: "age", operator: "GTE", value: 18 }, "condition");
 * isAdult({ age: 20 }, undefined); // true
 * isAdult({ age: "20" }, undefined); // true (strict numeric parsing)
 * ```
 */
export function compileCondition(raw: unknown, path: string): Predicate {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new InvalidFlagError(path, "expected an object");
  const { attribute, operator, value } = raw as Record<string, unknown>;
  if (typeof attribute !== "string") throw new InvalidFlagError(`${path}.attribute`, "expected a string");
  if (!isConditionOperator(operator)) throw new InvalidFlagError(`${path}.operator`, `unknown operator ${JSON.stringify(operator)}`);
  const valueOk = typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value)) ||
    (Array.isArray(value) && value.every((v) => typeof v === "string"));
  if (!valueOk) throw new InvalidFlagError(`${path}.value`, "expected a boolean, a number, a string or an array of strings");
  const read = attributeReader(attribute);

  switch (operator) {
    case "MATCHES":
    case "NOT_MATCHES": {
      const pattern = singletonString(value);
      if (pattern === undefined) throw new InvalidFlagError(`${path}.value`, `${operator} expects a string`);
      let regex: RegexMatcher;
      try {
        regex = compileRegex(pattern);
      } catch (e) {
        if (e instanceof RegexTranslationError) throw new InvalidFlagError(`${path}.value`, e.message);
        throw e;
      }
      const expected = operator === "MATCHES";
      return (context, targetingKey) => {
        const v = read(context, targetingKey);
        const s = typeof v === "string" ? v : attributeAsString(v);
        return s !== undefined && regex.test(s) === expected;
      };
    }
    case "ONE_OF":
    case "NOT_ONE_OF": {
      if (!Array.isArray(value)) throw new InvalidFlagError(`${path}.value`, `${operator} expects an array of strings`);
      const expected = operator === "ONE_OF";
      const values = value as string[];
      if (values.length <= 8) {
        return (context, targetingKey) => {
          const v = read(context, targetingKey);
          const s = typeof v === "string" ? v : attributeAsString(v);
          return s !== undefined && values.includes(s) === expected;
        };
      }
      const set = new Set(values);
      return (context, targetingKey) => {
        const v = read(context, targetingKey);
        const s = typeof v === "string" ? v : attributeAsString(v);
        return s !== undefined && set.has(s) === expected;
      };
    }
    case "GT":
    case "GTE":
    case "LT":
    case "LTE": {
      if (typeof value !== "number") throw new InvalidFlagError(`${path}.value`, `${operator} expects a number`);
      const c = value;
      const num = (context: EvaluationContext, targetingKey: string | undefined) => {
        const v = read(context, targetingKey);
        return typeof v === "number" ? v : attributeAsNumber(v);
      };
      switch (operator) {
        case "GT":
          return (context, targetingKey) => {
            const n = num(context, targetingKey);
            return n !== undefined && n > c;
          };
        case "GTE":
          return (context, targetingKey) => {
            const n = num(context, targetingKey);
            return n !== undefined && n >= c;
          };
        case "LT":
          return (context, targetingKey) => {
            const n = num(context, targetingKey);
            return n !== undefined && n < c;
          };
        default:
          return (context, targetingKey) => {
            const n = num(context, targetingKey);
            return n !== undefined && n <= c;
          };
      }
    }
    case "IS_NULL": {
      if (typeof value !== "boolean") throw new InvalidFlagError(`${path}.value`, "IS_NULL expects a boolean");
      const expected = value;
      return (context, targetingKey) => {
        const v = read(context, targetingKey);
        return (v === undefined || v === null) === expected;
      };
    }
    default: {
      const text = singletonString(value);
      const comparand = text === undefined ? undefined : parseSemver(text);
      if (comparand === undefined) throw new InvalidFlagError(`${path}.value`, `${operator} expects a valid semantic version`);
      const test: (ordering: number) => boolean = operator === "SEMVER_EQ"
        ? (o) => o === 0
        : operator === "SEMVER_NEQ"
        ? (o) => o !== 0
        : operator === "SEMVER_LT"
        ? (o) => o < 0
        : operator === "SEMVER_LTE"
        ? (o) => o <= 0
        : operator === "SEMVER_GT"
        ? (o) => o > 0
        : (o) => o >= 0;
      return (context, targetingKey) => {
        const v = read(context, targetingKey);
        if (typeof v !== "string") return false;
        const version = parseSemver(v);
        return version !== undefined && test(compareSemver(version, comparand));
      };
    }
  }
}
