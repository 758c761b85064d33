/**
 * `GET /test/events`: Server-Sent Events telling the page that something
 * changed (a request was recorded, evicted or cleared; a fault was added,
 * used or cleared). An event carries counters only, never payload data: the
 * page then fetches a fresh, bounded rendering.
 *
 * Bounded like the rest of the agent: at most {@link MAX_EVENT_STREAMS}
 * streams are open at once (more are answered 503 and the page falls back
 * to polling), a stream checks the store {@link EVENT_CHECK_MS} apart and
 * sends at most one event per check (a burst of 10,000 requests is one or a
 * few events, not 10,000), and a stream ends after
 * {@link EVENT_STREAM_MAX_MS} (the browser's `EventSource` reconnects by
 * itself), so no timer outlives a forgotten tab for long.
 *
 * @module
 */
import type { FaultRegistry } from "../faults.ts";
import type { RequestStore } from "../store.ts";

/**
 * Event streams open at once, at most (more are answered 503).
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * MAX_EVENT_STREAMS; // 16
 * ```
 */
export const MAX_EVENT_STREAMS = 16;
/**
 * How often a stream looks for changes (ms); at most one event per look.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * EVENT_CHECK_MS; // 250
 * ```
 */
export const EVENT_CHECK_MS = 250;
/**
 * A comment line is sent after this long without an event (ms), so proxies and idle timeouts keep the stream.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * EVENT_HEARTBEAT_MS; // 15000
 * ```
 */
export const EVENT_HEARTBEAT_MS = 15_000;
/**
 * A stream ends after this long (ms); `EventSource` reconnects by itself (after the `retry` the stream announces, 2 s).
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * EVENT_STREAM_MAX_MS; // 600000
 * ```
 */
export const EVENT_STREAM_MAX_MS = 10 * 60_000;

interface Unrefable {
  unref?: () => void;
}

/**
 * The change notifier behind `/test/events`, one per mock agent.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names and an `agent` in scope
 * const events = new PageEvents(agent.store, agent.faults);
 * const res = events.open(new AbortController().signal); // text/event-stream
 * ```
 */
export class PageEvents {
  readonly #store: RequestStore;
  readonly #faults: FaultRegistry;
  #open = 0;

  constructor(store: RequestStore, faults: FaultRegistry) {
    this.#store = store;
    this.#faults = faults;
  }

  /** Streams open now. */
  get openStreams(): number {
    return this.#open;
  }

  /** What the page shows changed when this changes. */
  #signature(): string {
    const s = this.#store.stats();
    return `{"received":${s.received},"stored":${s.stored},"evicted":${s.evicted},"faults":${this.#faults.size},"sessions":${this.#store.sessionCount}}`;
  }

  /** A `text/event-stream` response (or 503 when {@link MAX_EVENT_STREAMS} are open); it ends when `signal` aborts. */
  open(signal: AbortSignal): Response {
    if (this.#open >= MAX_EVENT_STREAMS) {
      return new Response(`${MAX_EVENT_STREAMS} event streams are already open\n`, {
        status: 503,
        headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "5" },
      });
    }
    this.#open++;
    const encoder = new TextEncoder();
    let stopped = false;
    let interval: ReturnType<typeof setInterval> | undefined;
    let lifetime: ReturnType<typeof setTimeout> | undefined;
    let stop = (): void => {};
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        let last = "";
        let lastWrite = Date.now();
        const send = (text: string) => {
          try {
            controller.enqueue(encoder.encode(text));
            lastWrite = Date.now();
          } catch {
            stop();
          }
        };
        stop = () => {
          if (stopped) return;
          stopped = true;
          this.#open--;
          clearInterval(interval);
          clearTimeout(lifetime);
          signal.removeEventListener("abort", stop);
          try {
            controller.close();
          } catch {
            // already closed or cancelled
          }
        };
        const check = () => {
          const now = this.#signature();
          if (now !== last) {
            last = now;
            send(`event: change\ndata: ${now}\n\n`);
          } else if (Date.now() - lastWrite >= EVENT_HEARTBEAT_MS) send(": heartbeat\n\n");
        };
        send("retry: 2000\n\n");
        check(); // the first event: the page refreshes once, catching anything between its rendering and this stream
        interval = setInterval(check, EVENT_CHECK_MS);
        lifetime = setTimeout(stop, EVENT_STREAM_MAX_MS);
        // Node and Bun: these timers alone do not keep a process alive.
        (interval as unknown as Unrefable).unref?.();
        (lifetime as unknown as Unrefable).unref?.();
        if (signal.aborted) stop();
        else signal.addEventListener("abort", stop, { once: true });
      },
      cancel: () => stop(),
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  }
}
