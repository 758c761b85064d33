/**
 * Reading an OTLP `ExportMetricsServiceResponse`: a 200 may still say that
 * the collector rejected some data points (`partial_success`). Those must
 * be counted as rejected, not as delivered, and not retried (the OTLP spec:
 * the client must not retry a partial success).
 *
 * The exporter asks the shared sender for the success body as bytes
 * (`readResponse: "bytes"`, at most {@link RESPONSE_LIMIT}), so a body cut
 * off before its end fails the attempt as for every other signal; this file
 * only parses what arrived. Private to `src/metrics/`.
 *
 * @module
 */
import { decodeUleb128 } from "../core/varint.ts";

/** What a partial success said. */
export interface PartialSuccess {
  readonly rejected: number;
  readonly message: string;
}

/** Largest success body read, in bytes (a real answer is a few dozen bytes). */
export const RESPONSE_LIMIT = 16_384;

/** Skips one field of wire type `wire` at `pos`; returns the next offset or -1 when malformed. */
function skipField(bytes: Uint8Array, pos: number, wire: number): number {
  switch (wire) {
    case 0:
      while (pos < bytes.length && bytes[pos]! >= 0x80) pos++;
      return pos < bytes.length ? pos + 1 : -1;
    case 1:
      return pos + 8 <= bytes.length ? pos + 8 : -1;
    case 2: {
      const { value, next } = decodeUleb128(bytes, pos);
      return next + value <= bytes.length ? next + value : -1;
    }
    case 5:
      return pos + 4 <= bytes.length ? pos + 4 : -1;
    default:
      return -1;
  }
}

function parseProtobuf(bytes: Uint8Array): PartialSuccess | undefined {
  let pos = 0;
  let found: PartialSuccess | undefined;
  while (pos < bytes.length) {
    const tag = decodeUleb128(bytes, pos);
    pos = tag.next;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (field === 1 && wire === 2) {
      const len = decodeUleb128(bytes, pos);
      const end = len.next + len.value;
      if (end > bytes.length) return found;
      let rejected = 0;
      let message = "";
      let p = len.next;
      while (p < end) {
        const t = decodeUleb128(bytes, p);
        p = t.next;
        const f = Math.floor(t.value / 8);
        const w = t.value % 8;
        if (f === 1 && w === 0) {
          // int64 varint; a negative value (10 bytes) is nonsense here and reads as huge: clamp below.
          let value = 0;
          let scale = 1;
          while (p < end) {
            const b = bytes[p++]!;
            value += (b % 128) * scale;
            scale *= 128;
            if (b < 128) break;
          }
          rejected = value;
        } else if (f === 2 && w === 2) {
          const m = decodeUleb128(bytes, p);
          message = new TextDecoder().decode(bytes.subarray(m.next, Math.min(end, m.next + m.value)));
          p = m.next + m.value;
        } else {
          p = skipField(bytes, p, w);
          if (p < 0) break;
        }
      }
      found = { rejected, message };
      pos = end;
    } else {
      pos = skipField(bytes, pos, wire);
      if (pos < 0) return found;
    }
  }
  return found;
}

function parseJson(bytes: Uint8Array): PartialSuccess | undefined {
  const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (parsed === null || typeof parsed !== "object") return undefined;
  const ps = (parsed as Record<string, unknown>)["partialSuccess"] ?? (parsed as Record<string, unknown>)["partial_success"];
  if (ps === null || typeof ps !== "object") return undefined;
  const p = ps as Record<string, unknown>;
  const raw = p["rejectedDataPoints"] ?? p["rejected_data_points"];
  const rejected = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : typeof raw === "number" && raw >= 0 ? raw : 0;
  const msg = p["errorMessage"] ?? p["error_message"];
  return { rejected, message: typeof msg === "string" ? msg : "" };
}

/**
 * The partial success of a response body, or `undefined` when the body is
 * empty, says nothing, or does not parse (a success is a success).
 */
export function readPartialSuccess(bytes: Uint8Array, json: boolean): PartialSuccess | undefined {
  if (bytes.length === 0) return undefined;
  try {
    return json ? parseJson(bytes) : parseProtobuf(bytes);
  } catch {
    return undefined;
  }
}
