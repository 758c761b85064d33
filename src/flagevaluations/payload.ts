/**
 * Encoding of one window's rows into EVP `flagevaluation` request bodies:
 * `{"context":{service,env?,version?},"flagEvaluations":[row, …]}`.
 *
 * Pure and synchronous: hashing happens before (the protected targeting
 * keys are passed in), so encoding can be tested and benchmarked alone. A
 * row over the per-event cap (1 MiB − 1024 bytes) loses its subject and
 * context (it becomes degraded); if still too large it is dropped. Rows are
 * packed into bodies of at most the payload cap (5 MiB), so one flush may
 * make several requests — never one over the agent's EVP limit.
 *
 * @module
 */
import { utf8ByteLength } from "../core/text.ts";
import type { FlagEvaluationEntry } from "./aggregator.ts";
import { JsonByteWriter, type RowSubject, subjectText, writeFlagEvaluationRow } from "./_row-bytes.ts";

/** Non-ASCII: the only text whose UTF-8 size differs from its length. */
// deno-lint-ignore no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** UTF-8 bytes of a row: its length when ASCII (a native scan), else counted. */
function rowBytes(text: string): number {
  return NON_ASCII.test(text) ? utf8ByteLength(text) : text.length;
}

/**
 * `JSON.stringify(text)` for a string: quoted as is when nothing needs
 * escaping (the usual key: a short scan is cheaper than the generic
 * serializer), else by `JSON.stringify` itself (quotes, backslashes,
 * controls, surrogates).
 */
function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

/** The batch context every body starts with (`service` is always present, possibly `""`). */
export interface FlagEvaluationContext {
  readonly service: string;
  readonly env?: string;
  readonly version?: string;
}

/** One request body and the rows it carries. */
export interface FlagEvaluationPayload {
  readonly body: Uint8Array;
  readonly entries: readonly FlagEvaluationEntry[];
  /** Evaluations summed over the rows. */
  readonly evaluations: number;
}

/** What encoding produced: bodies, rows dropped for size, and rows degraded for size. */
export interface EncodedFlagEvaluations {
  readonly payloads: FlagEvaluationPayload[];
  /** Rows that fit no body even without subject and context (counted `too_large`). */
  readonly tooLarge: FlagEvaluationEntry[];
  /** Evaluations whose row lost its subject to fit the per-event cap. */
  readonly degradedEvaluations: number;
}

/** Size caps of the EVP intake. */
export interface FlagEvaluationSizeCaps {
  /** Bytes of one row (dd-trace-js: 1 MiB − 1024). */
  readonly maxEventBytes: number;
  /** Bytes of one body (dd-trace-js: 5 MiB). */
  readonly maxPayloadBytes: number;
}

/**
 * The wire row of an entry, as JSON text. `targetingKey` is what the row
 * says about the subject (`sha256_…`, the raw key with consent, `""`), or
 * `undefined` to omit it. Key order follows dd-trace-js, so bodies compare
 * byte for byte. Built as text (no row object, one `JSON.stringify` per
 * string): counts and times are safe integers, which print the same.
 *
 * @example
 * ```ts
 * import { flagEvaluationRowJson } from "./payload.ts";
 * const entry = {
 *   flagKey: "checkout", variant: "on", allocation: undefined, runtimeDefault: false, error: undefined,
 *   targetingKey: "alice", context: undefined, degraded: false, consent: false, count: 3, first: 1, last: 9,
 * };
 * console.log(flagEvaluationRowJson(entry, 10, "sha256_…"));
 * // {"timestamp":10,"flag":{"key":"checkout"},"first_evaluation":1,"last_evaluation":9,"evaluation_count":3,"variant":{"key":"on"},"targeting_key":"sha256_…"}
 * ```
 */
export function flagEvaluationRowJson(entry: FlagEvaluationEntry, timestamp: number, targetingKey: string | undefined): string {
  let row = `{"timestamp":${timestamp},"flag":{"key":${jsonString(entry.flagKey)}},"first_evaluation":${entry.first},` +
    `"last_evaluation":${entry.last},"evaluation_count":${entry.count}`;
  if (entry.runtimeDefault) row += `,"runtime_default_used":true`;
  if (entry.variant !== undefined) row += `,"variant":{"key":${jsonString(entry.variant)}}`;
  if (entry.allocation !== undefined) row += `,"allocation":{"key":${jsonString(entry.allocation)}}`;
  if (entry.error !== undefined) row += `,"error":{"message":${jsonString(entry.error)}}`;
  if (!entry.degraded) {
    if (targetingKey !== undefined) row += `,"targeting_key":${jsonString(targetingKey)}`;
    if (entry.consent && entry.context !== undefined && entry.context.length > 0) {
      // A null-prototype record: a field named `__proto__` is data, kept like any other (as dd-trace-js keeps it).
      const evaluation: Record<string, unknown> = Object.create(null);
      for (const [k, v] of entry.context) evaluation[k] = v;
      row += `,"context":{"evaluation":${JSON.stringify(evaluation)}}`;
    }
  }
  return `${row}}`;
}

/**
 * Encodes rows into bodies within the size caps. `subjectOf(entry)` gives
 * what a (non-degraded) row says about its subject: the targeting key text,
 * or a SHA-256 digest as words (`sha256WordsSync`), written `sha256_<hex>`.
 *
 * @example
 * ```ts
 * import { encodeFlagEvaluationPayloads } from "./payload.ts";
 * const entry = {
 *   flagKey: "checkout", variant: "on", allocation: "beta", runtimeDefault: false, error: undefined,
 *   targetingKey: "alice", context: undefined, degraded: false, consent: false, count: 3, first: 1, last: 9,
 * };
 * const { payloads } = encodeFlagEvaluationPayloads({ service: "shop" }, [entry], 10, () => "sha256_…", {
 *   maxEventBytes: 1024 * 1024 - 1024,
 *   maxPayloadBytes: 5 * 1024 * 1024,
 * });
 * console.log(new TextDecoder().decode(payloads[0]!.body));
 * // {"context":{"service":"shop"},"flagEvaluations":[{"timestamp":10,"flag":{"key":"checkout"},…}]}
 * ```
 */
export function encodeFlagEvaluationPayloads(
  context: FlagEvaluationContext,
  entries: readonly FlagEvaluationEntry[],
  timestamp: number,
  subjectOf: (entry: FlagEvaluationEntry) => RowSubject,
  caps: FlagEvaluationSizeCaps,
): EncodedFlagEvaluations {
  const encoder = new TextEncoder();
  const prefix = `{"context":${JSON.stringify(context)},"flagEvaluations":[`;
  const suffix = "]}";
  const frame = rowBytes(prefix) + suffix.length;
  const payloads: FlagEvaluationPayload[] = [];
  const tooLarge: FlagEvaluationEntry[] = [];
  let degradedEvaluations = 0;

  if (entries.length === 0) return { payloads, tooLarge, degradedEvaluations };

  // Usually the whole window fits one body: when every row is within the per-event cap and the whole
  // body within the payload cap, the packing below would make exactly that one body — so the rows are
  // written straight into its bytes (no row strings to join and encode again).
  const rowLimit = Math.min(caps.maxEventBytes, caps.maxPayloadBytes - frame);
  const out = new JsonByteWriter(frame + entries.length * 320);
  out.text(prefix);
  const head = `{"timestamp":${timestamp},"flag":{"key":`;
  let fits = true, total = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (i > 0) out.ascii(",");
    const start = out.length;
    writeFlagEvaluationRow(out, entry, timestamp, head, entry.degraded ? undefined : subjectOf(entry));
    total += entry.count;
    if (out.length - start > rowLimit || out.length + suffix.length > caps.maxPayloadBytes) {
      fits = false;
      break;
    }
  }
  if (fits) {
    out.ascii(suffix);
    // A view when the buffer is mostly used (copying megabytes costs more than the slack held until sent).
    const body = out.length * 4 >= out.bytes.length * 3 ? out.bytes.subarray(0, out.length) : out.bytes.slice(0, out.length);
    payloads.push({ body, entries: entries.slice(), evaluations: total });
    return { payloads, tooLarge, degradedEvaluations };
  }

  // One string per body, encoded once when the body closes (cheaper than encoding row by row).
  let rows: string[] = [];
  let carried: FlagEvaluationEntry[] = [];
  let evaluations = 0;
  let size = frame;
  const close = () => {
    payloads.push({ body: encoder.encode(`${prefix}${rows.join(",")}${suffix}`), entries: carried, evaluations });
    rows = [];
    carried = [];
    evaluations = 0;
    size = frame;
  };

  for (const entry of entries) {
    let text = flagEvaluationRowJson(entry, timestamp, entry.degraded ? undefined : subjectText(subjectOf(entry)));
    let bytes = rowBytes(text);
    const degradable = !entry.degraded && (entry.targetingKey !== undefined || entry.context !== undefined);
    // A row that cannot fit alone, even in an empty body, loses its subject and context first.
    if (degradable && (bytes > caps.maxEventBytes || frame + bytes > caps.maxPayloadBytes)) {
      text = flagEvaluationRowJson({ ...entry, degraded: true }, timestamp, undefined);
      bytes = rowBytes(text);
      degradedEvaluations += entry.count;
    }
    if (bytes > caps.maxEventBytes || frame + bytes > caps.maxPayloadBytes) {
      tooLarge.push(entry);
      continue;
    }
    if (size + bytes + (rows.length > 0 ? 1 : 0) > caps.maxPayloadBytes) close();
    size += bytes + (rows.length > 0 ? 1 : 0);
    rows.push(text);
    carried.push(entry);
    evaluations += entry.count;
  }
  if (rows.length > 0) close();
  return { payloads, tooLarge, degradedEvaluations };
}
