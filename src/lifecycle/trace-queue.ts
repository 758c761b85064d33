/**
 * The trace signal of the facade: finished request traces wait here until
 * the next `flush()`, which turns them into trace chunks and sends them
 * with the trace exporter in one request (more only when the payload cap
 * splits it).
 *
 * Ending a request must stay cheap and must never throw, so spans are kept
 * as plain data and validated only at flush time; a trace the span builder
 * rejects is dropped and counted as `invalid` without affecting the others.
 * The queue is bounded by `limits.maxQueuedTraceChunks`; overflow is
 * dropped and counted as `queue_full`.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import type { Logger } from "../core/logger.ts";
import type { FlushOptions, SignalFlushReport } from "../core/signal.ts";
import type { StatsRegistry } from "../core/stats.ts";
import type { TraceExporter, TraceSendResult } from "../traces/exporter.ts";
import { SpanBuilder } from "../traces/span-builder.ts";
import { TraceChunks } from "../traces/trace-chunks.ts";
import type { FinishedSpan } from "./_finished-span.ts";

/** Counter names of the trace queue (counts are trace chunks, i.e. requests). */
export const TRACE_QUEUE_COUNTERS = Object.freeze({
  queued: "traces.queued",
  sent: "traces.sent",
  dropped: "traces.dropped",
});

/** What the queue needs to send chunks: the trace exporter's `send`, bounded by the flush's deadline. */
export type TraceSender = Pick<TraceExporter, "send">;

/** Options of a {@link TraceQueue}. */
export interface TraceQueueOptions {
  readonly sender: TraceSender;
  readonly stats: StatsRegistry;
  readonly logger: Logger;
}

/**
 * Bounded queue of finished traces, flushed through a trace exporter.
 *
 * @example
 * ```ts
 * // (fragment) the facade builds it: createFlagpost() → startRequest() → scope.end() → flush()
 * const queue = new TraceQueue(config, { sender: new TraceExporter(config, { stats }), stats, logger });
 * queue.push(spans);
 * const report = await queue.flush({ deadlineMs: 2_000 });
 * ```
 */
export class TraceQueue {
  readonly #max: number;
  readonly #options: TraceQueueOptions;
  #traces: FinishedSpan[][] = [];

  constructor(config: Config, options: TraceQueueOptions) {
    this.#max = config.limits.maxQueuedTraceChunks;
    this.#options = options;
  }

  /** Traces waiting for the next flush. */
  get size(): number {
    return this.#traces.length;
  }

  /** Queues one finished trace (root span first). Never throws; overflow is counted as `queue_full`. */
  push(spans: FinishedSpan[]): void {
    const { stats } = this.#options;
    if (this.#traces.length >= this.#max) {
      stats.count(TRACE_QUEUE_COUNTERS.dropped, "queue_full");
      return;
    }
    this.#traces.push(spans);
    stats.count(TRACE_QUEUE_COUNTERS.queued);
  }

  /** Sends every queued trace; never rejects. */
  async flush(options: FlushOptions = {}): Promise<SignalFlushReport> {
    const started = performance.now();
    const { stats, logger } = this.#options;
    const traces = this.#traces;
    this.#traces = [];
    const dropped: Record<string, number> = {};
    const drop = (reason: string, n: number): void => {
      if (n <= 0) return;
      dropped[reason] = (dropped[reason] ?? 0) + n;
      stats.count(TRACE_QUEUE_COUNTERS.dropped, reason, n);
    };
    const chunks = new TraceChunks();
    let built = 0;
    for (const trace of traces) {
      let builders: SpanBuilder[];
      try {
        builders = trace.map(toBuilder);
      } catch (error) {
        logger.warn("trace dropped: a span is invalid", { error: String(error) });
        drop("invalid", 1);
        continue;
      }
      chunks.beginChunk(builders.length);
      for (const b of builders) chunks.pushSpan(b);
      built++;
    }
    if (built === 0) {
      return { sent: 0, dropped, retried: 0, requests: 0, pending: 0, durationMs: performance.now() - started };
    }
    let result: TraceSendResult;
    try {
      result = await this.#options.sender.send(chunks, options);
    } catch (error) {
      // The exporter never rejects; if it did, its chunks are still accounted for.
      logger.warn("trace exporter rejected", { error: String(error) });
      result = { ok: false, sentChunks: 0, droppedChunks: { error: built }, requests: 0, retried: 0 };
    }
    const sent = result.sentChunks;
    for (const [reason, n] of Object.entries(result.droppedChunks)) drop(reason, n);
    // Whatever the exporter neither sent nor dropped (e.g. the chunks were refused as consumed) is counted too.
    const unaccounted = built - sent - Object.values(result.droppedChunks).reduce((a, b) => a + b, 0);
    if (unaccounted > 0) drop(result.error?.code ?? "error", unaccounted);
    if (sent > 0) stats.count(TRACE_QUEUE_COUNTERS.sent, "", sent);
    return {
      sent,
      dropped,
      retried: result.retried,
      requests: result.requests,
      pending: 0,
      durationMs: performance.now() - started,
    };
  }
}

function toBuilder(span: FinishedSpan): SpanBuilder {
  const builder = new SpanBuilder({
    service: span.service,
    name: span.name,
    resource: span.resource,
    type: span.type,
    traceId: span.traceId,
    spanId: span.spanId,
    parentId: span.parentId,
    start: span.start,
    duration: span.duration,
    error: span.error,
  });
  for (const [k, v] of Object.entries(span.meta)) builder.setMeta(k, v);
  for (const [k, v] of Object.entries(span.metrics)) builder.setMetric(k, v);
  return builder;
}
