/**
 * Schema validation of exposure payloads (`POST .../api/v2/exposures`)
 * against the wire facts in DESIGN.md:
 * `{"context":{"service","env","version"},"exposures":[{"timestamp":<ms>,
 * "allocation":{"key"},"flag":{"key"},"variant":{"key"},
 * "subject":{"id","attributes":{...}},"serial_id"?}]}` with empty context fields omitted
 * (`serial_id` only when the split has one).
 *
 * Work is bounded: at most `maxProblems` (default 100) problems are kept per
 * payload, the rest counted in one last line — a 1 MiB body of `{}` events
 * must not become a million problem strings.
 *
 * @module
 */

/**
 * One exposure event as sent on the wire.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const e: ExposureEvent = { timestamp: Date.now(), allocation: { key: "a" }, flag: { key: "f" }, variant: { key: "on" }, subject: { id: "u", attributes: {} } };
 * ```
 */
export interface ExposureEvent {
  timestamp: number;
  allocation: { key: string };
  flag: { key: string };
  variant: { key: string };
  subject: { id: string; attributes: Record<string, unknown> };
}

/**
 * An exposure payload as sent on the wire.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const p: ExposurePayload = { context: { service: "svc" }, exposures: [] };
 * ```
 */
export interface ExposurePayload {
  context: { service?: string; env?: string; version?: string };
  exposures: ExposureEvent[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/**
 * Lists every way `payload` departs from the exposure wire schema, each as
 * `<path>: <rule>` (empty when it conforms). Never throws.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * validateExposurePayload({ context: { service: "svc" }, exposures: [] }); // []
 * validateExposurePayload({ exposures: [{ flag: {} }] });
 * // ["context: required object, got undefined", "exposures[0].timestamp: required ...", ...]
 * ```
 */
export function validateExposurePayload(payload: unknown, maxProblems = 100, maxEvents = Infinity): string[] {
  const problems = new BoundedProblems(maxProblems);
  validate(payload, problems, maxEvents);
  return problems.list();
}

/** A problem list that keeps the first `max` and counts the rest. */
class BoundedProblems {
  #kept: string[] = [];
  #extra = 0;
  constructor(readonly max: number) {}
  /** True once `max` problems are kept: callers then `skip()` instead of building a message nobody keeps. */
  get full(): boolean {
    return this.#kept.length >= this.max;
  }
  push(text: string): void {
    if (this.#kept.length < this.max) this.#kept.push(text);
    else this.#extra++;
  }
  skip(): void {
    this.#extra++;
  }
  list(): string[] {
    return this.#extra > 0 ? [...this.#kept, `… ${this.#extra} more problems`] : this.#kept;
  }
}

function validate(payload: unknown, problems: BoundedProblems, maxEvents: number): void {
  if (!isObject(payload)) return void problems.push(`payload: must be a JSON object, got ${kind(payload)}`);
  for (const key of Object.keys(payload)) {
    if (key !== "context" && key !== "exposures") problems.full ? problems.skip() : problems.push(`${key}: unknown top-level field`);
  }
  const context = payload["context"];
  if (!isObject(context)) problems.full ? problems.skip() : problems.push(`context: required object, got ${kind(context)}`);
  else {
    for (const [key, value] of Object.entries(context)) {
      if (key !== "service" && key !== "env" && key !== "version") {
        problems.full ? problems.skip() : problems.push(`context.${key}: unknown field`);
      } else if (typeof value !== "string") {
        problems.full ? problems.skip() : problems.push(`context.${key}: must be a string, got ${kind(value)}`);
      } else if (value === "") problems.full ? problems.skip() : problems.push(`context.${key}: empty values must be omitted`);
    }
  }
  const exposures = payload["exposures"];
  if (!Array.isArray(exposures)) return void problems.push(`exposures: required array, got ${kind(exposures)}`);
  if (exposures.length === 0) problems.full ? problems.skip() : problems.push("exposures: must not be empty");
  // Events past the decode budget are neither validated nor stored (the handler counts them).
  const n = Math.min(exposures.length, maxEvents);
  for (let i = 0; i < n; i++) validateEvent(exposures[i], `exposures[${i}]`, problems);
}

function keyed(event: Record<string, unknown>, name: string, path: string, problems: BoundedProblems): void {
  const v = event[name];
  if (!isObject(v)) problems.full ? problems.skip() : problems.push(`${path}.${name}: required object with a "key" string, got ${kind(v)}`);
  else if (typeof v["key"] !== "string") {
    problems.full ? problems.skip() : problems.push(`${path}.${name}.key: must be a string, got ${kind(v["key"])}`);
  } else if (v["key"] === "") problems.full ? problems.skip() : problems.push(`${path}.${name}.key: must not be empty`);
}

function validateEvent(event: unknown, path: string, problems: BoundedProblems): void {
  if (!isObject(event)) {
    problems.full ? problems.skip() : problems.push(`${path}: must be an object, got ${kind(event)}`);
    return;
  }
  const ts = event["timestamp"];
  if (typeof ts !== "number" || !Number.isSafeInteger(ts) || ts <= 0) {
    problems.full ? problems.skip() : problems.push(
      `${path}.timestamp: must be a positive integer (milliseconds since the epoch), got ${JSON.stringify(ts) ?? kind(ts)}`,
    );
  } else if (ts < 1e12 || ts > 1e14) {
    problems.full ? problems.skip() : problems.push(`${path}.timestamp: ${ts} does not look like milliseconds since the epoch`);
  }
  keyed(event, "allocation", path, problems);
  keyed(event, "flag", path, problems);
  keyed(event, "variant", path, problems);
  const subject = event["subject"];
  if (!isObject(subject)) problems.full ? problems.skip() : problems.push(`${path}.subject: required object, got ${kind(subject)}`);
  else {
    if (typeof subject["id"] !== "string") {
      problems.full ? problems.skip() : problems.push(`${path}.subject.id: must be a string (may be empty), got ${kind(subject["id"])}`);
    }
    if (!isObject(subject["attributes"])) {
      problems.full
        ? problems.skip()
        : problems.push(`${path}.subject.attributes: must be an object ({} when absent), got ${kind(subject["attributes"])}`);
    }
  }
  // `serial_id`: the split's serial id, only when it has one (0 is a real id); an i32 in the configuration.
  if ("serial_id" in event) {
    const id = event["serial_id"];
    if (typeof id !== "number" || !Number.isSafeInteger(id)) {
      problems.full ? problems.skip() : problems.push(`${path}.serial_id: must be an integer when present, got ${kind(id)}`);
    }
  }
  for (const key of Object.keys(event)) {
    if (!["timestamp", "allocation", "flag", "variant", "subject", "serial_id"].includes(key)) {
      problems.full ? problems.skip() : problems.push(`${path}.${key}: unknown field`);
    }
  }
}

/** Short summary for the CLI log, e.g. `3 exposures`. */
export function summarizeExposures(payload: unknown, problems: readonly string[]): string {
  const n = isObject(payload) && Array.isArray(payload["exposures"]) ? payload["exposures"].length : 0;
  const base = `${n} exposure${n === 1 ? "" : "s"}`;
  return problems.length === 0 ? base : `${base}, ${problems.length} schema problem${problems.length === 1 ? "" : "s"}`;
}
