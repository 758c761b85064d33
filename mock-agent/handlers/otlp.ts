/**
 * OTLP/HTTP `POST /v1/metrics` (protobuf or JSON).
 *
 * @module
 */
import {
  decodeOtlpMetricsJson,
  decodeOtlpMetricsProtobuf,
  OtlpDecodeError,
  type OtlpMetricsJson,
  summarizeMetrics,
} from "../decode/otlp-metrics.ts";
import { overBudget, scanJson, scanProtobuf } from "../decode/budget.ts";
import { otlpMessage } from "../decode/otlp-schema.ts";
import { type IngestInput, mediaType, type Outcome, reject } from "../ingest.ts";

/** Handles one OTLP metrics export. */
export function handleOtlpMetrics(input: IngestInput): Outcome {
  const { request, body } = input;
  if (request.method !== "POST") return reject(405, `${request.method} not allowed on /v1/metrics (POST)`, { headers: { allow: "POST" } });
  const type = mediaType(request);
  const protobuf = type === "application/x-protobuf";
  if (!protobuf && type !== "application/json") {
    return reject(415, `Content-Type ${JSON.stringify(type)} not supported on /v1/metrics (application/x-protobuf or application/json)`);
  }
  if (!body.ok) return reject(body.reason === "too_large" ? 413 : body.reason === "unsupported_encoding" ? 415 : 400, body.message);
  // The decode budget, checked on the raw bytes before anything is decoded.
  const scan = protobuf
    ? scanProtobuf(body.bytes, otlpMessage("ExportMetricsServiceRequest"), input.limits)
    : scanJson(body.bytes, input.limits);
  const refused = overBudget(scan, input.limits, protobuf ? "protobuf field" : "JSON");
  if (refused !== undefined) return reject(scan.over === "values" ? 413 : 400, refused);
  let decoded: OtlpMetricsJson;
  try {
    if (protobuf) decoded = decodeOtlpMetricsProtobuf(body.bytes);
    else {
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(body.bytes);
      } catch {
        return reject(400, "invalid ExportMetricsServiceRequest JSON: body is not valid UTF-8");
      }
      decoded = decodeOtlpMetricsJson(text);
    }
  } catch (e) {
    if (e instanceof OtlpDecodeError) return reject(400, e.message);
    throw e;
  }
  // An empty ExportMetricsServiceResponse: zero bytes in protobuf, `{}` in JSON.
  return {
    status: 200,
    body: protobuf ? new Uint8Array(0) : "{}",
    contentType: protobuf ? "application/x-protobuf" : "application/json",
    summary: summarizeMetrics(decoded),
    decoded: { kind: "metrics", format: protobuf ? "protobuf" : "json", request: decoded },
    decodedValues: scan.values,
  };
}
