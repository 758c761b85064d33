/**
 * Decoding of the agent's trace intake payloads (`/v0.4/traces`,
 * `/v0.5/traces`) with `@msgpack/msgpack`, keeping 64-bit integers exact,
 * and checking every span field's type the way the trace-agent's decoder
 * does (unknown keys ignored, `nil` read as the zero value).
 *
 * @module
 */
import { decode } from "@msgpack/msgpack";

/**
 * A decoded span. 64-bit integer fields are `bigint`, exact.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const span: DecodedSpan = decodeTracesV04(bytes)[0]![0]!; span.start; // 1700000000000000000n
 * ```
 */
export interface DecodedSpan {
  service: string;
  name: string;
  resource: string;
  trace_id: bigint;
  span_id: bigint;
  parent_id: bigint;
  start: bigint;
  duration: bigint;
  error: number;
  meta: Record<string, string>;
  metrics: Record<string, number>;
  type: string;
  /** `meta_struct` values as raw bytes (v0.4 only). */
  meta_struct?: Record<string, Uint8Array>;
  /** `span_links` / `span_events` as decoded (v0.4 only), not validated further. */
  span_links?: unknown;
  span_events?: unknown;
}

/**
 * A decoded trace payload: traces (chunks), each an array of spans.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const traces: DecodedTraces = decodeTracesV05(bytes); traces.length; // chunks
 * ```
 */
export type DecodedTraces = DecodedSpan[][];

/**
 * Thrown on a payload the agent would reject; `message` is one line naming the path and the rule.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * try { decodeTracesV04(bytes); } catch (e) { if (e instanceof TraceDecodeError) e.message; // "traces[0][0].span_id: expected uint64, got str"
 * }
 * ```
 */
export class TraceDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TraceDecodeError";
  }
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function typeName(v: unknown): string {
  if (v === null) return "nil";
  if (v instanceof Uint8Array) return "bin";
  if (Array.isArray(v)) return "array";
  if (v instanceof Map) return "map";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "object") return "map";
  return typeof v === "bigint" ? "int" : typeof v === "string" ? "str" : typeof v;
}

function fail(path: string, rule: string, value: unknown): never {
  throw new TraceDecodeError(`${path}: ${rule}, got ${typeName(value)}`);
}

function str(v: unknown, path: string): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return new TextDecoder("utf-8", { fatal: false }).decode(v);
  return fail(path, "expected str", v);
}

function int(v: unknown, path: string, min: bigint, max: bigint, what: string): bigint {
  if (v === null || v === undefined) return 0n;
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else if (typeof v === "number" && Number.isInteger(v)) b = BigInt(v);
  else return fail(path, `expected ${what}`, v);
  if (b < min || b > max) throw new TraceDecodeError(`${path}: ${b} out of ${what} range`);
  return b;
}

function float(v: unknown, path: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return fail(path, "expected float64", v);
}

/** Entries of a msgpack map (decoded as a plain object), or `[]` for nil. */
function mapEntries(v: unknown, path: string): Array<[string, unknown]> {
  if (v === null || v === undefined) return [];
  if (typeof v !== "object" || Array.isArray(v) || v instanceof Uint8Array) return fail(path, "expected map", v);
  return Object.entries(v as Record<string, unknown>);
}

function decodeMsgpack(bytes: Uint8Array): unknown {
  try {
    return decode(bytes, {
      useBigInt64: true,
      mapKeyConverter: (key) => (typeof key === "string" || typeof key === "number" ? key : String(key)),
    });
  } catch (e) {
    throw new TraceDecodeError(`invalid msgpack: ${(e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").slice(0, 200)}`);
  }
}

function spanV04(raw: unknown, path: string): DecodedSpan {
  const span: DecodedSpan = {
    service: "",
    name: "",
    resource: "",
    trace_id: 0n,
    span_id: 0n,
    parent_id: 0n,
    start: 0n,
    duration: 0n,
    error: 0,
    meta: {},
    metrics: {},
    type: "",
  };
  for (const [key, value] of mapEntries(raw, path)) {
    const p = `${path}.${key}`;
    switch (key) {
      case "service":
      case "name":
      case "resource":
      case "type":
        span[key] = str(value, p);
        break;
      case "trace_id":
      case "span_id":
      case "parent_id":
        span[key] = int(value, p, 0n, U64_MAX, "uint64");
        break;
      case "start":
      case "duration":
        span[key] = int(value, p, I64_MIN, I64_MAX, "int64");
        break;
      case "error":
        span.error = Number(int(value, p, -(1n << 31n), (1n << 31n) - 1n, "int32"));
        break;
      case "meta":
        for (const [k, v] of mapEntries(value, p)) span.meta[k] = str(v, `${p}.${k}`);
        break;
      case "metrics":
        for (const [k, v] of mapEntries(value, p)) span.metrics[k] = float(v, `${p}.${k}`);
        break;
      case "meta_struct": {
        const ms: Record<string, Uint8Array> = {};
        for (const [k, v] of mapEntries(value, p)) {
          if (!(v instanceof Uint8Array)) fail(`${p}.${k}`, "expected bin", v);
          ms[k] = v as Uint8Array;
        }
        span.meta_struct = ms;
        break;
      }
      case "span_links":
      case "span_events":
        if (value !== null && !Array.isArray(value)) fail(p, "expected array", value);
        span[key] = value;
        break;
      default:
        break; // the agent skips unknown keys
    }
  }
  return span;
}

function arrayOf(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) return fail(path, "expected array", v);
  return v;
}

/**
 * Decodes a `/v0.4/traces` msgpack body: an array of traces, each an array
 * of span maps. Throws `TraceDecodeError` with a one-line reason.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * import { encode } from "@msgpack/msgpack";
 * const traces = decodeTracesV04(encode([[{ service: "svc", name: "op", trace_id: 1, span_id: 2 }]]));
 * traces[0]![0]!.span_id; // 2n
 * ```
 */
export function decodeTracesV04(bytes: Uint8Array): DecodedTraces {
  return tracesV04(decodeMsgpack(bytes));
}

/** Validates an already-parsed v0.4 payload (msgpack or JSON). */
export function tracesV04(payload: unknown): DecodedTraces {
  return arrayOf(payload, "payload").map((trace, i) =>
    arrayOf(trace, `traces[${i}]`).map((span, j) => spanV04(span, `traces[${i}][${j}]`))
  );
}

/**
 * Decodes a `/v0.5/traces` msgpack body: `[stringTable, traces]`, each span
 * a 12-element array whose strings are indices into the table (which must
 * start with `""`).
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * import { encode } from "@msgpack/msgpack";
 * const table = ["", "svc", "op"];
 * const span = [1, 2, 2, 1, 2, 0, 10, 5, 0, {}, {}, 0];
 * decodeTracesV05(encode([table, [[span]]]))[0]![0]!.service; // "svc"
 * ```
 */
export function decodeTracesV05(bytes: Uint8Array): DecodedTraces {
  const payload = decodeMsgpack(bytes);
  const outer = arrayOf(payload, "payload");
  if (outer.length !== 2) throw new TraceDecodeError(`payload: expected [stringTable, traces] (2 elements), got ${outer.length}`);
  const table = arrayOf(outer[0], "stringTable").map((s, i) => {
    if (typeof s !== "string") fail(`stringTable[${i}]`, "expected str", s);
    return s as string;
  });
  if (table.length > 0 && table[0] !== "") throw new TraceDecodeError('stringTable[0]: must be ""');
  const ref = (v: unknown, path: string): string => {
    const idx = int(v, path, 0n, U64_MAX, "uint32 string index");
    if (idx >= BigInt(table.length)) throw new TraceDecodeError(`${path}: string index ${idx} out of range (table has ${table.length})`);
    return table[Number(idx)]!;
  };
  return arrayOf(outer[1], "traces").map((trace, i) =>
    arrayOf(trace, `traces[${i}]`).map((raw, j) => {
      const path = `traces[${i}][${j}]`;
      const a = arrayOf(raw, path);
      if (a.length !== 12) throw new TraceDecodeError(`${path}: expected a 12-element span array, got ${a.length}`);
      const meta: Record<string, string> = {};
      for (const [k, v] of indexMapEntries(a[9], `${path}.meta`)) setOwn(meta, ref(k, `${path}.meta key`), ref(v, `${path}.meta[${k}]`));
      const metrics: Record<string, number> = {};
      for (const [k, v] of indexMapEntries(a[10], `${path}.metrics`)) {
        setOwn(metrics, ref(k, `${path}.metrics key`), float(v, `${path}.metrics[${k}]`));
      }
      return {
        service: ref(a[0], `${path}.service`),
        name: ref(a[1], `${path}.name`),
        resource: ref(a[2], `${path}.resource`),
        trace_id: int(a[3], `${path}.trace_id`, 0n, U64_MAX, "uint64"),
        span_id: int(a[4], `${path}.span_id`, 0n, U64_MAX, "uint64"),
        parent_id: int(a[5], `${path}.parent_id`, 0n, U64_MAX, "uint64"),
        start: int(a[6], `${path}.start`, I64_MIN, I64_MAX, "int64"),
        duration: int(a[7], `${path}.duration`, I64_MIN, I64_MAX, "int64"),
        error: Number(int(a[8], `${path}.error`, -(1n << 31n), (1n << 31n) - 1n, "int32")),
        meta,
        metrics,
        type: ref(a[11], `${path}.type`),
      };
    })
  );
}

/** v0.5 maps are keyed by integers; the decoder hands them back as object keys (strings). */
function indexMapEntries(v: unknown, path: string): Array<[number, unknown]> {
  return mapEntries(v, path).map(([k, val]) => {
    const n = Number(k);
    if (!/^\d+$/.test(k) || !Number.isSafeInteger(n)) {
      throw new TraceDecodeError(`${path}: expected uint32 string-index keys, got ${JSON.stringify(k)}`);
    }
    return [n, val];
  });
}

/** Sets an own property even for a key like `__proto__` (string-table keys are arbitrary). */
function setOwn<V>(target: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Counts spans of decoded traces.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * countSpans(decodeTracesV04(bytes)); // 17
 * ```
 */
export function countSpans(traces: DecodedTraces): number {
  let n = 0;
  for (const t of traces) n += t.length;
  return n;
}

/**
 * A JSON-safe rendering of decoded spans: 64-bit integers as decimal
 * strings, `meta_struct` bytes as base64 is left to the caller (omitted here
 * as byte lengths).
 */
export function spanToJson(span: DecodedSpan): Record<string, unknown> {
  const out: Record<string, unknown> = {
    service: span.service,
    name: span.name,
    resource: span.resource,
    trace_id: span.trace_id.toString(),
    span_id: span.span_id.toString(),
    parent_id: span.parent_id.toString(),
    start: span.start.toString(),
    duration: span.duration.toString(),
    error: span.error,
    meta: span.meta,
    metrics: span.metrics,
    type: span.type,
  };
  if (span.meta_struct !== undefined) {
    out["meta_struct"] = Object.fromEntries(Object.entries(span.meta_struct).map(([k, v]) => [k, `<${v.length} bytes>`]));
  }
  if (span.span_links !== undefined) out["span_links"] = jsonSafe(span.span_links);
  if (span.span_events !== undefined) out["span_events"] = jsonSafe(span.span_events);
  return out;
}

function jsonSafe(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  return v;
}
