/** Hostile payloads and page fetching shared by the in-process page tests (tests/mock-agent/page/*.test.ts). */
import { expect } from "bun:test";
import { encode } from "@msgpack/msgpack";
import type { MockAgent } from "../../../mock-agent/mod.ts";

/** EVP proxy headers. */
export const EVP = { "content-type": "application/json", "x-datadog-evp-subdomain": "event-platform-intake" };
/** Markup and quotes that must come out of the page as text. */
export const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>&'`;

/** GET / with `query`; the response and its HTML. */
export async function page(agent: MockAgent, query = ""): Promise<{ res: Response; html: string }> {
  const res = await agent.fetch(`http://agent.test/${query}`);
  return { res, html: await res.text() };
}

/** An exposure payload with `value` in every string field. */
export function exposureBody(value: string, events = 1): string {
  const exposures = Array.from({ length: events }, () => ({
    timestamp: 1_700_000_000_000,
    allocation: { key: value },
    flag: { key: value },
    variant: { key: value },
    subject: { id: value, attributes: { [value]: value } },
  }));
  return JSON.stringify({ context: { service: value }, exposures });
}

/** Sends `value` in every payload kind: exposures, flag evaluation rows, OTLP metrics and a two-span trace. */
export async function sendHostile(agent: MockAgent, value: string): Promise<void> {
  const exposures = await agent.fetch("http://agent.test/evp_proxy/v2/api/v2/exposures", {
    method: "POST",
    headers: EVP,
    body: exposureBody(value),
  });
  expect(exposures.status).toBe(202);
  const rows = await agent.fetch("http://agent.test/evp_proxy/v2/api/v2/flagevaluation", {
    method: "POST",
    headers: EVP,
    body: JSON.stringify({
      context: { service: value },
      flagEvaluations: [{
        timestamp: 1,
        flag: { key: value },
        variant: { key: value },
        allocation: { key: value },
        first_evaluation: 1,
        last_evaluation: 2,
        evaluation_count: 3,
        error: { message: value },
        targeting_key: value,
      }],
    }),
  });
  expect(rows.status).toBe(202);
  const metrics = await agent.fetch("http://agent.test/v1/metrics", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceMetrics: [{
        resource: { attributes: [{ key: "service.name", value: { stringValue: value } }] },
        scopeMetrics: [{
          scope: { name: value },
          metrics: [{
            name: "feature_flag.evaluations",
            sum: {
              aggregationTemporality: 1,
              isMonotonic: true,
              dataPoints: [{
                asInt: "4",
                timeUnixNano: "1",
                attributes: ["feature_flag.key", "feature_flag.result.variant", "feature_flag.result.reason"].map((key) => ({
                  key,
                  value: { stringValue: value },
                })),
              }],
            },
          }],
        }],
      }],
    }),
  });
  expect(metrics.status).toBe(200);
  const span = (id: number, parent: number) => ({
    service: value,
    name: value,
    resource: value,
    trace_id: 7,
    span_id: id,
    parent_id: parent,
    start: 1_000,
    duration: 10,
    meta: { ffe_runtime_defaults: JSON.stringify({ [value]: value }), other: value },
    metrics: {},
    type: value,
  });
  const traces = await agent.fetch("http://agent.test/v0.4/traces", {
    method: "PUT",
    headers: { "content-type": "application/msgpack", "x-datadog-trace-count": "1" },
    body: encode([[span(1, 0), span(2, 1)]]),
  });
  expect(traces.status).toBe(200);
}
