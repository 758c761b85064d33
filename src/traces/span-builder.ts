/**
 * `SpanBuilder`: one span, built field by field and validated as it is
 * built, the way Datadog's native library lets a tracer assemble spans
 * without host-language serialization. Every bad field is a
 * `FlagpostError` naming it, at the call that supplied it, so an encoder
 * never has to guess and the agent never sees a corrupt span. A span is
 * consumed when pushed into `TraceChunks`; using it afterwards is an error.
 *
 * @module
 */
import { describeValue, FlagpostError } from "../core/errors.ts";
import { isWellFormedText } from "../core/text.ts";
import { registerSpanData, setEntry, type SpanData } from "./_span-data.ts";
import { parseId, parseNanoseconds } from "./ids.ts";

/**
 * An unsigned 64-bit id: a `bigint`, a safe integer, or 16 hex digits (a trace id may also be 128-bit: 32 hex digits).
 *
 * @example
 * ```ts
 * import type { SpanId } from "flagpost";
 * const ids: SpanId[] = [18446744073709551615n, 42, "00000000000000ff"];
 * console.log(ids.length);
 * ```
 */
export type SpanId = bigint | number | string;

/**
 * The fields of a span.
 *
 * @example
 * ```ts
 * import type { SpanFields } from "flagpost";
 * const fields: SpanFields = { service: "shop", name: "http.request", resource: "GET /", traceId: 1n, spanId: 1n, start: 0, duration: 10 };
 * console.log(fields.name);
 * ```
 */
export interface SpanFields {
  /** Non-empty. */
  readonly service: string;
  /** Operation name; non-empty. */
  readonly name: string;
  readonly resource: string;
  /** Span type (`web`, `http`, …); default `""` (omitted on the wire). */
  readonly type?: string;
  /** Non-zero; up to 128 bits (`bigint`, or 16 or 32 hex digits). The upper 64 bits travel as meta `_dd.p.tid`. */
  readonly traceId: SpanId;
  /** Non-zero 64-bit id. */
  readonly spanId: SpanId;
  /** The parent span's id; 0 or absent for a root span. */
  readonly parentId?: SpanId;
  /** Start in nanoseconds since the epoch (`bigint` or safe integer), ≥ 0. */
  readonly start: bigint | number;
  /** Duration in nanoseconds (`bigint` or safe integer), ≥ 0. */
  readonly duration: bigint | number;
  /** `true`/`1` when the span is an error; an int32. Default 0. */
  readonly error?: boolean | number;
}

/**
 * The meta key that carries the upper 64 bits of a 128-bit trace id.
 *
 * @example
 * ```ts
 * import { TRACE_ID_HIGH_META } from "flagpost";
 * console.log(TRACE_ID_HIGH_META); // "_dd.p.tid"
 * ```
 */
export const TRACE_ID_HIGH_META = "_dd.p.tid";

function invalid(field: string, value: unknown, rule: string): FlagpostError {
  return new FlagpostError("invalid_argument", `${field}=${describeValue(value)}: ${rule}`, { field });
}

function text(field: string, value: unknown, nonEmpty: boolean): string {
  if (typeof value !== "string") throw invalid(field, value, "must be a string");
  if (nonEmpty && value === "") throw invalid(field, value, "must not be empty");
  if (!isWellFormedText(value)) throw invalid(field, value, "must not contain a lone surrogate (it cannot be encoded as UTF-8)");
  return value;
}

/**
 * One span, validated as it is built. Push it into a `TraceChunks` (which
 * consumes it) to send it.
 *
 * @example
 * ```ts
 * import { generateId, SpanBuilder, TraceChunks } from "flagpost";
 * const span = new SpanBuilder({
 *   service: "shop",
 *   name: "http.request",
 *   resource: "GET /cart",
 *   type: "web",
 *   traceId: generateId(),
 *   spanId: generateId(),
 *   start: BigInt(Date.now()) * 1_000_000n,
 *   duration: 1_500_000,
 * });
 * span.setMeta("ffe_flags_enc", "ZAgUAg==").setMetric("_sampling_priority_v1", 1);
 * const chunks = new TraceChunks();
 * chunks.beginChunk(1);
 * chunks.pushSpan(span); // span is consumed
 * console.log(chunks.spanCount); // 1
 * ```
 */
export class SpanBuilder {
  readonly #data: SpanData;
  readonly #wideTraceId: boolean;

  constructor(fields: SpanFields) {
    if (fields === null || typeof fields !== "object") throw invalid("fields", fields, "must be an object");
    const trace = parseId("traceId", fields.traceId, 128, false);
    const span = parseId("spanId", fields.spanId, 64, false);
    const parent = fields.parentId === undefined ? { hi: 0, lo: 0 } : parseId("parentId", fields.parentId, 64, true);
    const start = parseNanoseconds("start", fields.start);
    const duration = parseNanoseconds("duration", fields.duration);
    let error = 0;
    if (fields.error === true) error = 1;
    else if (fields.error !== undefined && fields.error !== false) {
      const e = fields.error;
      if (typeof e !== "number" || !Number.isInteger(e) || e < -(2 ** 31) || e >= 2 ** 31) {
        throw invalid("error", e, "must be a boolean or an int32");
      }
      error = e;
    }
    const data: SpanData = {
      service: text("service", fields.service, true),
      name: text("name", fields.name, true),
      resource: text("resource", fields.resource, false),
      type: fields.type === undefined ? "" : text("type", fields.type, false),
      traceHi: trace.hi,
      traceLo: trace.lo,
      spanHi: span.hi,
      spanLo: span.lo,
      parentHi: parent.hi,
      parentLo: parent.lo,
      startHi: start.hi,
      startLo: start.lo,
      durationHi: duration.hi,
      durationLo: duration.lo,
      error,
      metaKeys: [],
      metaValues: [],
      metaIndex: undefined,
      metricKeys: [],
      metricValues: [],
      metricIndex: undefined,
      consumed: false,
    };
    this.#wideTraceId = trace.upperHex !== "";
    if (this.#wideTraceId) {
      data.metaKeys.push(TRACE_ID_HIGH_META);
      data.metaValues.push(trace.upperHex);
    }
    this.#data = data;
    registerSpanData(this, data);
  }

  #live(): SpanData {
    if (this.#data.consumed) {
      throw new FlagpostError("consumed", "this span was already pushed into a trace chunk; build a new SpanBuilder");
    }
    return this.#data;
  }

  /**
   * Sets (inserts or overwrites) a string tag. Throws `FlagpostError`
   * (`invalid_argument`) on a non-string key or value or a lone surrogate,
   * and (`consumed`) after the span was pushed.
   *
   * @example
   * ```ts
   * import { SpanBuilder } from "flagpost";
   * const span = new SpanBuilder({ service: "s", name: "n", resource: "r", traceId: 1n, spanId: 2n, start: 0, duration: 1 });
   * span.setMeta("http.method", "GET").setMeta("http.method", "POST"); // overwritten
   * ```
   */
  setMeta(key: string, value: string): this {
    const data = this.#live();
    text("meta key", key, false);
    text(`meta.${typeof key === "string" ? key : ""}`, value, false);
    if (key === TRACE_ID_HIGH_META && this.#wideTraceId) {
      throw invalid(`meta.${key}`, value, "is derived from the 128-bit traceId and cannot be set");
    }
    data.metaIndex = setEntry(data.metaKeys, data.metaValues, data.metaIndex, key, value);
    return this;
  }

  /**
   * Sets (inserts or overwrites) a numeric tag. Throws `FlagpostError`
   * (`invalid_argument`) on a non-string key or a non-finite number, and
   * (`consumed`) after the span was pushed.
   *
   * @example
   * ```ts
   * import { SpanBuilder } from "flagpost";
   * const span = new SpanBuilder({ service: "s", name: "n", resource: "r", traceId: 1n, spanId: 2n, start: 0, duration: 1 });
   * span.setMetric("_sampling_priority_v1", 1).setMetric("_dd.measured", 1);
   * ```
   */
  setMetric(key: string, value: number): this {
    const data = this.#live();
    text("metric key", key, false);
    if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(`metrics.${key}`, value, "must be a finite number");
    data.metricIndex = setEntry(data.metricKeys, data.metricValues, data.metricIndex, key, value);
    return this;
  }

  /** True once the span was pushed into a chunk. */
  get consumed(): boolean {
    return this.#data.consumed;
  }
}
