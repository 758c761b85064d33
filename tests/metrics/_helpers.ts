/** Shared pieces of the metrics tests: records, an in-process mock agent fetch, and the collector's view. */
import { fromBinary, toJson } from "@bufbuild/protobuf";
import { otlpMessage } from "../../mock-agent/decode/otlp-schema.ts";
import type { EvaluationCount, OtlpMetricsJson } from "../../mock-agent/decode/otlp-metrics.ts";
import type { MockAgent } from "../../mock-agent/app.ts";

/** The shared test evaluation record (tests/support/records.ts); metrics count flag, variant, reason, error and allocation only. */
export { evaluationRecord as evaluation } from "../support/records.ts";

/** `fetch` that reaches the mock agent in-process (Hono's `app.fetch` takes a Request). */
export function agentFetch(agent: MockAgent): typeof fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) => agent.app.fetch(new Request(input, init))) as typeof fetch;
}

/** What the mock agent summed from every `feature_flag.evaluations` point it received. */
export async function received(
  agent: MockAgent,
): Promise<{ requests: Array<{ format: string; request: OtlpMetricsJson }>; evaluations: EvaluationCount[] }> {
  const res = await agent.app.fetch(new Request("http://agent.test/test/metrics"));
  return await res.json() as { requests: Array<{ format: string; request: OtlpMetricsJson }>; evaluations: EvaluationCount[] };
}

/** Independent decode: @bufbuild/protobuf against the OTLP schema, to the canonical JSON shape. */
export function decodeRequest(bytes: Uint8Array): OtlpMetricsJson {
  const desc = otlpMessage("ExportMetricsServiceRequest");
  return toJson(desc, fromBinary(desc, bytes), { enumAsInteger: true }) as OtlpMetricsJson;
}
