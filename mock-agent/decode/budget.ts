/**
 * The decode budget: what one payload may cost the mock agent, measured
 * *before* decoding. A 9.9 MiB msgpack body of 10 million empty arrays, or a
 * 10 MiB protobuf of 5 million empty messages, is small on the wire but grows
 * a decoder by a gigabyte; a payload nested 100,000 levels deep breaks every
 * recursive renderer. So each intake first walks the raw bytes (linear time,
 * no allocation per value, stopping at the first bound crossed) and counts
 * values and nesting depth:
 *
 * - JSON: containers and separators outside strings;
 * - msgpack: every value (headers only, string/binary bodies skipped);
 * - protobuf: every field, descending into the message-typed fields the
 *   schema names.
 *
 * A payload over {@link DecodeLimits.maxValues} or nested deeper than
 * {@link DecodeLimits.maxDepth} is refused undecoded (413 / 400). Within
 * budget, the handlers keep at most `maxSpans` spans, `maxExposures` events
 * and `maxProblems` schema problems per payload; the excess is counted in the
 * summary, not stored.
 *
 * @module
 */
import type { DescMessage } from "@bufbuild/protobuf";

/**
 * Bounds on what one payload may cost to decode and store.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, maxValues: 100_000 };
 * ```
 */
export interface DecodeLimits {
  /** JSON / msgpack values or protobuf fields in one payload (default 1,000,000); beyond, it is refused undecoded. */
  maxValues: number;
  /** Nesting depth of one payload (default 64, protobuf-es's own recursion limit); deeper is refused. */
  maxDepth: number;
  /** Spans kept per trace payload (default 100,000); the rest are counted, not stored. */
  maxSpans: number;
  /** Exposure events kept per payload (default 100,000); the rest are counted, not stored. */
  maxExposures: number;
  /** Schema problems recorded per payload (default 100); the rest are counted. */
  maxProblems: number;
}

/**
 * The default decode budget.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * createMockAgent({ decodeLimits: { ...DEFAULT_DECODE_LIMITS, maxSpans: 1_000 } });
 * ```
 */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxValues: 1_000_000,
  maxDepth: 64,
  maxSpans: 100_000,
  maxExposures: 100_000,
  maxProblems: 100,
});

/**
 * What a scan found: values counted (up to the first bound crossed), the
 * deepest nesting seen, and which bound was crossed, if any.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const scan: PayloadScan = scanJson(new TextEncoder().encode("[[1]]"), DEFAULT_DECODE_LIMITS); // { values: 3, depth: 2 }
 * ```
 */
export interface PayloadScan {
  values: number;
  depth: number;
  over?: "values" | "depth";
}

/**
 * The one-line reason a scan refused a payload, or `undefined` within budget.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * overBudget({ values: 2_000_001, depth: 3, over: "values" }, DEFAULT_DECODE_LIMITS, "msgpack");
 * // "payload has more than 1000000 msgpack values; the mock agent does not decode it"
 * ```
 */
export function overBudget(scan: PayloadScan, limits: DecodeLimits, what: string): string | undefined {
  if (scan.over === "values") return `payload has more than ${limits.maxValues} ${what} values; the mock agent does not decode it`;
  if (scan.over === "depth") return `payload is nested deeper than ${limits.maxDepth} levels; the mock agent does not decode it`;
  return undefined;
}

/**
 * Counts the values of a JSON text (containers plus separators outside
 * strings, plus one) and its nesting depth, stopping at the first bound
 * crossed. Does not validate: the parser reports syntax errors.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * scanJson(new TextEncoder().encode('{"a":[1,2]}'), DEFAULT_DECODE_LIMITS); // { values: 5, depth: 2 }
 * ```
 */
export function scanJson(bytes: Uint8Array, limits: DecodeLimits): PayloadScan {
  let values = 1;
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c) i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
      continue;
    }
    if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) {
      values++;
      if (++depth > deepest) deepest = depth;
      if (depth > limits.maxDepth) return { values, depth: deepest, over: "depth" };
    } else if (b === 0x7d || b === 0x5d) depth--;
    else if (b === 0x2c || b === 0x3a) values++;
    else continue;
    if (values > limits.maxValues) return { values, depth: deepest, over: "values" };
  }
  return { values, depth: deepest };
}

/** Big-endian unsigned integer of `n` bytes at `at` (0 when past the end). */
function uint(bytes: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + (bytes[at + i] ?? 0);
  return v;
}

/**
 * Counts the values of a msgpack document and its nesting depth from the
 * type headers alone (string, binary and extension bodies are skipped),
 * stopping at the first bound crossed or at a malformed byte (the decoder
 * then reports it).
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * import { encode } from "@msgpack/msgpack";
 * scanMsgpack(encode([[], [1, 2]]), DEFAULT_DECODE_LIMITS); // { values: 5, depth: 2 }
 * ```
 */
export function scanMsgpack(bytes: Uint8Array, limits: DecodeLimits): PayloadScan {
  const remaining: number[] = []; // elements still expected by each open container
  let values = 0;
  let deepest = 0;
  let pos = 0;
  while (pos < bytes.length) {
    const b = bytes[pos]!;
    let size = 1; // header + body bytes of a scalar
    let children = 0; // elements of a container
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) size = 1;
    else if (b <= 0x8f) children = (b & 0x0f) * 2;
    else if (b <= 0x9f) children = b & 0x0f;
    else if (b <= 0xbf) size = 1 + (b & 0x1f);
    else if (b === 0xc4 || b === 0xd9) size = 2 + uint(bytes, pos + 1, 1);
    else if (b === 0xc5 || b === 0xda) size = 3 + uint(bytes, pos + 1, 2);
    else if (b === 0xc6 || b === 0xdb) size = 5 + uint(bytes, pos + 1, 4);
    else if (b === 0xc7) size = 3 + uint(bytes, pos + 1, 1);
    else if (b === 0xc8) size = 4 + uint(bytes, pos + 1, 2);
    else if (b === 0xc9) size = 6 + uint(bytes, pos + 1, 4);
    else if (b === 0xca) size = 5;
    else if (b === 0xcb) size = 9;
    else if (b === 0xcc || b === 0xd0) size = 2;
    else if (b === 0xcd || b === 0xd1) size = 3;
    else if (b === 0xce || b === 0xd2) size = 5;
    else if (b === 0xcf || b === 0xd3) size = 9;
    else if (b >= 0xd4 && b <= 0xd8) size = 2 + [1, 2, 4, 8, 16][b - 0xd4]!;
    else if (b === 0xdc) (children = uint(bytes, pos + 1, 2)), (size = 3);
    else if (b === 0xdd) (children = uint(bytes, pos + 1, 4)), (size = 5);
    else if (b === 0xde) (children = uint(bytes, pos + 1, 2) * 2), (size = 3);
    else if (b === 0xdf) (children = uint(bytes, pos + 1, 4) * 2), (size = 5);
    else break; // 0xc1: never used; the decoder reports it
    const container = (b >= 0x80 && b <= 0x9f) || b === 0xdc || b === 0xdd || b === 0xde || b === 0xdf;
    if (++values > limits.maxValues) return { values, depth: deepest, over: "values" };
    if (remaining.length > 0) remaining[remaining.length - 1]!--;
    if (container) {
      if (remaining.length + 1 > deepest) deepest = remaining.length + 1;
      if (deepest > limits.maxDepth) return { values, depth: deepest, over: "depth" };
      if (children > 0) remaining.push(children);
    }
    pos += size;
    while (remaining.length > 0 && remaining[remaining.length - 1] === 0) remaining.pop();
  }
  return { values, depth: deepest };
}

/** Reads a base-128 varint at `pos`; returns [value, next position] or undefined when malformed. */
function varint(bytes: Uint8Array, pos: number): [number, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const b = bytes[pos + i];
    if (b === undefined) return undefined;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return [value, pos + i + 1];
  }
  return undefined;
}

/**
 * Counts the fields of a protobuf message and its nesting depth, descending
 * into the fields `schema` types as messages (everything else is skipped by
 * its wire length). Stops at the first bound crossed or at malformed wire
 * data (the decoder then reports it).
 *
 * @example
 * ```ts
 * // (fragment) the OTLP handler does this before decoding
 * const scan = scanProtobuf(bytes, otlpMessage("ExportMetricsServiceRequest"), DEFAULT_DECODE_LIMITS);
 * ```
 */
export function scanProtobuf(bytes: Uint8Array, schema: DescMessage, limits: DecodeLimits): PayloadScan {
  const frames: Array<{ end: number; desc: DescMessage }> = [{ end: bytes.length, desc: schema }];
  let values = 0;
  let deepest = 1;
  let pos = 0;
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    if (pos >= frame.end) {
      frames.pop();
      continue;
    }
    const tag = varint(bytes, pos);
    if (tag === undefined) break;
    pos = tag[1];
    if (++values > limits.maxValues) return { values, depth: deepest, over: "values" };
    const wire = tag[0] % 8;
    const number = Math.floor(tag[0] / 8);
    if (wire === 0) {
      const v = varint(bytes, pos);
      if (v === undefined) break;
      pos = v[1];
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const len = varint(bytes, pos);
      if (len === undefined || len[1] + len[0] > frame.end) break;
      pos = len[1];
      const field = frame.desc.fields.find((f) => f.number === number);
      const message = field === undefined
        ? undefined
        : field.fieldKind === "message"
        ? field.message
        : field.fieldKind === "list" && field.listKind === "message"
        ? field.message
        : undefined;
      if (message !== undefined) {
        frames.push({ end: pos + len[0], desc: message });
        if (frames.length > deepest) deepest = frames.length;
        if (deepest > limits.maxDepth) return { values, depth: deepest, over: "depth" };
      } else pos += len[0];
    } else break; // groups (3, 4) are not used by OTLP; the decoder reports them
  }
  return { values, depth: deepest };
}
