/**
 * `encodeOtlpMetrics`: the OTLP/HTTP protobuf body for
 * `feature_flag.evaluations`, hand-written.
 *
 * Why by hand: workers forbid code generation from strings (protobufjs
 * compiles its codecs with `new Function`), the OpenTelemetry SDK's Node
 * build does not bundle for workers, and this message has a dozen fields.
 * Field numbers follow opentelemetry-proto (`tests/data/vectors/otlp-metrics.md`);
 * default-valued fields are omitted, so bytes differ from other encoders but
 * decode to the same message (and are what @bufbuild/protobuf re-serializes).
 *
 * Why it is shaped this way (one pass, then one copy): sizing every string
 * before writing it costs as much as writing it, and so does deduplicating
 * repeated attributes through a Map. So the data points are written in one
 * pass into a reused scratch buffer, each length reserved in the bytes it
 * almost always takes (one per attribute, two per point) and fixed up after
 * the payload is written; the message head, whose lengths enclose all the
 * points, is then written just before them and the finished message sliced
 * out in one native copy (no zero-filled allocation, no second scan).
 *
 * @module
 */
import { describeValue, FlagpostError } from "../core/errors.ts";
import { utf8ByteLength } from "../core/text.ts";
import {
  fieldSize,
  varintSize,
  writeFixed64BigInt,
  writeFixed64Number,
  writeHeader,
  writeString,
  writeVarint,
} from "./_protobuf-writer.ts";
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
/** Distinct attribute keys whose encoded field a call keeps (the evaluation counter has five). */
const KEY_FIELDS_KEPT = 16;
/** Bytes a point's length is reserved in before its size is known (sizes 128 … 16,383). */
const POINT_LENGTH_RESERVED = 2;
/** Scratch room kept past the end of everything written: a point length wider than reserved, the Sum's trailer. */
const SLACK = 8;
/** The scratch buffer is kept for the next call up to this size (1 MiB); a bigger one is left to the GC. */
const SCRATCH_KEEP_BYTES = 1 << 20;

/** The scratch buffer between calls; a call takes it (so a re-entrant call gets its own) and gives it back. */
let spareScratch: Uint8Array<ArrayBuffer> | undefined;

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

/** `buf` with room for `needed` bytes (plus {@link SLACK}), its first `used` bytes kept. */
function ensureRoom(buf: Uint8Array<ArrayBuffer>, used: number, needed: number): Uint8Array<ArrayBuffer> {
  if (needed + SLACK <= buf.length) return buf;
  const bigger = new Uint8Array(Math.max(needed + SLACK, buf.length * 2));
  bigger.set(buf.subarray(0, used));
  return bigger;
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

  // The head: everything before the first data point. Its size is known but for the four lengths
  // enclosing the points (request, resource metrics, scope metrics, metric, sum); the points are
  // written after room for the largest possible head and the head later ends exactly where they begin.
  let resourceSize = 0;
  for (const kv of resAttrs) resourceSize += fieldSize(keyValueSize(utf8ByteLength(kv[0]), utf8ByteLength(kv[1])));
  const resourceFieldSize = resAttrs.length > 0 ? fieldSize(resourceSize) : 0;
  const scopeNameLength = utf8ByteLength(EVALUATION_METRIC_SCOPE);
  const nameLength = utf8ByteLength(EVALUATION_METRIC_NAME);
  const descriptionLength = utf8ByteLength(EVALUATION_METRIC_DESCRIPTION);
  const unitLength = utf8ByteLength(EVALUATION_METRIC_UNIT);
  const scopeSize = fieldSize(scopeNameLength);
  const metricFixedSize = fieldSize(nameLength) + fieldSize(descriptionLength) + fieldSize(unitLength);
  const headRoom = resourceFieldSize + fieldSize(scopeSize) + metricFixedSize + 5 * (1 + 5); // five tags, five widest varints

  const n = points.length;
  let buf = spareScratch ?? new Uint8Array(4096);
  spareScratch = undefined;
  buf = ensureRoom(buf, 0, headRoom + n * 64);
  const startLo = Number(start & 0xffffffffn);
  const startHi = Number(start >> 32n);
  const endLo = Number(end & 0xffffffffn);
  const endHi = Number(end >> 32n);
  // Encoded `KeyValue.key` fields by key (compared by identity first: callers reuse a few key constants).
  const keys: string[] = [];
  const keyFields: Uint8Array[] = [];
  let pos = headRoom;
  for (let i = 0; i < n; i++) {
    const point = points[i];
    if (point === null || typeof point !== "object") {
      throw new FlagpostError("invalid_argument", `points[${i}]: ${describeValue(point)} must be { attributes, count }`, {
        field: `points[${i}]`,
      });
    }
    const count = point.count;
    checkCount(i, count);
    const attributes = point.attributes;
    if (!Array.isArray(attributes)) throw badAttribute(i, 0, attributes);
    buf = ensureRoom(buf, pos, pos + 1 + POINT_LENGTH_RESERVED + POINT_FIXED_BYTES);
    const lengthAt = pos + 1;
    buf[pos] = TAG_SUM_DATA_POINTS;
    pos = lengthAt + POINT_LENGTH_RESERVED;
    const bodyStart = pos;
    buf[pos] = TAG_POINT_START;
    buf[pos + 1] = startLo & 0xff;
    buf[pos + 2] = (startLo >>> 8) & 0xff;
    buf[pos + 3] = (startLo >>> 16) & 0xff;
    buf[pos + 4] = startLo >>> 24;
    buf[pos + 5] = startHi & 0xff;
    buf[pos + 6] = (startHi >>> 8) & 0xff;
    buf[pos + 7] = (startHi >>> 16) & 0xff;
    buf[pos + 8] = startHi >>> 24;
    buf[pos + 9] = TAG_POINT_TIME;
    buf[pos + 10] = endLo & 0xff;
    buf[pos + 11] = (endLo >>> 8) & 0xff;
    buf[pos + 12] = (endLo >>> 16) & 0xff;
    buf[pos + 13] = endLo >>> 24;
    buf[pos + 14] = endHi & 0xff;
    buf[pos + 15] = (endHi >>> 8) & 0xff;
    buf[pos + 16] = (endHi >>> 16) & 0xff;
    buf[pos + 17] = endHi >>> 24;
    buf[pos + 18] = TAG_POINT_AS_INT;
    pos = typeof count === "number" ? writeFixed64Number(buf, pos + 19, count) : writeFixed64BigInt(buf, pos + 19, count);
    for (let a = 0; a < attributes.length; a++) {
      const kv = attributes[a];
      if (!Array.isArray(kv)) throw badAttribute(i, a, kv);
      const key = kv[0];
      const value = kv[1];
      if (typeof key !== "string" || typeof value !== "string") throw badAttribute(i, a, kv);
      let keyField: Uint8Array | undefined;
      for (let k = 0; k < keys.length; k++) {
        if (keys[k] === key) {
          keyField = keyFields[k];
          break;
        }
      }
      if (keyField === undefined) {
        const keyLength = utf8ByteLength(key);
        keyField = new Uint8Array(fieldSize(keyLength));
        writeString(keyField, 0, TAG_KV_KEY, key, keyLength);
        if (keys.length < KEY_FIELDS_KEPT) {
          keys.push(key);
          keyFields.push(keyField);
        }
      }
      const keyFieldLength = keyField.length;
      const valueUnits = value.length;
      // At most 3 UTF-8 bytes per UTF-16 unit; 3 tags and 3 lengths of at most 5 bytes.
      buf = ensureRoom(buf, pos, pos + 18 + keyFieldLength + 3 * valueUnits);
      const fieldStart = pos;
      buf[pos] = TAG_POINT_ATTRIBUTES;
      pos += 2;
      buf.set(keyField, pos); // native copy: a byte loop costs V8 a quarter of the encode, JavaScriptCore about the same
      pos += keyFieldLength;
      buf[pos] = TAG_KV_VALUE;
      buf[pos + 2] = TAG_ANY_STRING;
      pos += 4;
      // The common case: an ASCII value in a KeyValue under 128 bytes, so each of the three lengths is one byte.
      let short = keyFieldLength + 4 + valueUnits < 0x80;
      if (short) {
        for (let c = 0; c < valueUnits; c++) {
          const code = value.charCodeAt(c);
          if (code >= 0x80) {
            short = false;
            break;
          }
          buf[pos + c] = code;
        }
      }
      if (short) {
        buf[pos - 1] = valueUnits;
        buf[pos - 3] = valueUnits + 2;
        buf[fieldStart + 1] = keyFieldLength + 4 + valueUnits;
        pos += valueUnits;
      } else {
        const valueLength = utf8ByteLength(value);
        const anySize = fieldSize(valueLength);
        pos = writeHeader(buf, fieldStart, TAG_POINT_ATTRIBUTES, keyFieldLength + fieldSize(anySize));
        buf.set(keyField, pos);
        pos = writeHeader(buf, pos + keyFieldLength, TAG_KV_VALUE, anySize);
        pos = writeString(buf, pos, TAG_ANY_STRING, value, valueLength);
      }
    }
    const size = pos - bodyStart;
    const lengthSize = varintSize(size);
    if (lengthSize !== POINT_LENGTH_RESERVED) { // under 128 bytes (few attributes) or 16 KiB and more (long values)
      buf.copyWithin(lengthAt + lengthSize, bodyStart, pos);
      pos += lengthSize - POINT_LENGTH_RESERVED;
    }
    writeVarint(buf, lengthAt, size);
  }
  buf[pos++] = TAG_SUM_TEMPORALITY; // SLACK keeps room for these four
  buf[pos++] = AGGREGATION_TEMPORALITY_DELTA;
  buf[pos++] = TAG_SUM_MONOTONIC;
  buf[pos++] = 1;

  const sumSize = pos - headRoom;
  const metricSize = metricFixedSize + fieldSize(sumSize);
  const scopeMetricsSize = fieldSize(scopeSize) + fieldSize(metricSize);
  const resourceMetricsSize = resourceFieldSize + fieldSize(scopeMetricsSize);
  const total = fieldSize(resourceMetricsSize);
  const headStart = headRoom - (total - sumSize);

  let at = writeHeader(buf, headStart, TAG_REQUEST_RESOURCE_METRICS, resourceMetricsSize);
  if (resAttrs.length > 0) {
    at = writeHeader(buf, at, TAG_RM_RESOURCE, resourceSize);
    for (const [key, value] of resAttrs) {
      at = writeKeyValue(buf, at, TAG_RESOURCE_ATTRIBUTES, key, value, utf8ByteLength(key), utf8ByteLength(value));
    }
  }
  at = writeHeader(buf, at, TAG_RM_SCOPE_METRICS, scopeMetricsSize);
  at = writeHeader(buf, at, TAG_SM_SCOPE, scopeSize);
  at = writeString(buf, at, TAG_SCOPE_NAME, EVALUATION_METRIC_SCOPE, scopeNameLength);
  at = writeHeader(buf, at, TAG_SM_METRICS, metricSize);
  at = writeString(buf, at, TAG_METRIC_NAME, EVALUATION_METRIC_NAME, nameLength);
  at = writeString(buf, at, TAG_METRIC_DESCRIPTION, EVALUATION_METRIC_DESCRIPTION, descriptionLength);
  at = writeString(buf, at, TAG_METRIC_UNIT, EVALUATION_METRIC_UNIT, unitLength);
  at = writeHeader(buf, at, TAG_METRIC_SUM, sumSize);
  if (at !== headRoom) throw new Error(`encodeOtlpMetrics: head ends at ${at}, points start at ${headRoom}`); // by construction
  const out = buf.slice(headStart, pos);
  if (buf.length <= SCRATCH_KEEP_BYTES) spareScratch = buf;
  return out;
}
