/**
 * flagpost's mock Datadog agent: the agent's trace intake, EVP proxy
 * (exposures, flag evaluations), agentless exposures intake and OTLP/HTTP
 * metrics endpoint, decoding and recording what it receives, with a test
 * session API and fault injection. Use it in-process (`createMockAgent().app.fetch`,
 * also inside workerd) or on sockets (`startMockAgent`).
 *
 * @example
 * ```ts
 * import { startMockAgent } from "flagpost/mock-agent";
 * const agent = await startMockAgent({ port: 0, otlpPort: 0 });
 * // point DD_TRACE_AGENT_URL at agent.url, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT at `${agent.otlpUrl}/v1/metrics`
 * await agent.close();
 * ```
 *
 * @module
 */
export { createMockAgent, DEFAULT_REQUEST_TIMEOUT_MS, type MockAgent, type MockAgentOptions } from "./app.ts";
export { type RunningMockAgent, startMockAgent, type StartMockAgentOptions } from "./server.ts";
export {
  BYTES_PER_DECODED_VALUE,
  type DecodedBody,
  MAX_SESSIONS,
  type RecordedRequest,
  type RequestKind,
  RequestStore,
  type RequestStoreOptions,
  type StoreStats,
} from "./store.ts";
export { type Fault, FaultLimitError, FaultRegistry, type FaultSpec, MAX_PENDING_FAULTS, parseFaultSpec } from "./faults.ts";
export { ConnectionDroppedError, SESSION_HEADER, SESSION_QUERY } from "./ingest.ts";
export { DEFAULT_MAX_BODY_BYTES } from "./body.ts";
export {
  type DecodeLimits,
  DEFAULT_DECODE_LIMITS,
  overBudget,
  type PayloadScan,
  scanJson,
  scanMsgpack,
  scanProtobuf,
} from "./decode/budget.ts";
export {
  DEFAULT_PAGE_SIZE,
  DEFAULT_REQUESTS_PAGE_SIZE,
  INLINE_BODY_LIMIT,
  MAX_PAGE_BYTES,
  MAX_PAGE_SIZE,
  type RequestJson,
  requestToJson,
} from "./test-api.ts";
export { DEFAULT_RATE_BY_SERVICE } from "./handlers/traces.ts";
export {
  countSpans,
  type DecodedSpan,
  type DecodedTraces,
  decodeTracesV04,
  decodeTracesV05,
  TraceDecodeError,
} from "./decode/msgpack-traces.ts";
export {
  decodeOtlpMetricsJson,
  decodeOtlpMetricsProtobuf,
  type EvaluationCount,
  OtlpDecodeError,
  type OtlpMetricsJson,
  sumEvaluations,
} from "./decode/otlp-metrics.ts";
export { type ExposureEvent, type ExposurePayload, validateExposurePayload } from "./decode/exposures.ts";
export { summarizeFlagEvaluations, validateFlagEvaluationPayload } from "./decode/flagevaluations.ts";
