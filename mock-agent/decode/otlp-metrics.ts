/**
 * OTLP/HTTP metrics request decoding (protobuf and JSON), and the
 * `feature_flag.evaluations` summing view served by `GET /test/metrics`.
 *
 * @module
 */
import { fromBinary, fromJsonString, type JsonValue, toJson } from "@bufbuild/protobuf";
import { otlpMessage } from "./otlp-schema.ts";

/**
 * An `ExportMetricsServiceRequest` in the OTLP/JSON shape (lowerCamelCase keys, 64-bit integers as decimal strings, enums as integers).
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const req: OtlpMetricsJson = decodeOtlpMetricsProtobuf(bytes); req.resourceMetrics?.length;
 * ```
 */
export type OtlpMetricsJson = { resourceMetrics?: OtlpResourceMetrics[] } & Record<string, unknown>;

/** One `ResourceMetrics` in the OTLP/JSON shape. */
export interface OtlpResourceMetrics {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeMetrics?: Array<{ scope?: { name?: string; version?: string }; metrics?: OtlpMetric[] }>;
}

/** One `KeyValue` in the OTLP/JSON shape. */
export interface OtlpKeyValue {
  key?: string;
  value?: Record<string, unknown>;
}

/** One `Metric` in the OTLP/JSON shape (only the members the views read are typed). */
export interface OtlpMetric {
  name?: string;
  description?: string;
  unit?: string;
  sum?: { dataPoints?: OtlpNumberPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  gauge?: { dataPoints?: OtlpNumberPoint[] };
  [other: string]: unknown;
}

/** One `NumberDataPoint` in the OTLP/JSON shape: `asInt` is a decimal string (exact sfixed64). */
export interface OtlpNumberPoint {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asInt?: string;
  asDouble?: number | string;
}

/**
 * Thrown when a metrics body does not decode; `message` is one line naming the problem.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * try { decodeOtlpMetricsProtobuf(truncated); } catch (e) { e instanceof OtlpDecodeError; // true
 * }
 * ```
 */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OtlpDecodeError";
  }
}

const RECURSION_LIMIT = 64;

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").slice(0, 300);
}

/**
 * Decodes an OTLP `ExportMetricsServiceRequest` from protobuf bytes into its
 * OTLP/JSON shape, with `@bufbuild/protobuf` against the OTLP schema.
 * Throws `OtlpDecodeError` on truncated or malformed input.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const request = decodeOtlpMetricsProtobuf(bytes);
 * request.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0]?.name; // "feature_flag.evaluations"
 * ```
 */
export function decodeOtlpMetricsProtobuf(bytes: Uint8Array): OtlpMetricsJson {
  const desc = otlpMessage("ExportMetricsServiceRequest");
  try {
    const message = fromBinary(desc, bytes, { readUnknownFields: false, recursionLimit: RECURSION_LIMIT });
    return toJson(desc, message, { enumAsInteger: true }) as OtlpMetricsJson;
  } catch (e) {
    throw new OtlpDecodeError(`invalid ExportMetricsServiceRequest protobuf: ${oneLine(e)}`);
  }
}

/**
 * Decodes an OTLP/JSON `ExportMetricsServiceRequest` (proto3 JSON mapping:
 * lowerCamelCase or proto field names, 64-bit integers as strings or
 * numbers, enums as integers or names) into the same normalized shape as
 * `decodeOtlpMetricsProtobuf`. Unknown fields are rejected.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * decodeOtlpMetricsJson('{"resourceMetrics":[]}'); // {}
 * ```
 */
export function decodeOtlpMetricsJson(text: string): OtlpMetricsJson {
  const desc = otlpMessage("ExportMetricsServiceRequest");
  try {
    const message = fromJsonString(desc, text, { recursionLimit: RECURSION_LIMIT });
    return toJson(desc, message, { enumAsInteger: true }) as OtlpMetricsJson;
  } catch (e) {
    throw new OtlpDecodeError(`invalid ExportMetricsServiceRequest JSON: ${oneLine(e)}`);
  }
}

/** A decoded attribute value: strings, booleans and doubles as is, `int_value` as a decimal string, arrays/kvlists/bytes in their JSON shape. */
export type AttributeValue = string | number | boolean | JsonValue;

/** Flattens OTLP attributes to a record (`stringValue` → string, `intValue` → decimal string, …). */
export function flattenAttributes(attributes: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of attributes ?? []) {
    const v = kv.value ?? {};
    const [kind] = Object.keys(v);
    out[kv.key ?? ""] = kind === undefined ? null : ((v[kind] ?? null) as AttributeValue);
  }
  return out;
}

/**
 * One row of the `feature_flag.evaluations` view: a distinct (resource, point attributes) set and the sum of its points.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const [row]: EvaluationCount[] = sumEvaluations([req]); row?.count; // 2
 * ```
 */
export interface EvaluationCount {
  resource: Record<string, AttributeValue>;
  scope: string;
  attributes: Record<string, AttributeValue>;
  /** Sum of `as_int` (and `as_double`) over every point with this attribute set. */
  count: number;
  /** How many data points were summed. */
  points: number;
}

function sortedKey(record: Record<string, AttributeValue>): string {
  return JSON.stringify(Object.keys(record).sort().map((k) => [k, record[k]]));
}

/**
 * Sums the `feature_flag.evaluations` data points of decoded metrics
 * requests per (resource attributes, point attributes) set, in first-seen
 * order.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * sumEvaluations([decodeOtlpMetricsProtobuf(bytes)]);
 * // [{ resource: { "service.name": "svc" }, scope: "ddtrace.openfeature",
 * //    attributes: { "feature_flag.key": "f", "feature_flag.result.variant": "on" }, count: 2, points: 1 }]
 * ```
 */
export function sumEvaluations(requests: Iterable<OtlpMetricsJson>, metricName = "feature_flag.evaluations"): EvaluationCount[] {
  const rows = new Map<string, { row: EvaluationCount; int: bigint; dbl: number }>();
  for (const request of requests) {
    for (const rm of request.resourceMetrics ?? []) {
      const resource = flattenAttributes(rm.resource?.attributes);
      for (const sm of rm.scopeMetrics ?? []) {
        for (const metric of sm.metrics ?? []) {
          if ((metric.name ?? "") !== metricName) continue;
          for (const point of metric.sum?.dataPoints ?? metric.gauge?.dataPoints ?? []) {
            const attributes = flattenAttributes(point.attributes);
            const key = `${sortedKey(resource)}|${sm.scope?.name ?? ""}|${sortedKey(attributes)}`;
            let entry = rows.get(key);
            if (entry === undefined) {
              entry = { row: { resource, scope: sm.scope?.name ?? "", attributes, count: 0, points: 0 }, int: 0n, dbl: 0 };
              rows.set(key, entry);
            }
            entry.row.points++;
            if (point.asInt !== undefined) entry.int += BigInt(point.asInt);
            else if (point.asDouble !== undefined) entry.dbl += Number(point.asDouble);
            entry.row.count = Number(entry.int) + entry.dbl;
          }
        }
      }
    }
  }
  return [...rows.values()].map((e) => e.row);
}

/** Short summary of a decoded request for the CLI log, e.g. `feature_flag.evaluations: 5 points`. */
export function summarizeMetrics(request: OtlpMetricsJson): string {
  const points = new Map<string, number>();
  for (const rm of request.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const data = (metric.sum ?? metric.gauge ?? metric["histogram"] ?? metric["exponentialHistogram"] ?? metric["summary"]) as
          | { dataPoints?: unknown[] }
          | undefined;
        const name = metric.name ?? "";
        points.set(name, (points.get(name) ?? 0) + (data?.dataPoints?.length ?? 0));
      }
    }
  }
  if (points.size === 0) return "no metrics";
  return [...points].map(([name, n]) => `${name}: ${n} point${n === 1 ? "" : "s"}`).join(", ");
}
