/**
 * Encoding one OTLP `feature_flag.evaluations` request of 200 data points
 * with 4 attributes each, side by side in one run:
 *
 * - flagpost `encodeOtlpMetrics` (hand-written, one pass into a reused scratch buffer, then one copy);
 * - `@opentelemetry/otlp-transformer`'s `ProtobufMetricsSerializer`, given
 *   the SDK's `ResourceMetrics` shape;
 * - dd-trace-js's own OTLP metrics transformer
 *   (`packages/dd-trace/src/opentelemetry/metrics/otlp_transformer.js`,
 *   protobufjs underneath), given its `AggregatedMetric` shape.
 *
 * The points come from the shared record generator (bench/_records.ts)
 * through flagpost's aggregator, then each peer gets the same points in its
 * own input shape (built once, outside the timed loop). All three outputs
 * are decoded with @bufbuild/protobuf and compared before timing. Timing is
 * bench/_measure.ts's interleaved rounds on the CPU clock. Also prints the bundled size
 * (esbuild, platform neutral, minified, gzip) of flagpost's encoder and
 * metrics module against the OpenTelemetry serializer.
 *
 * usage: bun bench/metrics.ts [--rounds 10] [--iterations 2000]
 * (`npm run bench` installs bench/'s own dependencies first.)
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { EvaluationAggregator } from "../src/metrics/aggregator.ts";
import { encodeOtlpMetrics } from "../src/metrics/otlp-protobuf.ts";
import type { MetricPoint } from "../src/metrics/otlp-request.ts";
import { decodeOtlpMetricsProtobuf, sumEvaluations } from "../mock-agent/decode/otlp-metrics.ts";
import { bundledSize } from "./_bundle.ts";
import { cpuClock, formatNs, measure, numberOption, printTable } from "./_measure.ts";
import { generateRecords } from "./_records.ts";

const rounds = numberOption("rounds", 10);
const iterations = numberOption("iterations", 2000);

// ---- the data: 200 points × 4 attributes --------------------------------------------------
const POINTS = 200;
const aggregator = new EvaluationAggregator(
  { maxSeries: 10_000 },
  1_700_000_000_000,
);
for (
  const record of generateRecords(20_000, {
    flags: 50,
    variants: 4,
    errorShare: 0,
    defaultShare: 0,
  })
) aggregator.add(record);
const drained = aggregator.drain(1_700_000_010_000)!;
const points: MetricPoint[] = drained.points.filter((p) => p.attributes.length === 4).slice(0, POINTS);
if (points.length !== POINTS) {
  throw new Error(
    `expected ${POINTS} points with 4 attributes, got ${points.length}`,
  );
}
const window = drained.window;
const resource = { service: "shop", env: "prod", version: "1.2.3" };
const resourceAttributes = {
  "service.name": "shop",
  "deployment.environment.name": "prod",
  "service.version": "1.2.3",
};

// ---- peers (resolved from bench/node_modules) ----------------------------------------------
const benchRequire = createRequire(join(import.meta.dirname, "package.json"));
const otlp = (await import(benchRequire.resolve("@opentelemetry/otlp-transformer"))) as {
  ProtobufMetricsSerializer: {
    serializeRequest(request: unknown): Uint8Array | undefined;
  };
};
const sdkMetrics = (await import(benchRequire.resolve("@opentelemetry/sdk-metrics"))) as {
  AggregationTemporality: { DELTA: number };
  DataPointType: { SUM: number };
};
const otelApi = (await import(benchRequire.resolve("@opentelemetry/api"))) as {
  ValueType: { INT: number };
};
const resources = (await import(benchRequire.resolve("@opentelemetry/resources"))) as {
  resourceFromAttributes(attributes: Record<string, string>): unknown;
};
const ddTransformerPath = join(
  import.meta.dirname,
  "node_modules/dd-trace/packages/dd-trace/src/opentelemetry/metrics/otlp_transformer.js",
);
const DdOtlpTransformer = benchRequire(ddTransformerPath) as new (
  resourceAttributes: Record<string, string>,
  protocol: string,
) => { transformMetrics(metrics: unknown[]): Uint8Array };
const ddPackage = benchRequire("dd-trace/package.json") as { version: string };
const otlpPackage = benchRequire(
  "@opentelemetry/otlp-transformer/package.json",
) as { version: string };

const hrTime = (
  ms: number,
): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
const attributesObject = (p: MetricPoint) => Object.fromEntries(p.attributes);

const otelRequest = {
  resource: resources.resourceFromAttributes(resourceAttributes),
  scopeMetrics: [{
    scope: { name: "ddtrace.openfeature" },
    metrics: [{
      descriptor: {
        name: "feature_flag.evaluations",
        description: "Number of feature flag evaluations",
        unit: "{evaluation}",
        valueType: otelApi.ValueType.INT,
      },
      aggregationTemporality: sdkMetrics.AggregationTemporality.DELTA,
      dataPointType: sdkMetrics.DataPointType.SUM,
      isMonotonic: true,
      dataPoints: points.map((p) => ({
        attributes: attributesObject(p),
        startTime: hrTime(window.startMs),
        endTime: hrTime(window.endMs),
        value: Number(p.count),
      })),
    }],
  }],
};

const ddTransformer = new DdOtlpTransformer(
  resourceAttributes,
  "http/protobuf",
);
const ddMetrics = [{
  name: "feature_flag.evaluations",
  description: "Number of feature flag evaluations",
  unit: "{evaluation}",
  type: "counter",
  temporality: "DELTA",
  instrumentationScope: {
    name: "ddtrace.openfeature",
    version: "",
    schemaUrl: "",
    attributes: {},
  },
  dataPointMap: new Map(points.map((p, i) => [i, {
    attributes: attributesObject(p),
    startTimeUnixNano: window.startMs * 1e6,
    timeUnixNano: window.endMs * 1e6,
    value: Number(p.count),
  }])),
}];

const encoders: Array<[string, () => Uint8Array]> = [
  [
    "flagpost encodeOtlpMetrics",
    () => encodeOtlpMetrics(resource, points, window),
  ],
  [
    `@opentelemetry/otlp-transformer ${otlpPackage.version}`,
    () => otlp.ProtobufMetricsSerializer.serializeRequest(otelRequest)!,
  ],
  [
    `dd-trace ${ddPackage.version} OtlpTransformer`,
    () => ddTransformer.transformMetrics(ddMetrics),
  ],
];

// ---- same data? decode all three with @bufbuild/protobuf and compare the sums ----------------
const canonical = (bytes: Uint8Array) =>
  JSON.stringify(
    sumEvaluations([decodeOtlpMetricsProtobuf(bytes)]).map((
      e,
    ) => [e.resource, e.scope, e.attributes, e.count]),
  );
const reference = canonical(encoders[0]![1]());
for (const [name, encode] of encoders) {
  if (canonical(encode()) !== reference) {
    throw new Error(`${name} does not encode the same points`);
  }
}

// ---- throughput ------------------------------------------------------------------------------
// bench/_measure.ts's interleaved rounds on the process CPU clock (other processes sharing the
// machine stretch wall time, not CPU time); the median round per encoder.
let sink = 0;
const nsPerRequest = await measure(
  encoders.map(([name, encode]) => ({
    name,
    ops: iterations,
    run() {
      for (let i = 0; i < iterations; i++) sink += encode().length;
    },
  })),
  rounds,
  1,
  cpuClock,
);
const ours = nsPerRequest.get(encoders[0]![0])!;
console.log(
  `one request: ${POINTS} points × 4 attributes; ${rounds} rounds × ${iterations} encodes each, interleaved; CPU time, median`,
);
printTable(
  ["encoder", "req/s", "per request", "bytes", "flagpost ×"],
  encoders.map(([name, encode]) => {
    const ns = nsPerRequest.get(name)!;
    return [
      name,
      (1e9 / ns).toFixed(0),
      formatNs(ns),
      String(encode().length),
      (ns / ours).toFixed(2),
    ];
  }),
);

// ---- bundle size -----------------------------------------------------------------------------
const bundle = (contents: string, resolveDir: string) => bundledSize({ contents, resolveDir });
const root = join(import.meta.dirname, "..");
const sizes: Array<[string, [number, number]]> = [
  [
    "flagpost encodeOtlpMetrics",
    await bundle(
      `export { encodeOtlpMetrics } from "./src/metrics/otlp-protobuf.ts";`,
      root,
    ),
  ],
  [
    "flagpost src/metrics (all of it)",
    await bundle(`export * from "./src/metrics/mod.ts";`, root),
  ],
  [
    "@opentelemetry/otlp-transformer ProtobufMetricsSerializer",
    await bundle(
      `export { ProtobufMetricsSerializer } from "@opentelemetry/otlp-transformer";`,
      import.meta.dirname,
    ),
  ],
];
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log();
console.log(
  "bundle (esbuild neutral, minified)".padEnd(60),
  "minified".padStart(10),
  "gzip".padStart(10),
);
for (const [name, [min, gz]] of sizes) {
  console.log(name.padEnd(60), kb(min).padStart(10), kb(gz).padStart(10));
}
if (sink === 0) console.log("(sink)");
