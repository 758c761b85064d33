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
export { startMockAgent, type RunningMockAgent, type StartMockAgentOptions } from "./server.ts";
export { RequestStore, type DecodedBody, type RecordedRequest, type RequestKind, type RequestStoreOptions, type StoreStats } from "./store.ts";
export { FaultRegistry, parseFaultSpec, type Fault, type FaultSpec } from "./faults.ts";
export { ConnectionDroppedError, SESSION_HEADER, SESSION_QUERY } from "./ingest.ts";
export { DEFAULT_MAX_BODY_BYTES, readBody, type BodyResult } from "./body.ts";
export { DEFAULT_RATE_BY_SERVICE } from "./handlers/traces.ts";
export { countSpans, decodeTracesV04, decodeTracesV05, TraceDecodeError, type DecodedSpan, type DecodedTraces } from "./decode/msgpack-traces.ts";
export {
  decodeOtlpMetricsJson,
  decodeOtlpMetricsProtobuf,
  OtlpDecodeError,
  sumEvaluations,
  type EvaluationCount,
  type OtlpMetricsJson,
} from "./decode/otlp-metrics.ts";
export { validateExposurePayload, type ExposureEvent, type ExposurePayload } from "./decode/exposures.ts";
