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
export { createMockAgent, type MockAgent, type MockAgentOptions } from "./app.ts";
export { type RunningMockAgent, startMockAgent, type StartMockAgentOptions } from "./server.ts";
export {
  type DecodedBody,
  type RecordedRequest,
  type RequestKind,
  RequestStore,
  type RequestStoreOptions,
  type StoreStats,
} from "./store.ts";
export { type Fault, FaultRegistry, type FaultSpec, parseFaultSpec } from "./faults.ts";
export { ConnectionDroppedError, SESSION_HEADER, SESSION_QUERY } from "./ingest.ts";
export { type BodyResult, DEFAULT_MAX_BODY_BYTES, readBody } from "./body.ts";
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
