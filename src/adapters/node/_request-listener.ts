/**
 * The bridge between `node:http` and a Web-standard fetch handler: an
 * `IncomingMessage` becomes a `Request` (body streamed, aborted when the
 * client goes away) and the `Response` is written back, its body streamed
 * with backpressure. Types are declared locally so this file needs no
 * `@types/node`.
 *
 * @module
 */

/** The parts of `node:http` the bridge uses. */
export interface NodeHttpModule {
  createServer(listener: (req: IncomingMessageLike, res: ServerResponseLike) => void): NodeServerLike;
}

/** The parts of an `http.Server` used. */
export interface NodeServerLike {
  listen(port: number, host: string, callback: () => void): unknown;
  once(event: "error", listener: (error: Error) => void): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
  address(): { port: number } | string | null;
  close(callback?: () => void): unknown;
  closeIdleConnections?(): void;
}

interface IncomingMessageLike extends AsyncIterable<Uint8Array> {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  on(event: "close", listener: () => void): unknown;
}

interface ServerResponseLike {
  statusCode: number;
  headersSent: boolean;
  writableEnded: boolean;
  setHeader(name: string, value: string | string[]): unknown;
  write(chunk: Uint8Array): boolean;
  end(chunk?: Uint8Array | string): unknown;
  once(event: "drain" | "close", listener: () => void): unknown;
  on(event: "close", listener: () => void): unknown;
  destroy(error?: Error): unknown;
}

function toRequest(req: IncomingMessageLike, aborted: AbortSignal): Request {
  const host = typeof req.headers.host === "string" ? req.headers.host : "localhost";
  const url = new URL(req.url ?? "/", `http://${host}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) { for (const v of value) headers.append(name, v); }
    else headers.set(name, value);
  }
  const method = req.method ?? "GET";
  const init: RequestInit & { duplex?: "half" } = { method, headers, signal: aborted };
  if (method !== "GET" && method !== "HEAD") {
    const source = req[Symbol.asyncIterator]();
    init.body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await source.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await source.return?.();
      },
    });
    init.duplex = "half";
  }
  return new Request(url, init);
}

async function writeResponse(response: Response, res: ServerResponseLike): Promise<void> {
  res.statusCode = response.status;
  const cookies = response.headers.getSetCookie?.() ?? [];
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((resolve) => res.once("drain", resolve));
    }
    res.end();
  } catch (error) {
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    reader.releaseLock();
  }
}

/** A `node:http` request listener serving `handler`; a handler failure is answered with an empty 500. */
export function fetchListener(
  handler: (request: Request) => Promise<Response>,
): (req: IncomingMessageLike, res: ServerResponseLike) => void {
  return (req, res) => {
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableEnded) controller.abort();
    });
    void (async () => {
      let response: Response;
      try {
        response = await handler(toRequest(req, controller.signal));
      } catch {
        response = new Response(null, { status: 500 });
      }
      await writeResponse(response, res);
    })();
  };
}
