/**
 * The exposures payload encoder: `{"context":{…},"exposures":[…]}` as UTF-8
 * JSON, byte for byte what Datadog's tracers send (DESIGN.md, wire facts).
 *
 * It is pure and synchronous. Events are validated (plain JSON values only,
 * see `_json-value.ts`), copied into wire key order, and the whole payload
 * is then one native `JSON.stringify` + `TextEncoder` call: the floor plus
 * the validation walk. The writer uses the same pieces at flush, measuring
 * each event separately only when the batch is big enough for a size cap
 * to matter.
 *
 * @module
 */
import { FlagpostError } from "../core/errors.ts";
import { findJsonValueProblem } from "./_json-value.ts";
import { isWellFormedText } from "../core/text.ts";
import type { ExposureContext, ExposureEvent } from "./event.ts";

/**
 * The JSON text of a payload's `context`: `service`, `env`, `version` in
 * that order, each omitted when absent or empty.
 *
 * @example
 * ```ts
 * // (fragment) internal helper of the exposures writer
 * encodeExposureContext({ service: "shop", env: "" }); // '{"service":"shop"}'
 * ```
 */
export function encodeExposureContext(context: ExposureContext): string {
  return JSON.stringify(wireContext(context));
}

/**
 * The payload's `context` object: `service`, `env`, `version` in that order,
 * each left out when absent or empty (`JSON.stringify` of it is
 * {@link encodeExposureContext}).
 *
 * @example
 * ```ts
 * // (fragment) internal helper of the exposures encoder
 * wireContext({ service: "shop", env: "" }); // { service: "shop" }
 * ```
 */
export function wireContext(context: ExposureContext): ExposureContext {
  const out: { service?: string; env?: string; version?: string } = {};
  if (typeof context.service === "string" && context.service !== "") out.service = context.service;
  if (typeof context.env === "string" && context.env !== "") out.env = context.env;
  if (typeof context.version === "string" && context.version !== "") out.version = context.version;
  return out;
}

const EMPTY_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * An event with its keys in wire order (`timestamp`, `allocation`, `flag`,
 * `variant`, `subject`, `serial_id`), `attributes` `{}` when absent and
 * `serial_id` left `undefined` (so `JSON.stringify` omits it) when none:
 * `JSON.stringify` of it *is* the wire text, at native speed.
 *
 * @example
 * ```ts
 * // (fragment) internal helper of the exposures encoder and writer
 * JSON.stringify(wireOrdered(event));
 * ```
 */
export function wireOrdered(event: ExposureEvent): ExposureEvent {
  return {
    timestamp: event.timestamp,
    allocation: { key: event.allocation.key },
    flag: { key: event.flag.key },
    variant: { key: event.variant.key },
    subject: { id: event.subject.id, attributes: event.subject.attributes ?? EMPTY_ATTRIBUTES },
    serial_id: event.serial_id,
  };
}

/**
 * The text of a payload before its events array: `{"context":{…},"exposures":`
 * (the payload is that, the JSON array of events, and `}`).
 *
 * @example
 * ```ts
 * // (fragment) internal helper of the exposures writer
 * exposuresPrefix('{"service":"shop"}'); // '{"context":{"service":"shop"},"exposures":'
 * ```
 */
export function exposuresPrefix(contextJson: string): string {
  return `{"context":${contextJson},"exposures":`;
}

function bad(field: string, rule: string): never {
  throw new FlagpostError("invalid_argument", `${field}: ${rule}`, { field });
}

const KEY_RULE = "must be a non-empty, well-formed string";

function isKey(value: unknown): boolean {
  return typeof value === "string" && value !== "" && isWellFormedText(value);
}

/**
 * The first rule `event` breaks, as [field under the event, rule], or
 * `undefined`. Field names are only built for a failure (this runs per
 * event on the encoding path).
 */
function eventProblem(event: ExposureEvent): [string, string] | undefined {
  if (typeof event !== "object" || event === null) return ["", "must be an exposure event object"];
  if (!Number.isSafeInteger(event.timestamp) || event.timestamp < 0) return [".timestamp", "must be an integer of epoch milliseconds"];
  if (!isKey(event.allocation?.key)) return [".allocation.key", KEY_RULE];
  if (!isKey(event.flag?.key)) return [".flag.key", KEY_RULE];
  if (!isKey(event.variant?.key)) return [".variant.key", KEY_RULE];
  const subject = event.subject;
  if (typeof subject !== "object" || subject === null) return [".subject", "must be an object"];
  if (typeof subject.id !== "string" || !isWellFormedText(subject.id)) {
    return [".subject.id", "must be a well-formed string (may be empty)"];
  }
  const serial = event.serial_id;
  if (serial !== undefined && (!Number.isInteger(serial) || serial < -2147483648 || serial > 2147483647)) {
    return [".serial_id", "must be a 32-bit integer, or absent"];
  }
  const attributes = subject.attributes;
  if (attributes !== undefined) {
    if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) {
      return [".subject.attributes", "must be a plain object"];
    }
    const problem = findJsonValueProblem(attributes, ".subject.attributes");
    if (problem !== undefined) return [problem.path, `is not a plain JSON value (${problem.code})`];
  }
  return undefined;
}

/**
 * Encodes an exposures request body: `{"context":{service?,env?,version?},
 * "exposures":[…]}` as UTF-8 (empty context fields omitted, `attributes`
 * `{}` when absent, `serial_id` only when present). Pure and synchronous.
 * Throws `FlagpostError` (`invalid_argument`, naming the field) when an
 * event breaks a rule instead of coercing it.
 *
 * @example
 * ```ts
 * import { encodeExposurePayload } from "flagpost";
 * const body = encodeExposurePayload({ service: "shop", env: "prod" }, [{
 *   timestamp: 1_700_000_000_000,
 *   allocation: { key: "beta-users" },
 *   flag: { key: "new-checkout" },
 *   variant: { key: "on" },
 *   subject: { id: "user-123" },
 *   serial_id: 0,
 * }]);
 * console.log(new TextDecoder().decode(body));
 * ```
 */
export function encodeExposurePayload(context: ExposureContext, events: readonly ExposureEvent[]): Uint8Array {
  if (typeof context !== "object" || context === null) bad("context", "must be an object");
  for (const field of ["service", "env", "version"] as const) {
    const v = context[field];
    if (v !== undefined && (typeof v !== "string" || !isWellFormedText(v))) {
      bad(`context.${field}`, "must be a well-formed string, or absent");
    }
  }
  if (!Array.isArray(events)) bad("events", "must be an array of exposure events");
  const ordered: ExposureEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const problem = eventProblem(event);
    if (problem !== undefined) bad(`events[${i}]${problem[0]}`, problem[1]);
    ordered[i] = wireOrdered(event);
  }
  // Validated above (plain JSON values only), so JSON.stringify neither throws nor coerces. One
  // stringify of the whole payload object, as the floor does: prepending the envelope to the events'
  // text would make a rope that TextEncoder must first copy flat (a tenth of the floor's time).
  return new TextEncoder().encode(JSON.stringify({ context: wireContext(context), exposures: ordered }));
}
