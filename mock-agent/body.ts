/**
 * Bounded request-body reading. The limit is counted on the bytes actually
 * read from the stream (a chunked body or a lying `Content-Length` cannot
 * slip past), and `Content-Encoding: gzip` is inflated with
 * `DecompressionStream` under the same limit, fed in small slices so a gzip
 * bomb is stopped after at most a slice's worth of output past the limit.
 *
 * @module
 */

/**
 * Default body limit: 10 MiB, the agent's EVP proxy limit.
 *
 * @example
 * ```ts
 * createMockAgent({ maxBodyBytes: DEFAULT_MAX_BODY_BYTES / 2 });
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Outcome of reading a body. `raw` is what came over the wire; `bytes` is after inflating.
 *
 * @example
 * ```ts
 * const body: BodyResult = await readBody(request, 1024);
 * if (body.ok) body.bytes; else body.reason; // "too_large" | "bad_encoding" | "unsupported_encoding"
 * ```
 */
export type BodyResult =
  | { ok: true; raw: Uint8Array; bytes: Uint8Array }
  | { ok: false; reason: "too_large"; message: string; raw: Uint8Array }
  | { ok: false; reason: "bad_encoding" | "unsupported_encoding"; message: string; raw: Uint8Array };

const EMPTY = new Uint8Array(0);
const INFLATE_SLICE = 4096;

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** Reads a stream to its end or until more than `limit` bytes arrived (then cancels it). */
async function readLimited(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<{ bytes: Uint8Array; over: boolean; error?: unknown }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        return { bytes: concat(chunks, total - value.length), over: true };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { bytes: concat(chunks, total), over: false, error };
  } finally {
    reader.releaseLock();
  }
  return { bytes: concat(chunks, total), over: false };
}

async function inflate(
  raw: Uint8Array,
  format: "gzip" | "deflate",
  limit: number,
): Promise<{ bytes: Uint8Array; over: boolean; error?: unknown }> {
  const ds = new DecompressionStream(format);
  const writer = ds.writable.getWriter();
  const feeding = (async () => {
    for (let i = 0; i < raw.length; i += INFLATE_SLICE) {
      await writer.ready;
      await writer.write(raw.subarray(i, i + INFLATE_SLICE) as Uint8Array<ArrayBuffer>);
    }
    await writer.close();
  })();
  feeding.catch(() => {}); // failures surface on the readable side
  const result = await readLimited(ds.readable, limit);
  if (result.over || result.error !== undefined) await writer.abort().catch(() => {});
  return result;
}

/**
 * Reads `request`'s body, at most `limit` bytes on the wire and after
 * inflating. Never throws.
 *
 * @example
 * ```ts
 * const body = await readBody(request, DEFAULT_MAX_BODY_BYTES);
 * if (!body.ok) return new Response(body.message, { status: body.reason === "too_large" ? 413 : 400 });
 * ```
 */
export async function readBody(request: Request, limit: number): Promise<BodyResult> {
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (!["identity", "", "gzip", "x-gzip", "deflate"].includes(encoding)) {
    if (request.body !== null) await request.body.cancel().catch(() => {});
    return {
      ok: false,
      reason: "unsupported_encoding",
      message: `Content-Encoding ${JSON.stringify(encoding)} is not supported (identity, gzip, deflate)`,
      raw: EMPTY,
    };
  }
  if (request.body === null) return { ok: true, raw: EMPTY, bytes: EMPTY };
  const wire = await readLimited(request.body, limit);
  if (wire.over) return { ok: false, reason: "too_large", message: `body exceeds ${limit} bytes`, raw: wire.bytes };
  if (wire.error !== undefined) return { ok: false, reason: "bad_encoding", message: "body stream failed before its end", raw: wire.bytes };
  if (encoding === "identity" || encoding === "") return { ok: true, raw: wire.bytes, bytes: wire.bytes };
  const inflated = await inflate(wire.bytes, encoding === "deflate" ? "deflate" : "gzip", limit);
  if (inflated.over) return { ok: false, reason: "too_large", message: `inflated body exceeds ${limit} bytes`, raw: wire.bytes };
  if (inflated.error !== undefined) {
    return {
      ok: false,
      reason: "bad_encoding",
      message: `body is not valid ${encoding === "deflate" ? "deflate" : "gzip"} data`,
      raw: wire.bytes,
    };
  }
  return { ok: true, raw: wire.bytes, bytes: inflated.bytes };
}
