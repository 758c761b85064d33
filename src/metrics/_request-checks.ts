/**
 * Input checks and conversions shared by the two OTLP encoders (protobuf
 * and JSON): resource attributes in wire order, the window in exact
 * nanoseconds, counts and attribute pairs. Private to `src/metrics/`.
 *
 * @module
 */
import { describeValue, FlagpostError } from "../core/errors.ts";
import type { MetricAttribute, MetricResource, MetricWindow } from "./otlp-request.ts";

const MAX_SFIXED64 = (1n << 63n) - 1n;

function invalid(field: string, value: unknown, rule: string): FlagpostError {
  return new FlagpostError("invalid_argument", `${field}: ${describeValue(value)} ${rule}`, { field });
}

/** Resource attributes in wire order, empty ones left out. */
export function resourceAttributes(resource: MetricResource): MetricAttribute[] {
  if (resource === null || typeof resource !== "object") throw invalid("resource", resource, "must be an object");
  const out: MetricAttribute[] = [];
  const add = (key: string, field: string, value: unknown) => {
    if (value === undefined || value === "") return;
    if (typeof value !== "string") throw invalid(`resource.${field}`, value, "must be a string");
    out.push([key, value]);
  };
  add("service.name", "service", resource.service);
  add("deployment.environment.name", "env", resource.env);
  add("service.version", "version", resource.version);
  return out;
}

/**
 * Epoch milliseconds → Unix nanoseconds. Whole milliseconds are exact; a
 * fraction is kept to the microsecond (a double near 1.7e12 carries no more).
 */
export function millisToNanos(field: string, ms: number): bigint {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw invalid(field, ms, "must be a non-negative number of epoch milliseconds");
  }
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e3)) * 1_000n;
}

/** Checks the window; returns both instants in nanoseconds. */
export function windowNanos(window: MetricWindow): { start: bigint; end: bigint } {
  if (window === null || typeof window !== "object") throw invalid("window", window, "must be an object { startMs, endMs }");
  const start = millisToNanos("window.startMs", window.startMs);
  const end = millisToNanos("window.endMs", window.endMs);
  if (end < start) throw invalid("window.endMs", window.endMs, `must not be before window.startMs (${window.startMs})`);
  return { start, end };
}

/** Checks a point's count: a non-negative safe integer or a bigint in 0 … 2^63 − 1. */
export function checkCount(index: number, count: unknown): void {
  if (typeof count === "number") {
    if (Number.isSafeInteger(count) && count >= 0) return;
  } else if (typeof count === "bigint") {
    if (count >= 0n && count <= MAX_SFIXED64) return;
  }
  throw invalid(`points[${index}].count`, count, "must be a non-negative safe integer or a bigint below 2^63");
}

/** Checks a point's attributes: an array of `[string, string]`. */
export function checkAttributes(index: number, attributes: unknown): void {
  if (!Array.isArray(attributes)) throw invalid(`points[${index}].attributes`, attributes, "must be an array of [key, value]");
  for (let a = 0; a < attributes.length; a++) {
    const kv: unknown = attributes[a];
    if (!Array.isArray(kv) || typeof kv[0] !== "string" || typeof kv[1] !== "string") {
      throw invalid(`points[${index}].attributes[${a}]`, kv, "must be a [string, string] pair");
    }
  }
}
