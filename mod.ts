/**
 * flagpost: feature-flag telemetry (exposures, evaluation metrics, span
 * enrichment, traces) from any JavaScript runtime to a Datadog agent or an
 * OTLP collector, using Web APIs only.
 *
 * This module only re-exports the stable public API.
 *
 * @module
 */
export { describeValue, FlagpostError, type FlagpostErrorCode } from "./src/core/errors.ts";
export {
  agentEndpoint,
  agentlessExposuresUrl,
  type Config,
  type ConfigOverrides,
  DEFAULT_LIMITS,
  type EnvRecord,
  type HttpEndpoint,
  type Limits,
  type OtlpMetricsConfig,
  parseBooleanVar,
  parseHttpUrl,
  parseOtlpHeaders,
  resolveConfig,
} from "./src/core/config.ts";
export { decodeBase64, encodeBase64 } from "./src/core/base64.ts";
export { redactUrlCredentials, redactValues } from "./src/core/redact.ts";
export { delay, MAX_TIMER_MS } from "./src/core/delay.ts";
export { checkRequestHeader, checkRequestHeaders, FORBIDDEN_REQUEST_HEADERS, isSecretHeaderName } from "./src/core/http-headers.ts";
export { decodeUleb128, encodeUleb128, type Uleb128Read } from "./src/core/varint.ts";
export { sha256Hex, toHex } from "./src/core/sha256.ts";
export { consoleLogger, type Logger, type LogLevel, safeLogger, silentLogger } from "./src/core/logger.ts";
export { type DropReason, StatsRegistry, type StatsSnapshot } from "./src/core/stats.ts";
export { AGENT_RETRY_POLICY, backoffDelay, OTLP_RETRY_POLICY, parseRetryAfter, type RetryPolicy } from "./src/transport/retry.ts";
export {
  ERROR_BODY_LIMIT,
  outcomeReason,
  type SendErrorKind,
  type SendOptions,
  type SendOutcome,
  sendWithRetry,
  type TransportRequest,
} from "./src/transport/sender.ts";
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
  ALLOWED_ERROR_CODES,
  type FlagEvaluationFlushReport,
  type FlagEvaluationRecordResult,
  FlagEvaluationWriter,
  type FlagEvaluationWriterOptions,
} from "./src/flagevaluations/mod.ts";
export {
  encodeOtlpMetrics,
  encodeOtlpMetricsJson,
  EVALUATION_ATTRIBUTE,
  evaluationAttributes,
  EvaluationAggregator,
  EvaluationMetrics,
  evaluationSeriesValues,
  OVERFLOW_VALUE,
} from "./src/metrics/mod.ts";
export type {
  AggregateOutcome,
  AggregatorLimits,
  DrainedWindow,
  EvaluationMetricsOptions,
  EvaluationSeries,
  EvaluationSeriesValues,
  MetricAttribute,
  MetricPoint,
  MetricResource,
  MetricsFlushReport,
  MetricWindow,
} from "./src/metrics/mod.ts";
