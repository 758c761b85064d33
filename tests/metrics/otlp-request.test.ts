/**
 * The OTLP request's fixed names: both encoders (protobuf, decoded with @bufbuild/protobuf, and JSON, parsed)
 * put the evaluation metric under the scope, name, unit, description and delta temporality this file declares.
 */
import { describe, expect, test } from "bun:test";
import { encodeOtlpMetricsJson } from "../../src/metrics/otlp-json.ts";
import { encodeOtlpMetrics } from "../../src/metrics/otlp-protobuf.ts";
import {
  AGGREGATION_TEMPORALITY_DELTA,
  EVALUATION_METRIC_DESCRIPTION,
  EVALUATION_METRIC_NAME,
  EVALUATION_METRIC_SCOPE,
  EVALUATION_METRIC_UNIT,
  type MetricPoint,
} from "../../src/metrics/otlp-request.ts";
import { decodeRequest } from "./_helpers.ts";

const WINDOW = { startMs: 1_700_000_000_000, endMs: 1_700_000_010_000 };
const POINTS: MetricPoint[] = [{ attributes: [["feature_flag.key", "checkout"]], count: 2 }];

// deno-lint-ignore no-explicit-any
function metricOf(request: any) {
  const scopeMetrics = request.resourceMetrics[0].scopeMetrics[0];
  return { scope: scopeMetrics.scope.name, metric: scopeMetrics.metrics[0] };
}

describe("the evaluation metric's fixed names", () => {
  const requests = {
    protobuf: decodeRequest(encodeOtlpMetrics({ service: "shop" }, POINTS, WINDOW)),
    json: JSON.parse(encodeOtlpMetricsJson({ service: "shop" }, POINTS, WINDOW)),
  };
  for (const [format, request] of Object.entries(requests)) {
    test(`${format}: scope, name, unit, description and delta temporality`, () => {
      const { scope, metric } = metricOf(request);
      expect(scope).toBe(EVALUATION_METRIC_SCOPE);
      expect(metric.name).toBe(EVALUATION_METRIC_NAME);
      expect(metric.unit).toBe(EVALUATION_METRIC_UNIT);
      expect(metric.description).toBe(EVALUATION_METRIC_DESCRIPTION);
      expect(metric.sum.aggregationTemporality).toBe(AGGREGATION_TEMPORALITY_DELTA);
    });
  }
  test("the names are what Datadog's OpenFeature metrics use", () => {
    expect([EVALUATION_METRIC_SCOPE, EVALUATION_METRIC_NAME, EVALUATION_METRIC_UNIT]).toEqual([
      "ddtrace.openfeature",
      "feature_flag.evaluations",
      "{evaluation}",
    ]);
  });
});
