/**
 * flagpost: feature-flag telemetry (exposures, evaluation metrics, span
 * enrichment, traces) from any JavaScript runtime to a Datadog agent or an
 * OTLP collector, using Web APIs only.
 *
 * This module only re-exports the public API: what users call. Helpers
 * (codecs, validators, the HTTP sender) stay internal to src/.
 *
 * @module
 */
export { FlagpostError, type FlagpostErrorCode } from "./src/core/errors.ts";
export {
  type Config,
  type ConfigOverrides,
  DEFAULT_LIMITS,
  type EnvRecord,
  type HttpEndpoint,
  type Limits,
  type OtlpMetricsConfig,
  resolveConfig,
} from "./src/core/config.ts";
export { consoleLogger, type Logger, type LogLevel, silentLogger } from "./src/core/logger.ts";
export { type DropReason, StatsRegistry, type StatsSnapshot } from "./src/core/stats.ts";
export {
  type DecodedSpanTags,
  decodeSerialIds,
  decodeSpanTags,
  encodeSerialIds,
  FFE_FLAGS_TAG,
  FFE_RUNTIME_DEFAULTS_TAG,
  FFE_SUBJECTS_TAG,
  SPAN_ENRICHMENT_DROPPED,
  SPAN_ENRICHMENT_LIMITS,
  SPAN_ENRICHMENT_TRUNCATED,
  SpanEnrichment,
  type SpanEnrichmentOptions,
  type SpanEnrichmentTags,
} from "./src/enrichment/mod.ts";
export type { EvaluationRecord, KnownEvaluationErrorCode, KnownEvaluationReason } from "./src/core/evaluation.ts";
export type { FlushOptions, SignalFlushReport, SignalOptions } from "./src/core/signal.ts";
export {
  encodeExposurePayload,
  type ExposureAddResult,
  type ExposureAddStatus,
  ExposureCache,
  type ExposureContext,
  type ExposureEvent,
  type ExposureFlushReport,
  type ExposureStats,
  ExposureWriter,
  type ExposureWriterOptions,
  MAX_EXPOSURE_EVENT_BYTES,
} from "./src/exposures/mod.ts";
export {
  type FlagEvaluationFlushReport,
  type FlagEvaluationRecordResult,
  FlagEvaluationWriter,
  type FlagEvaluationWriterOptions,
} from "./src/flagevaluations/mod.ts";
export { encodeOtlpMetrics, encodeOtlpMetricsJson, EvaluationMetrics, OVERFLOW_VALUE } from "./src/metrics/mod.ts";
export type {
  EvaluationMetricsOptions,
  MetricAttribute,
  MetricPoint,
  MetricResource,
  MetricsFlushReport,
  MetricWindow,
} from "./src/metrics/mod.ts";
export {
  encodeTraces,
  generateId,
  type RuntimeInfo,
  SpanBuilder,
  type SpanFields,
  type SpanId,
  TRACE_EXPORTER_COUNTERS,
  TRACE_ID_HIGH_META,
  TraceChunks,
  type TraceChunksOptions,
  TraceExporter,
  type TraceExporterOptions,
  type TraceSendResult,
  type TraceVersion,
} from "./src/traces/mod.ts";
export { createFlagpost, Flagpost, FLAGPOST_COUNTERS, type FlagpostOptions, type ShutdownOptions } from "./src/flagpost.ts";
export { type FlagpostSignal, type FlushReport } from "./src/lifecycle/flush-report.ts";
export {
  type ChildSpan,
  type EndRequestOptions,
  RequestScope,
  SCOPE_SPANS_DROPPED,
  type StartRequestOptions,
} from "./src/lifecycle/request-scope.ts";
export type { ScopeStore } from "./src/lifecycle/scope-store.ts";
export { FLAGPOST_SCOPE_HINT, FlagpostHook, type FlagpostHookOptions } from "./src/openfeature/hook.ts";
