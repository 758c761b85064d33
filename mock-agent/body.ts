/**
 * Bounded request-body reading. The limit is counted on the bytes actually
 * read from the stream (a chunked body or a lying `Content-Length` cannot
 * slip past), and `Content-Encoding: gzip` is inflated with
 * `DecompressionStream` under the same limit, fed in small slices so a gzip
 * bomb is stopped after at most a slice's worth of output past the limit.
 *
 * A body that is refused (too large, unsupported encoding) is still read to
 * its end and discarded, up to {@link DEFAULT_MAX_DRAIN_BYTES}: answering
 * while the client is still sending makes Node's and Deno's `node:http`
 * server destroy the kept-alive socket, and the client sees `EPIPE` / "other
 * side closed" instead of the 413/502 (Go's server, which the real agent
 * uses, drains too). Past the drain bound the answer says `Connection:
 * close`. A body that does not arrive within the request timeout is cut
 * (`timeout`, answered 408 and closed), so a 1-byte-per-100-ms client cannot
 * hold a connection forever on any listener.
 *
 * @module
 */

/**
 * Default body limit: 10 MiB, the agent's EVP proxy limit.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * createMockAgent({ maxBodyBytes: DEFAULT_MAX_BODY_BYTES / 2 });
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Outcome of reading a body. `raw` is what came over the wire; `bytes` is after inflating.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const body: BodyResult = await readBody(request, 1024);
 * if (body.ok) body.bytes; else body.reason; // "too_large" | "bad_encoding" | "unsupported_encoding"
 * ```
 */
export type BodyResult =
  | { ok: true; raw: Uint8Array; bytes: Uint8Array }
  | { ok: false; reason: "too_large"; message: string; raw: Uint8Array; closeConnection?: boolean }
  | { ok: false; reason: "timeout"; message: string; raw: Uint8Array; closeConnection: true }
  | { ok: false; reason: "bad_encoding" | "unsupported_encoding"; message: string; raw: Uint8Array; closeConnection?: boolean };

/**
 * Bytes of a refused body read and discarded so the client receives the answer on a
 * connection that stays usable (16 MiB); beyond, the answer closes the connection.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * await readBody(request, 1024, { maxDrainBytes: DEFAULT_MAX_DRAIN_BYTES });
 * ```
 */
export const DEFAULT_MAX_DRAIN_BYTES = 16 * 1024 * 1024;

/**
 * Options of {@link readBody}.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const options: ReadBodyOptions = { timeoutMs: 30_000 };
 * ```
 */
export interface ReadBodyOptions {
  /** The whole body must arrive within this time (default: no limit). */
  timeoutMs?: number;
  /** Bytes of a refused body to read and discard (default {@link DEFAULT_MAX_DRAIN_BYTES}). */
  maxDrainBytes?: number;
}

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

interface Limited {
  bytes: Uint8Array;
  over: boolean;
  error?: unknown;
  timedOut?: boolean;
  /** The rest of an over-limit stream could not be drained within the bound (or the time): close the connection. */
  undrained?: boolean;
}

/**
 * Reads a stream to its end or until more than `limit` bytes arrived. An
 * over-limit stream is then drained (read and discarded) up to `drain` more
 * bytes, so the sender finishes sending before it is answered. `deadline`
 * (epoch ms) cuts a slow stream.
 */
async function readLimited(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  drain = 0,
  deadline = Infinity,
  expected?: number,
): Promise<Limited> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  // A declared length within the limit: one buffer of that size, filled in place (no second copy to join chunks).
  let into = expected !== undefined && expected > 0 && expected <= limit ? new Uint8Array(expected) : undefined;
  let timedOut = false;
  const remaining = deadline - Date.now();
  const timer = Number.isFinite(deadline)
    ? setTimeout(() => {
      timedOut = true;
      reader.cancel().catch(() => {});
    }, Math.max(0, Math.min(remaining, 2_147_483_647)))
    : undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (timedOut) {
        return {
          bytes: into !== undefined ? into.subarray(0, total) : concat(chunks, total),
          over: false,
          timedOut: true,
          undrained: true,
        };
      }
      if (done) break;
      if (into !== undefined && total + value.length <= into.length) {
        into.set(value, total);
        total += value.length;
        continue;
      }
      if (into !== undefined) {
        // More than declared: fall back to chunks.
        chunks.push(into.subarray(0, total));
        into = undefined;
      }
      total += value.length;
      if (total > limit) {
        const kept = concat(chunks, total - value.length);
        chunks.length = 0;
        let drained = 0;
        for (;;) {
          if (drained > drain) {
            await reader.cancel().catch(() => {});
            return { bytes: kept, over: true, undrained: true };
          }
          const next = await reader.read();
          if (timedOut) return { bytes: kept, over: true, undrained: true };
          if (next.done) return { bytes: kept, over: true };
          drained += next.value.length;
        }
      }
      chunks.push(value);
    }
  } catch (error) {
    const bytes = into !== undefined ? into.subarray(0, total) : concat(chunks, total);
    if (timedOut) return { bytes, over: false, timedOut: true, undrained: true };
    return { bytes, over: false, error };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    reader.releaseLock();
  }
  if (into !== undefined) return { bytes: total === into.length ? into : into.slice(0, total), over: false };
  return { bytes: concat(chunks, total), over: false };
}

/**
 * Reads and discards a body this server will not use (up to `maxBytes`, and
 * `timeoutMs`), so that answering does not cut a client that is still
 * sending. Returns false when the body was not read to its end (then answer
 * with `Connection: close`). Never throws.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const drained = await discardBody(request);
 * const headers = drained ? {} : { connection: "close" };
 * ```
 */
export async function discardBody(request: Request, maxBytes = DEFAULT_MAX_DRAIN_BYTES, timeoutMs?: number): Promise<boolean> {
  if (request.body === null || request.bodyUsed) return true;
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  const result = await readLimited(request.body, 0, maxBytes, deadline);
  return result.undrained !== true && result.error === undefined;
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
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const body = await readBody(request, DEFAULT_MAX_BODY_BYTES);
 * if (!body.ok) return new Response(body.message, { status: body.reason === "too_large" ? 413 : 400 });
 * ```
 */
export async function readBody(request: Request, limit: number, options: ReadBodyOptions = {}): Promise<BodyResult> {
  const drain = options.maxDrainBytes ?? DEFAULT_MAX_DRAIN_BYTES;
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (!["identity", "", "gzip", "x-gzip", "deflate"].includes(encoding)) {
    const drained = await discardBody(request, drain, options.timeoutMs);
    return {
      ok: false,
      reason: "unsupported_encoding",
      message: `Content-Encoding ${JSON.stringify(encoding.slice(0, 64))} is not supported (identity, gzip, deflate)`,
      raw: EMPTY,
      ...(drained ? {} : { closeConnection: true }),
    };
  }
  if (request.body === null) return { ok: true, raw: EMPTY, bytes: EMPTY };
  const declared = request.headers.get("content-length");
  const expected = declared !== null && /^\d{1,12}$/.test(declared.trim()) ? Number(declared.trim()) : undefined;
  const wire = await readLimited(request.body, limit, drain, deadline, expected);
  if (wire.timedOut) {
    return {
      ok: false,
      reason: "timeout",
      message: `body not received within ${options.timeoutMs} ms`,
      raw: wire.bytes,
      closeConnection: true,
    };
  }
  if (wire.over) {
    return {
      ok: false,
      reason: "too_large",
      message: `body exceeds ${limit} bytes`,
      raw: wire.bytes,
      ...(wire.undrained ? { closeConnection: true } : {}),
    };
  }
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
