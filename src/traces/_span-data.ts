/**
 * The validated content of one span, as the encoders read it. A
 * `SpanBuilder` fills it; `TraceChunks.pushSpan` takes it over (the builder
 * is then consumed), so an encoder never meets a half-built or shared span.
 * Ids and times are kept as unsigned 32-bit halves: exact, and written to
 * msgpack without bigint arithmetic.
 *
 * @module
 */

/** One span's fields, validated. */
export interface SpanData {
  service: string;
  name: string;
  resource: string;
  type: string;
  /** Low 64 bits of the trace id. */
  traceHi: number;
  traceLo: number;
  spanHi: number;
  spanLo: number;
  parentHi: number;
  parentLo: number;
  startHi: number;
  startLo: number;
  durationHi: number;
  durationLo: number;
  /** int32. */
  error: number;
  /** Meta keys and values, in insertion order (parallel arrays: the encoders' fastest walk). Includes `_dd.p.tid` for a 128-bit trace id. */
  metaKeys: string[];
  metaValues: string[];
  /** key → position, built once there are many keys (small tag sets are searched linearly). */
  metaIndex: Map<string, number> | undefined;
  metricKeys: string[];
  metricValues: number[];
  metricIndex: Map<string, number> | undefined;
  /** Set when pushed into a chunk. */
  consumed: boolean;
}

/** Entries past which a key index (Map) replaces the linear search. */
const INDEX_AT = 16;

/**
 * Inserts or overwrites `key` in parallel arrays; returns the index map to
 * keep (created once the arrays grow past a few entries).
 */
export function setEntry<V>(
  keys: string[],
  values: V[],
  index: Map<string, number> | undefined,
  key: string,
  value: V,
): Map<string, number> | undefined {
  const at = index !== undefined ? index.get(key) ?? -1 : keys.indexOf(key);
  if (at >= 0) {
    values[at] = value;
    return index;
  }
  keys.push(key);
  values.push(value);
  if (index !== undefined) index.set(key, keys.length - 1);
  else if (keys.length > INDEX_AT) {
    index = new Map();
    for (let i = 0; i < keys.length; i++) index.set(keys[i]!, i);
  }
  return index;
}

/** Where a builder's data is found when it is pushed (lazily created: nothing runs at import). */
let registry: WeakMap<object, SpanData> | undefined;

/** Associates a builder with its data. */
export function registerSpanData(builder: object, data: SpanData): void {
  (registry ??= new WeakMap()).set(builder, data);
}

/** The data of a builder, or `undefined` when `builder` is not a `SpanBuilder`. */
export function spanDataOf(builder: object): SpanData | undefined {
  return registry?.get(builder);
}
