/**
 * `encodeOtlpMetrics`: the OTLP/HTTP protobuf body for
 * `feature_flag.evaluations`, hand-written.
 *
 * Why by hand: workers forbid code generation from strings (protobufjs
 * compiles its codecs with `new Function`), the OpenTelemetry SDK's Node
 * build does not bundle for workers, and this message has a dozen fields.
 * The encoder sizes the whole message first, allocates once, then writes:
 * no intermediate objects per point. Field numbers follow opentelemetry-proto
 * (`tests/data/vectors/otlp-metrics.md`); default-valued fields are omitted,
 * so bytes differ from other encoders but decode to the same message.
 *
 * @module
 */
import { describeValue, FlagpostError } from "../core/errors.ts";
import { utf8ByteLength } from "../core/text.ts";
import { fieldSize, writeFixed64BigInt, writeFixed64Number, writeHeader, writeString } from "./_protobuf-writer.ts";
import {
  AGGREGATION_TEMPORALITY_DELTA,
  EVALUATION_METRIC_DESCRIPTION,
  EVALUATION_METRIC_NAME,
  EVALUATION_METRIC_SCOPE,
  EVALUATION_METRIC_UNIT,
  type MetricPoint,
  type MetricResource,
  type MetricWindow,
} from "./otlp-request.ts";
import { checkCount, resourceAttributes, windowNanos } from "./_request-checks.ts";

// Tags: (field << 3) | wire type. LEN = 2, I64 = 1, VARINT = 0.
const TAG_REQUEST_RESOURCE_METRICS = 0x0a; // ExportMetricsServiceRequest.resource_metrics = 1
const TAG_RM_RESOURCE = 0x0a; // ResourceMetrics.resource = 1
const TAG_RM_SCOPE_METRICS = 0x12; // ResourceMetrics.scope_metrics = 2
const TAG_RESOURCE_ATTRIBUTES = 0x0a; // Resource.attributes = 1
const TAG_SM_SCOPE = 0x0a; // ScopeMetrics.scope = 1
const TAG_SM_METRICS = 0x12; // ScopeMetrics.metrics = 2
const TAG_SCOPE_NAME = 0x0a; // InstrumentationScope.name = 1
const TAG_METRIC_NAME = 0x0a; // Metric.name = 1
const TAG_METRIC_DESCRIPTION = 0x12; // Metric.description = 2
const TAG_METRIC_UNIT = 0x1a; // Metric.unit = 3
const TAG_METRIC_SUM = 0x3a; // Metric.sum = 7
const TAG_SUM_DATA_POINTS = 0x0a; // Sum.data_points = 1
const TAG_SUM_TEMPORALITY = 0x10; // Sum.aggregation_temporality = 2 (varint)
const TAG_SUM_MONOTONIC = 0x18; // Sum.is_monotonic = 3 (varint)
const TAG_POINT_START = 0x11; // NumberDataPoint.start_time_unix_nano = 2 (fixed64)
const TAG_POINT_TIME = 0x19; // NumberDataPoint.time_unix_nano = 3 (fixed64)
const TAG_POINT_AS_INT = 0x31; // NumberDataPoint.as_int = 6 (sfixed64)
const TAG_POINT_ATTRIBUTES = 0x3a; // NumberDataPoint.attributes = 7
const TAG_KV_KEY = 0x0a; // KeyValue.key = 1
const TAG_KV_VALUE = 0x12; // KeyValue.value = 2
const TAG_ANY_STRING = 0x0a; // AnyValue.string_value = 1

/** start, time and as_int: three fixed 8-byte fields with one-byte tags. */
const POINT_FIXED_BYTES = 27;

function badAttribute(index: number, a: number, kv: unknown): FlagpostError {
  const field = `points[${index}].attributes[${a}]`;
  return new FlagpostError("invalid_argument", `${field}: ${describeValue(kv)} must be a [string, string] pair`, { field });
}

/** Bytes of one KeyValue{key, AnyValue{string_value}} payload. */
function keyValueSize(keyLength: number, valueLength: number): number {
  return fieldSize(keyLength) + fieldSize(fieldSize(valueLength));
}

/** Writes a whole `KeyValue{key, AnyValue{string_value}}` field under `tag`. */
function writeKeyValue(
  buf: Uint8Array,
  pos: number,
  tag: number,
  key: string,
  value: string,
  keyLength: number,
  valueLength: number,
): number {
  pos = writeHeader(buf, pos, tag, keyValueSize(keyLength, valueLength));
  pos = writeString(buf, pos, TAG_KV_KEY, key, keyLength);
  pos = writeHeader(buf, pos, TAG_KV_VALUE, fieldSize(valueLength));
  return writeString(buf, pos, TAG_ANY_STRING, value, valueLength);
}

/** A distinct point attribute of one request: its sizes, and where it was first written. */
interface AttributeField {
  /** The encoded `KeyValue.key` field, shared by every value of that key. */
  readonly keyPrefix: Uint8Array;
  readonly value: string;
  readonly valueLength: number;
  /** Bytes of the KeyValue message. */
  readonly payload: number;
  /** Bytes of the whole `attributes` field (tag, length, KeyValue). */
  readonly size: number;
  /** Offset of its first copy in the output, -1 until written. */
  at: number;
}

/** One attribute key of a request: its encoded key field and its distinct values. */
interface KeyEntry {
  readonly prefix: Uint8Array;
  readonly byValue: Map<string, AttributeField>;
}

/** Attribute keys looked up by identity in a short list before falling back to a Map. */
const SMALL_KEYS = 8;

/** Copies a short byte string (an encoded key field: a loop beats `TypedArray.set` at this size). */
function copyBytes(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; i++) buf[pos + i] = bytes[i]!;
  return pos + n;
}

function nanosBytes(nanos: bigint): Uint8Array {
  const out = new Uint8Array(8);
  writeFixed64BigInt(out, 0, nanos);
  return out;
}

/**
 * Encodes one OTLP `ExportMetricsServiceRequest` holding the
 * `feature_flag.evaluations` counter: resource attributes `service.name`,
 * `deployment.environment.name`, `service.version` (each omitted when
 * empty), scope `ddtrace.openfeature`, a monotonic DELTA Sum with one
 * `NumberDataPoint` per point (`start_time_unix_nano` = window start,
 * `time_unix_nano` = window end, `as_int` as sfixed64).
 *
 * Pure and synchronous. Bad input (a count that is not a non-negative
 * integer below 2^63, an attribute that is not a string pair, a window that
 * ends before it starts) throws a `FlagpostError` naming the field.
 *
 * @example
 * ```ts
 * import { encodeOtlpMetrics } from "flagpost";
 * const body = encodeOtlpMetrics(
 *   { service: "shop", env: "prod" },
 *   [{ attributes: [["feature_flag.key", "checkout"], ["feature_flag.result.variant", "on"], ["feature_flag.result.reason", "static"]], count: 5 }],
 *   { startMs: 1_700_000_000_000, endMs: 1_700_000_010_000 },
 * );
 * console.log(body.byteLength); // POST it with Content-Type: application/x-protobuf
 * ```
 */
export function encodeOtlpMetrics(resource: MetricResource, points: readonly MetricPoint[], window: MetricWindow): Uint8Array<ArrayBuffer> {
  const resAttrs = resourceAttributes(resource);
  const { start, end } = windowNanos(window);
  if (!Array.isArray(points)) {
    throw new FlagpostError("invalid_argument", `points: ${describeValue(points)} must be an array`, { field: "points" });
  }

  // ---- pass 1: sizes ----
  // Attributes repeat (a handful of keys, a few reasons, one flag key across many points): each distinct
  // (key, value) pair is sized once per call, written in full at its first occurrence, and later
  // occurrences copy those bytes (`copyWithin`: no allocation, no character scan).
  const smallKeys: string[] = [];
  const smallEntries: KeyEntry[] = [];
  const manyKeys = new Map<string, KeyEntry>();
  const fieldOf = (key: string, value: string): AttributeField => {
    let entry: KeyEntry | undefined;
    for (let i = 0; i < smallKeys.length; i++) {
      if (smallKeys[i] === key) {
        entry = smallEntries[i];
        break;
      }
    }
    if (entry === undefined) {
      entry = manyKeys.get(key);
      if (entry === undefined) {
        const keyLength = utf8ByteLength(key);
        const prefix = new Uint8Array(fieldSize(keyLength));
        writeString(prefix, 0, TAG_KV_KEY, key, keyLength);
        entry = { prefix, byValue: new Map() };
        if (smallKeys.length < SMALL_KEYS) {
          smallKeys.push(key);
          smallEntries.push(entry);
        } else manyKeys.set(key, entry);
      }
    }
    let field = entry.byValue.get(value);
    if (field === undefined) {
      const valueLength = utf8ByteLength(value);
      const payload = entry.prefix.length + fieldSize(fieldSize(valueLength));
      field = { keyPrefix: entry.prefix, value, valueLength, payload, size: fieldSize(payload), at: -1 };
      entry.byValue.set(value, field);
    }
    return field;
  };
  let resourceSize = 0;
  for (const kv of resAttrs) resourceSize += fieldSize(keyValueSize(utf8ByteLength(kv[0]), utf8ByteLength(kv[1])));
  const n = points.length;
  let attributeCount = 0;
  for (let i = 0; i < n; i++) {
    const point = points[i];
    if (point === null || typeof point !== "object") {
      throw new FlagpostError("invalid_argument", `points[${i}]: ${describeValue(point)} must be { attributes, count }`, {
        field: `points[${i}]`,
      });
    }
    checkCount(i, point.count);
    const attributes = point.attributes;
    if (!Array.isArray(attributes)) throw badAttribute(i, 0, attributes);
    attributeCount += attributes.length;
  }
  const parts = new Array<AttributeField>(attributeCount); // every point attribute's field, in write order
  const pointSizes = new Int32Array(n);
  let pointsSize = 0;
  let p = 0;
  for (let i = 0; i < n; i++) {
    const attributes = points[i]!.attributes;
    let size = POINT_FIXED_BYTES;
    for (let a = 0; a < attributes.length; a++) {
      const kv = attributes[a];
      if (!Array.isArray(kv)) throw badAttribute(i, a, kv);
      const key = kv[0];
      const value = kv[1];
      if (typeof key !== "string" || typeof value !== "string") throw badAttribute(i, a, kv);
      const field = fieldOf(key, value);
      parts[p++] = field;
      size += field.size;
    }
    pointSizes[i] = size;
    pointsSize += fieldSize(size);
  }

  const scopeNameLength = utf8ByteLength(EVALUATION_METRIC_SCOPE);
  const nameLength = utf8ByteLength(EVALUATION_METRIC_NAME);
  const descriptionLength = utf8ByteLength(EVALUATION_METRIC_DESCRIPTION);
  const unitLength = utf8ByteLength(EVALUATION_METRIC_UNIT);
  const sumSize = pointsSize + 2 + 2; // + temporality + is_monotonic
  const metricSize = fieldSize(nameLength) + fieldSize(descriptionLength) + fieldSize(unitLength) + fieldSize(sumSize);
  const scopeSize = fieldSize(scopeNameLength);
  const scopeMetricsSize = fieldSize(scopeSize) + fieldSize(metricSize);
  const resourceMetricsSize = (resAttrs.length > 0 ? fieldSize(resourceSize) : 0) + fieldSize(scopeMetricsSize);
  const total = fieldSize(resourceMetricsSize);

  // ---- pass 2: write ----
  const buf = new Uint8Array(total);
  let pos = writeHeader(buf, 0, TAG_REQUEST_RESOURCE_METRICS, resourceMetricsSize);
  if (resAttrs.length > 0) {
    pos = writeHeader(buf, pos, TAG_RM_RESOURCE, resourceSize);
    for (const [key, value] of resAttrs) {
      pos = writeKeyValue(buf, pos, TAG_RESOURCE_ATTRIBUTES, key, value, utf8ByteLength(key), utf8ByteLength(value));
    }
  }
  pos = writeHeader(buf, pos, TAG_RM_SCOPE_METRICS, scopeMetricsSize);
  pos = writeHeader(buf, pos, TAG_SM_SCOPE, scopeSize);
  pos = writeString(buf, pos, TAG_SCOPE_NAME, EVALUATION_METRIC_SCOPE, scopeNameLength);
  pos = writeHeader(buf, pos, TAG_SM_METRICS, metricSize);
  pos = writeString(buf, pos, TAG_METRIC_NAME, EVALUATION_METRIC_NAME, nameLength);
  pos = writeString(buf, pos, TAG_METRIC_DESCRIPTION, EVALUATION_METRIC_DESCRIPTION, descriptionLength);
  pos = writeString(buf, pos, TAG_METRIC_UNIT, EVALUATION_METRIC_UNIT, unitLength);
  pos = writeHeader(buf, pos, TAG_METRIC_SUM, sumSize);

  const startBytes = nanosBytes(start);
  const endBytes = nanosBytes(end);
  p = 0;
  for (let i = 0; i < n; i++) {
    const point = points[i]!;
    pos = writeHeader(buf, pos, TAG_SUM_DATA_POINTS, pointSizes[i]!);
    buf[pos++] = TAG_POINT_START;
    for (let b = 0; b < 8; b++) buf[pos + b] = startBytes[b]!;
    pos += 8;
    buf[pos++] = TAG_POINT_TIME;
    for (let b = 0; b < 8; b++) buf[pos + b] = endBytes[b]!;
    pos += 8;
    buf[pos++] = TAG_POINT_AS_INT;
    const count = point.count;
    pos = typeof count === "number" ? writeFixed64Number(buf, pos, count) : writeFixed64BigInt(buf, pos, count);
    const end = p + point.attributes.length;
    for (; p < end; p++) {
      const field = parts[p]!;
      if (field.at < 0) {
        field.at = pos;
        pos = writeHeader(buf, pos, TAG_POINT_ATTRIBUTES, field.payload);
        pos = copyBytes(buf, pos, field.keyPrefix);
        pos = writeHeader(buf, pos, TAG_KV_VALUE, fieldSize(field.valueLength));
        pos = writeString(buf, pos, TAG_ANY_STRING, field.value, field.valueLength);
      } else {
        buf.copyWithin(pos, field.at, field.at + field.size);
        pos += field.size;
      }
    }
  }
  buf[pos++] = TAG_SUM_TEMPORALITY;
  buf[pos++] = AGGREGATION_TEMPORALITY_DELTA;
  buf[pos++] = TAG_SUM_MONOTONIC;
  buf[pos++] = 1;
  return pos === total ? buf : buf.subarray(0, pos); // equal by construction
}
