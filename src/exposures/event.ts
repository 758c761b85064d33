/**
 * What an exposure is on the wire, and the one rule that turns an
 * `EvaluationRecord` into one (or says why not).
 *
 * An exposure says "subject S was served variant V of flag F by allocation
 * A"; experiments are analysed from them, so an exposure is only logged when
 * the allocation asked for it (`doLog`) and both keys exist, and it is only
 * sent when every field is exactly what the evaluation produced: bad input
 * is rejected with the rule it broke, never coerced (see `_json-value.ts`).
 *
 * @module
 */
import type { EvaluationRecord } from "../core/evaluation.ts";
import { findJsonValueProblem } from "./_json-value.ts";
import { isWellFormedText } from "../core/text.ts";

/**
 * The service context of an exposures payload (`context` on the wire).
 * Empty or absent fields are omitted from the payload.
 *
 * @example
 * ```ts
 * import type { ExposureContext } from "flagpost";
 * const context: ExposureContext = { service: "shop", env: "prod", version: "1.2.3" };
 * console.log(context.service);
 * ```
 */
export interface ExposureContext {
  readonly service?: string | undefined;
  readonly env?: string | undefined;
  readonly version?: string | undefined;
}

/**
 * One exposure event as the intake receives it.
 *
 * @example
 * ```ts
 * import type { ExposureEvent } from "flagpost";
 * const event: ExposureEvent = {
 *   timestamp: 1_700_000_000_000,
 *   allocation: { key: "beta-users" },
 *   flag: { key: "new-checkout" },
 *   variant: { key: "on" },
 *   subject: { id: "user-123", attributes: { country: "FR" } },
 *   serial_id: 42,
 * };
 * console.log(event.flag.key);
 * ```
 */
export interface ExposureEvent {
  /** Epoch milliseconds of the evaluation. */
  readonly timestamp: number;
  readonly allocation: { readonly key: string };
  readonly flag: { readonly key: string };
  readonly variant: { readonly key: string };
  /** The targeting key (`""` when the context had none) and the rest of the context; `attributes` is `{}` on the wire when absent. */
  readonly subject: { readonly id: string; readonly attributes?: Readonly<Record<string, unknown>> | undefined };
  /** The split's serial id, only when the split has one (`0` is a valid id). */
  readonly serial_id?: number | undefined;
}

/** Earliest and latest timestamps that look like epoch milliseconds (2001-09-09 .. 5138), as the mock agent checks. */
const MIN_TIMESTAMP_MS = 1e12;
const MAX_TIMESTAMP_MS = 1e14;

/** Why a record is not an exposure: `not_logged` (nothing to log) or `invalid` (a rule broken). */
export interface ExposureRejection {
  readonly status: "not_logged" | "invalid";
  /** A stable code: `do_log_false`, `no_variant`, `no_allocation`; or the rule broken (`flag_key`, `timestamp`, `attribute_cycle`, …). */
  readonly reason: string;
  /** For `invalid`: the field and the rule, e.g. `subject.attributes.plan: functions are not JSON values`. */
  readonly detail?: string;
}

const RULES: Readonly<Record<string, string>> = Object.freeze({
  record: "must be an EvaluationRecord object",
  flag_key: "must be a non-empty, well-formed string",
  allocation_key: "must be a non-empty, well-formed string",
  variant_key: "must be a non-empty, well-formed string",
  timestamp: "must be an integer of epoch milliseconds",
  subject_id: "must be a well-formed string, or absent",
  serial_id: "must be a 32-bit integer, or absent",
  attributes: "must be a plain object",
  attribute_lone_surrogate: "strings must not contain lone surrogates",
  attribute_non_finite: "numbers must be finite",
  attribute_function: "functions are not JSON values",
  attribute_symbol: "symbols are not JSON values",
  attribute_bigint: "bigints are not JSON values",
  attribute_undefined: "undefined is not a JSON value inside an array",
  attribute_too_deep: "nesting is too deep",
  attribute_cycle: "cycles cannot be serialized",
  attribute_not_plain: "only plain objects and arrays are JSON (no Date, Map or class instances)",
});

/**
 * The message for an invalid reason code (`flag_key` → "flagKey: must be a
 * non-empty, well-formed string"); used by logs and `add()` results.
 */
export function describeExposureRule(reason: string, path: string): string {
  return `${path}: ${RULES[reason] ?? reason}`;
}

function invalid(reason: string, path: string): ExposureRejection {
  return { status: "invalid", reason, detail: describeExposureRule(reason, path) };
}

const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});

const NOT_LOGGED_DO_LOG: ExposureRejection = Object.freeze({ status: "not_logged", reason: "do_log_false" });
const NOT_LOGGED_VARIANT: ExposureRejection = Object.freeze({ status: "not_logged", reason: "no_variant" });
const NOT_LOGGED_ALLOCATION: ExposureRejection = Object.freeze({ status: "not_logged", reason: "no_allocation" });

function isKey(v: unknown): v is string {
  return typeof v === "string" && v !== "" && isWellFormedText(v);
}

/**
 * Checks everything an exposure needs except the subject attributes:
 * `not_logged` (doLog, variant, allocation) and the key, timestamp, subject
 * id and serial id rules. `undefined` when they all hold. Total: never throws.
 * (The writer checks these first because they make the dedupe key, and walks
 * the attributes only for exposures that are not duplicates.)
 *
 * @example
 * ```ts
 * // (fragment) internal: ExposureWriter.add calls it
 * const rejection = checkExposureFields(record);
 * if (rejection !== undefined) console.log(rejection.status, rejection.reason);
 * ```
 */
export function checkExposureFields(record: EvaluationRecord): ExposureRejection | undefined {
  try {
    if (typeof record !== "object" || record === null) return invalid("record", "record");
    if (record.doLog !== true) return NOT_LOGGED_DO_LOG;
    const variant = record.variant;
    if (variant === undefined || variant === null) return NOT_LOGGED_VARIANT;
    const allocation = record.allocationKey;
    if (allocation === undefined || allocation === null) return NOT_LOGGED_ALLOCATION;
    if (!isKey(record.flagKey)) return invalid("flag_key", "flagKey");
    if (!isKey(allocation)) return invalid("allocation_key", "allocationKey");
    if (!isKey(variant)) return invalid("variant_key", "variant");
    const timestamp = record.timestamp;
    if (!Number.isSafeInteger(timestamp) || timestamp < MIN_TIMESTAMP_MS || timestamp > MAX_TIMESTAMP_MS) {
      return invalid("timestamp", "timestamp");
    }
    const targetingKey = record.targetingKey;
    if (targetingKey !== undefined && targetingKey !== null && (typeof targetingKey !== "string" || !isWellFormedText(targetingKey))) {
      return invalid("subject_id", "targetingKey");
    }
    const serialId = record.serialId;
    if (
      serialId !== undefined && serialId !== null && (!Number.isInteger(serialId) || serialId < -2147483648 || serialId > 2147483647)
    ) {
      return invalid("serial_id", "serialId");
    }
    return undefined;
  } catch {
    return invalid("record", "record");
  }
}

/**
 * Checks the subject attributes: absent, or a plain object of plain JSON
 * values. `undefined` when they hold. Total: never throws.
 *
 * @example
 * ```ts
 * // (fragment) internal: ExposureWriter.add calls it
 * checkExposureAttributes({ plan: "pro", fn: () => 1 }); // { status: "invalid", reason: "attribute_function", ... }
 * ```
 */
export function checkExposureAttributes(attributes: unknown): ExposureRejection | undefined {
  try {
    if (attributes === undefined || attributes === null) return undefined;
    if (typeof attributes !== "object" || Array.isArray(attributes)) return invalid("attributes", "attributes");
    const problem = findJsonValueProblem(attributes, "attributes");
    return problem === undefined ? undefined : invalid(problem.code, problem.path);
  } catch {
    return invalid("record", "record");
  }
}

/**
 * The wire event of a record that passed {@link checkExposureFields} and
 * {@link checkExposureAttributes}: wire key order, `attributes` `{}` when
 * absent, `serial_id` `undefined` (omitted by `JSON.stringify`) when none,
 * so that `JSON.stringify` of it is its wire text.
 *
 * @example
 * ```ts
 * // (fragment) internal: ExposureWriter.add calls it after the checks
 * JSON.stringify(exposureEvent(record));
 * ```
 */
export function exposureEvent(record: EvaluationRecord): ExposureEvent {
  return wireEvent(
    record.timestamp,
    record.allocationKey!,
    record.flagKey,
    record.variant!,
    record.targetingKey ?? "",
    record.attributes,
    record.serialId ?? undefined,
  );
}

/**
 * The wire event of validated fields (see {@link exposureEvent}, which maps
 * a record's fields to these): wire key order, `attributes` `{}` when
 * absent, `serial_id` `undefined` when none. The writer queues the fields
 * and calls this at flush.
 *
 * @example
 * ```ts
 * // (fragment) internal: the writer's flush calls it
 * JSON.stringify(wireEvent(1_700_000_000_000, "beta-users", "new-checkout", "on", "user-1", undefined, 42));
 * ```
 */
export function wireEvent(
  timestamp: number,
  allocationKey: string,
  flagKey: string,
  variant: string,
  subjectId: string,
  attributes: Readonly<Record<string, unknown>> | null | undefined,
  serialId: number | undefined,
): ExposureEvent {
  return {
    timestamp,
    allocation: { key: allocationKey },
    flag: { key: flagKey },
    variant: { key: variant },
    subject: { id: subjectId, attributes: attributes ?? NO_ATTRIBUTES },
    serial_id: serialId,
  };
}

/**
 * Turns a record into an exposure event, or says why it is none:
 * {@link checkExposureFields}, {@link checkExposureAttributes}, then
 * {@link exposureEvent}. Synchronous and total: it never throws for any
 * input (a throwing getter is reported as `invalid` / `record`).
 *
 * @example
 * ```ts
 * // (fragment) record is an EvaluationRecord
 * const out = exposureFromRecord(record);
 * if ("status" in out) console.log(out.status, out.reason);
 * ```
 */
export function exposureFromRecord(record: EvaluationRecord): ExposureEvent | ExposureRejection {
  const rejection = checkExposureFields(record) ?? checkExposureAttributes(record.attributes);
  if (rejection !== undefined) return rejection;
  try {
    return exposureEvent(record);
  } catch {
    return invalid("record", "record");
  }
}
