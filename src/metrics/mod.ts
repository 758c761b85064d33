/**
 * Evaluation metrics: the bounded `feature_flag.evaluations` aggregator, its
 * OTLP encoders (protobuf and JSON) and the exporter. This module only
 * re-exports.
 *
 * @module
 */
export { EvaluationMetrics, type EvaluationMetricsOptions, type MetricsFlushReport } from "./evaluation-metrics.ts";
export {
  type AggregateOutcome,
  type AggregatorLimits,
  DEFAULT_MAX_ATTRIBUTE_LENGTH,
  DEFAULT_MAX_OVERFLOW_FLAGS,
  type DrainedWindow,
  EvaluationAggregator,
  type EvaluationSeries,
  OVERFLOW_VALUE,
} from "./aggregator.ts";
export {
  EVALUATION_ATTRIBUTE,
  evaluationAttributes,
  type EvaluationSeriesValues,
  evaluationSeriesValues,
} from "./evaluation-attributes.ts";
export { encodeOtlpMetrics } from "./otlp-protobuf.ts";
export { encodeOtlpMetricsJson } from "./otlp-json.ts";
export {
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
