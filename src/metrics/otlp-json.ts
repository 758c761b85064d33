/**
 * `encodeOtlpMetricsJson`: the same request as `encodeOtlpMetrics`, in the
 * OTLP/JSON mapping, for collectors configured with
 * `OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL=http/json`.
 *
 * The mapping (opentelemetry-proto's JSON rules): lowerCamelCase keys,
 * 64-bit integers (`asInt`, the `*UnixNano` times) as decimal strings so
 * they stay exact, enums as integers (`aggregationTemporality: 1`).
 *
 * @module
 */
import { describeValue, FlagpostError } from "../core/errors.ts";
import {
  AGGREGATION_TEMPORALITY_DELTA,
  EVALUATION_METRIC_DESCRIPTION,
  EVALUATION_METRIC_NAME,
  EVALUATION_METRIC_SCOPE,
  EVALUATION_METRIC_UNIT,
  type MetricAttribute,
  type MetricPoint,
  type MetricResource,
  type MetricWindow,
} from "./otlp-request.ts";
import { checkAttributes, checkCount, resourceAttributes, windowNanos } from "./_request-checks.ts";

function keyValues(attributes: readonly MetricAttribute[]): Array<{ key: string; value: { stringValue: string } }> {
  return attributes.map(([key, value]) => ({ key, value: { stringValue: value } }));
}

/**
 * Encodes one OTLP/JSON `ExportMetricsServiceRequest` holding the
 * `feature_flag.evaluations` counter (same content as
 * `encodeOtlpMetrics`). Pure and synchronous; bad input throws a
 * `FlagpostError` naming the field.
 *
 * @example
 * ```ts
 * import { encodeOtlpMetricsJson } from "flagpost";
 * const body = encodeOtlpMetricsJson(
 *   { service: "shop" },
 *   [{ attributes: [["feature_flag.key", "checkout"], ["feature_flag.result.variant", "on"]], count: 2 }],
 *   { startMs: 1_700_000_000_000, endMs: 1_700_000_010_000 },
 * );
 * console.log(JSON.parse(body).resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asInt); // "2"
 * ```
 */
export function encodeOtlpMetricsJson(resource: MetricResource, points: readonly MetricPoint[], window: MetricWindow): string {
  const resAttrs = resourceAttributes(resource);
  const { start, end } = windowNanos(window);
  if (!Array.isArray(points)) {
    throw new FlagpostError("invalid_argument", `points: ${describeValue(points)} must be an array`, { field: "points" });
  }
  const startTimeUnixNano = start.toString();
  const timeUnixNano = end.toString();
  const dataPoints = points.map((point, i) => {
    if (point === null || typeof point !== "object") {
      throw new FlagpostError("invalid_argument", `points[${i}]: ${describeValue(point)} must be { attributes, count }`, {
        field: `points[${i}]`,
      });
    }
    checkCount(i, point.count);
    checkAttributes(i, point.attributes);
    return { attributes: keyValues(point.attributes), startTimeUnixNano, timeUnixNano, asInt: point.count.toString() };
  });
  return JSON.stringify({
    resourceMetrics: [{
      ...(resAttrs.length > 0 ? { resource: { attributes: keyValues(resAttrs) } } : {}),
      scopeMetrics: [{
        scope: { name: EVALUATION_METRIC_SCOPE },
        metrics: [{
          name: EVALUATION_METRIC_NAME,
          description: EVALUATION_METRIC_DESCRIPTION,
          unit: EVALUATION_METRIC_UNIT,
          sum: { dataPoints, aggregationTemporality: AGGREGATION_TEMPORALITY_DELTA, isMonotonic: true },
        }],
      }],
    }],
  });
}
