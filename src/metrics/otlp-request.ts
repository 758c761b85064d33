/**
 * What one OTLP `ExportMetricsServiceRequest` for `feature_flag.evaluations`
 * is made of: the resource (service, environment, version), the data points
 * (an attribute set and a count each) and the window they cover. Both
 * encoders (protobuf and JSON) take these same three inputs, so the
 * exporter can switch protocol without touching the aggregation.
 *
 * The metric's fixed identity (scope `ddtrace.openfeature`, name, unit,
 * description, monotonic DELTA sum) is what Datadog's tracers send.
 *
 * @module
 */
/** Instrumentation scope name Datadog's tracers use for flag evaluation metrics. */
export const EVALUATION_METRIC_SCOPE = "ddtrace.openfeature";
/** The counter's name. */
export const EVALUATION_METRIC_NAME = "feature_flag.evaluations";
/** The counter's unit (UCUM annotation). */
export const EVALUATION_METRIC_UNIT = "{evaluation}";
/** The counter's description. */
export const EVALUATION_METRIC_DESCRIPTION = "Number of feature flag evaluations";
/** OTLP `AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA`. */
export const AGGREGATION_TEMPORALITY_DELTA = 1;

/**
 * Resource of the request; each attribute is omitted when empty or absent
 * (`service.name`, `deployment.environment.name`, `service.version`).
 *
 * @example
 * ```ts
 * import type { MetricResource } from "flagpost";
 * const resource: MetricResource = { service: "shop", env: "prod", version: "1.2.3" };
 * console.log(resource.service);
 * ```
 */
export interface MetricResource {
  readonly service?: string | undefined;
  readonly env?: string | undefined;
  readonly version?: string | undefined;
}

/** One point attribute: `[key, string value]`. */
export type MetricAttribute = readonly [key: string, value: string];

/**
 * One `NumberDataPoint`: its attribute set and the count of evaluations
 * (a non-negative safe integer, or a `bigint` below 2^63 for larger sums).
 *
 * @example
 * ```ts
 * import type { MetricPoint } from "flagpost";
 * const point: MetricPoint = { attributes: [["feature_flag.key", "checkout"], ["feature_flag.result.variant", "on"]], count: 3 };
 * console.log(point.count);
 * ```
 */
export interface MetricPoint {
  readonly attributes: readonly MetricAttribute[];
  readonly count: number | bigint;
}

/**
 * The time window the points cover, in epoch milliseconds:
 * `start_time_unix_nano` = `startMs`, `time_unix_nano` = `endMs`.
 *
 * @example
 * ```ts
 * import type { MetricWindow } from "flagpost";
 * const window: MetricWindow = { startMs: 1_700_000_000_000, endMs: 1_700_000_010_000 };
 * console.log(window.endMs - window.startMs);
 * ```
 */
export interface MetricWindow {
  readonly startMs: number;
  readonly endMs: number;
}
