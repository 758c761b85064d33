/**
 * The OTLP metrics schema (opentelemetry-proto `collector/metrics/v1`,
 * `metrics/v1`, `common/v1`, `resource/v1`) as protobuf descriptors, built
 * with `@bufbuild/protobuf`'s reflection API.
 *
 * Why `@bufbuild/protobuf` and not protobufjs: protobufjs' reflection
 * decoder compiles its decode functions with `new Function` at first use,
 * which workerd forbids ("Code generation from strings disallowed"), and the
 * mock agent must run inside workerd. `@bufbuild/protobuf` decodes any
 * descriptor without code generation, keeps 64-bit integers exact as
 * `bigint`, and implements the canonical proto3 JSON mapping (so one schema
 * serves both `application/x-protobuf` and `application/json` bodies).
 *
 * Field numbers follow opentelemetry-proto (see also
 * `../shared/vectors/otlp-metrics.md`). Deprecated fields are left out:
 * they are kept as unknown fields and ignored.
 *
 * @module
 */
import { create, createFileRegistry, type DescMessage } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

// google.protobuf.FieldDescriptorProto.Type values.
const T = {
  double: 1,
  int64: 3,
  uint64: 4,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  message: 11,
  bytes: 12,
  uint32: 13,
  enum: 14,
  sfixed64: 16,
  sint32: 17,
} as const;
type Scalar = Exclude<keyof typeof T, "message" | "enum">;

const OPTIONAL = 1;
const REPEATED = 3;

interface FieldSpec {
  name: string;
  number: number;
  /** A scalar type name, or a fully qualified `.package.Message` / `.package.Enum` reference. */
  type: Scalar | `.${string}`;
  repeated?: boolean;
  enum?: boolean;
  /** Index of the (non-synthetic) oneof this field belongs to. */
  oneof?: number;
}

interface MessageSpec {
  name: string;
  fields: FieldSpec[];
  oneofs?: string[];
}

function jsonName(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function file(
  name: string,
  pkg: string,
  deps: string[],
  messages: MessageSpec[],
  enums: Array<{ name: string; values: Array<[string, number]> }> = [],
): FileDescriptorProto {
  return create(FileDescriptorProtoSchema, {
    name,
    package: pkg,
    dependency: deps,
    syntax: "proto3",
    messageType: messages.map((m) => ({
      name: m.name,
      oneofDecl: (m.oneofs ?? []).map((o) => ({ name: o })),
      field: m.fields.map((f) => {
        const isRef = f.type.startsWith(".");
        return {
          name: f.name,
          jsonName: jsonName(f.name),
          number: f.number,
          label: f.repeated === true ? REPEATED : OPTIONAL,
          type: isRef ? (f.enum === true ? T.enum : T.message) : T[f.type as Scalar],
          ...(isRef ? { typeName: f.type } : {}),
          ...(f.oneof !== undefined ? { oneofIndex: f.oneof } : {}),
        };
      }),
    })),
    enumType: enums.map((e) => ({ name: e.name, value: e.values.map(([n, v]) => ({ name: n, number: v })) })),
  });
}

const COMMON = ".opentelemetry.proto.common.v1";
const RESOURCE = ".opentelemetry.proto.resource.v1";
const METRICS = ".opentelemetry.proto.metrics.v1";

const commonFile = file("opentelemetry/proto/common/v1/common.proto", "opentelemetry.proto.common.v1", [], [
  {
    name: "AnyValue",
    oneofs: ["value"],
    fields: [
      { name: "string_value", number: 1, type: "string", oneof: 0 },
      { name: "bool_value", number: 2, type: "bool", oneof: 0 },
      { name: "int_value", number: 3, type: "int64", oneof: 0 },
      { name: "double_value", number: 4, type: "double", oneof: 0 },
      { name: "array_value", number: 5, type: `${COMMON}.ArrayValue`, oneof: 0 },
      { name: "kvlist_value", number: 6, type: `${COMMON}.KeyValueList`, oneof: 0 },
      { name: "bytes_value", number: 7, type: "bytes", oneof: 0 },
    ],
  },
  { name: "ArrayValue", fields: [{ name: "values", number: 1, type: `${COMMON}.AnyValue`, repeated: true }] },
  { name: "KeyValueList", fields: [{ name: "values", number: 1, type: `${COMMON}.KeyValue`, repeated: true }] },
  {
    name: "KeyValue",
    fields: [
      { name: "key", number: 1, type: "string" },
      { name: "value", number: 2, type: `${COMMON}.AnyValue` },
    ],
  },
  {
    name: "InstrumentationScope",
    fields: [
      { name: "name", number: 1, type: "string" },
      { name: "version", number: 2, type: "string" },
      { name: "attributes", number: 3, type: `${COMMON}.KeyValue`, repeated: true },
      { name: "dropped_attributes_count", number: 4, type: "uint32" },
    ],
  },
]);

const resourceFile = file(
  "opentelemetry/proto/resource/v1/resource.proto",
  "opentelemetry.proto.resource.v1",
  ["opentelemetry/proto/common/v1/common.proto"],
  [
    {
      name: "Resource",
      fields: [
        { name: "attributes", number: 1, type: `${COMMON}.KeyValue`, repeated: true },
        { name: "dropped_attributes_count", number: 2, type: "uint32" },
      ],
    },
  ],
);

const attributes = (number: number): FieldSpec => ({ name: "attributes", number, type: `${COMMON}.KeyValue`, repeated: true });
const temporality: FieldSpec = { name: "aggregation_temporality", number: 2, type: `${METRICS}.AggregationTemporality`, enum: true };

const metricsFile = file(
  "opentelemetry/proto/metrics/v1/metrics.proto",
  "opentelemetry.proto.metrics.v1",
  ["opentelemetry/proto/common/v1/common.proto", "opentelemetry/proto/resource/v1/resource.proto"],
  [
    {
      name: "ResourceMetrics",
      fields: [
        { name: "resource", number: 1, type: `${RESOURCE}.Resource` },
        { name: "scope_metrics", number: 2, type: `${METRICS}.ScopeMetrics`, repeated: true },
        { name: "schema_url", number: 3, type: "string" },
      ],
    },
    {
      name: "ScopeMetrics",
      fields: [
        { name: "scope", number: 1, type: `${COMMON}.InstrumentationScope` },
        { name: "metrics", number: 2, type: `${METRICS}.Metric`, repeated: true },
        { name: "schema_url", number: 3, type: "string" },
      ],
    },
    {
      name: "Metric",
      oneofs: ["data"],
      fields: [
        { name: "name", number: 1, type: "string" },
        { name: "description", number: 2, type: "string" },
        { name: "unit", number: 3, type: "string" },
        { name: "gauge", number: 5, type: `${METRICS}.Gauge`, oneof: 0 },
        { name: "sum", number: 7, type: `${METRICS}.Sum`, oneof: 0 },
        { name: "histogram", number: 9, type: `${METRICS}.Histogram`, oneof: 0 },
        { name: "exponential_histogram", number: 10, type: `${METRICS}.ExponentialHistogram`, oneof: 0 },
        { name: "summary", number: 11, type: `${METRICS}.Summary`, oneof: 0 },
        { name: "metadata", number: 12, type: `${COMMON}.KeyValue`, repeated: true },
      ],
    },
    { name: "Gauge", fields: [{ name: "data_points", number: 1, type: `${METRICS}.NumberDataPoint`, repeated: true }] },
    {
      name: "Sum",
      fields: [
        { name: "data_points", number: 1, type: `${METRICS}.NumberDataPoint`, repeated: true },
        temporality,
        { name: "is_monotonic", number: 3, type: "bool" },
      ],
    },
    {
      name: "Histogram",
      fields: [{ name: "data_points", number: 1, type: `${METRICS}.HistogramDataPoint`, repeated: true }, temporality],
    },
    {
      name: "ExponentialHistogram",
      fields: [
        { name: "data_points", number: 1, type: `${METRICS}.ExponentialHistogramDataPoint`, repeated: true },
        temporality,
      ],
    },
    { name: "Summary", fields: [{ name: "data_points", number: 1, type: `${METRICS}.SummaryDataPoint`, repeated: true }] },
    {
      name: "NumberDataPoint",
      oneofs: ["value"],
      fields: [
        attributes(7),
        { name: "start_time_unix_nano", number: 2, type: "fixed64" },
        { name: "time_unix_nano", number: 3, type: "fixed64" },
        { name: "as_double", number: 4, type: "double", oneof: 0 },
        { name: "as_int", number: 6, type: "sfixed64", oneof: 0 },
        { name: "exemplars", number: 5, type: `${METRICS}.Exemplar`, repeated: true },
        { name: "flags", number: 8, type: "uint32" },
      ],
    },
    {
      name: "HistogramDataPoint",
      fields: [
        attributes(9),
        { name: "start_time_unix_nano", number: 2, type: "fixed64" },
        { name: "time_unix_nano", number: 3, type: "fixed64" },
        { name: "count", number: 4, type: "fixed64" },
        { name: "sum", number: 5, type: "double" },
        { name: "bucket_counts", number: 6, type: "fixed64", repeated: true },
        { name: "explicit_bounds", number: 7, type: "double", repeated: true },
        { name: "exemplars", number: 8, type: `${METRICS}.Exemplar`, repeated: true },
        { name: "flags", number: 10, type: "uint32" },
        { name: "min", number: 11, type: "double" },
        { name: "max", number: 12, type: "double" },
      ],
    },
    {
      name: "ExponentialHistogramDataPoint",
      fields: [
        attributes(1),
        { name: "start_time_unix_nano", number: 2, type: "fixed64" },
        { name: "time_unix_nano", number: 3, type: "fixed64" },
        { name: "count", number: 4, type: "fixed64" },
        { name: "sum", number: 5, type: "double" },
        { name: "scale", number: 6, type: "sint32" },
        { name: "zero_count", number: 7, type: "fixed64" },
        { name: "positive", number: 8, type: `${METRICS}.ExponentialHistogramDataPoint.Buckets` },
        { name: "negative", number: 9, type: `${METRICS}.ExponentialHistogramDataPoint.Buckets` },
        { name: "flags", number: 10, type: "uint32" },
        { name: "exemplars", number: 11, type: `${METRICS}.Exemplar`, repeated: true },
        { name: "min", number: 12, type: "double" },
        { name: "max", number: 13, type: "double" },
        { name: "zero_threshold", number: 14, type: "double" },
      ],
    },
    {
      name: "SummaryDataPoint",
      fields: [
        attributes(7),
        { name: "start_time_unix_nano", number: 2, type: "fixed64" },
        { name: "time_unix_nano", number: 3, type: "fixed64" },
        { name: "count", number: 4, type: "fixed64" },
        { name: "sum", number: 5, type: "double" },
        { name: "quantile_values", number: 6, type: `${METRICS}.SummaryDataPoint.ValueAtQuantile`, repeated: true },
        { name: "flags", number: 8, type: "uint32" },
      ],
    },
    {
      name: "Exemplar",
      oneofs: ["value"],
      fields: [
        { name: "filtered_attributes", number: 7, type: `${COMMON}.KeyValue`, repeated: true },
        { name: "time_unix_nano", number: 2, type: "fixed64" },
        { name: "as_double", number: 3, type: "double", oneof: 0 },
        { name: "as_int", number: 6, type: "sfixed64", oneof: 0 },
        { name: "span_id", number: 4, type: "bytes" },
        { name: "trace_id", number: 5, type: "bytes" },
      ],
    },
  ],
  [
    {
      name: "AggregationTemporality",
      values: [
        ["AGGREGATION_TEMPORALITY_UNSPECIFIED", 0],
        ["AGGREGATION_TEMPORALITY_DELTA", 1],
        ["AGGREGATION_TEMPORALITY_CUMULATIVE", 2],
      ],
    },
  ],
);

// Nested messages (Buckets, ValueAtQuantile) are declared on their parents.
const expHist = metricsFile.messageType.find((m) => m.name === "ExponentialHistogramDataPoint")!;
expHist.nestedType.push(
  create(FileDescriptorProtoSchema, {
    messageType: [
      {
        name: "Buckets",
        field: [
          { name: "offset", jsonName: "offset", number: 1, label: OPTIONAL, type: T.sint32 },
          { name: "bucket_counts", jsonName: "bucketCounts", number: 2, label: REPEATED, type: T.uint64 },
        ],
      },
    ],
  }).messageType[0]!,
);
const summaryPoint = metricsFile.messageType.find((m) => m.name === "SummaryDataPoint")!;
summaryPoint.nestedType.push(
  create(FileDescriptorProtoSchema, {
    messageType: [
      {
        name: "ValueAtQuantile",
        field: [
          { name: "quantile", jsonName: "quantile", number: 1, label: OPTIONAL, type: T.double },
          { name: "value", jsonName: "value", number: 2, label: OPTIONAL, type: T.double },
        ],
      },
    ],
  }).messageType[0]!,
);

const serviceFile = file(
  "opentelemetry/proto/collector/metrics/v1/metrics_service.proto",
  "opentelemetry.proto.collector.metrics.v1",
  ["opentelemetry/proto/metrics/v1/metrics.proto"],
  [
    {
      name: "ExportMetricsServiceRequest",
      fields: [{ name: "resource_metrics", number: 1, type: `${METRICS}.ResourceMetrics`, repeated: true }],
    },
    {
      name: "ExportMetricsServiceResponse",
      fields: [{ name: "partial_success", number: 1, type: ".opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess" }],
    },
    {
      name: "ExportMetricsPartialSuccess",
      fields: [
        { name: "rejected_data_points", number: 1, type: "int64" },
        { name: "error_message", number: 2, type: "string" },
      ],
    },
  ],
);

let registry: ReturnType<typeof createFileRegistry> | undefined;

/**
 * The descriptor of one OTLP metrics message, by its short name in
 * `opentelemetry.proto.collector.metrics.v1` (the registry is built on first
 * use, never at import time).
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * import { fromBinary } from "@bufbuild/protobuf";
 * const request = fromBinary(otlpMessage("ExportMetricsServiceRequest"), bytes);
 * ```
 */
export function otlpMessage(name: "ExportMetricsServiceRequest" | "ExportMetricsServiceResponse"): DescMessage {
  if (registry === undefined) {
    registry = createFileRegistry(
      create(FileDescriptorSetSchema, { file: [commonFile, resourceFile, metricsFile, serviceFile] }),
    );
  }
  const desc = registry.getMessage(`opentelemetry.proto.collector.metrics.v1.${name}`);
  if (desc === undefined) throw new Error(`OTLP schema has no message ${name}`);
  return desc;
}
