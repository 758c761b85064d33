/**
 * TraceQueue: bounded by limits.maxQueuedTraceChunks (overflow dropped and counted as queue_full), and every
 * queued trace is at flush either sent or counted under a reason (invalid span, exporter drop, unaccounted).
 */
import { describe, expect, test } from "bun:test";
import { resolveConfig } from "../../src/core/config.ts";
import { FlagpostError } from "../../src/core/errors.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { StatsRegistry } from "../../src/core/stats.ts";
import type { FinishedSpan } from "../../src/lifecycle/_finished-span.ts";
import { TRACE_QUEUE_COUNTERS, TraceQueue, type TraceSender } from "../../src/lifecycle/trace-queue.ts";
import type { TraceSendResult } from "../../src/traces/exporter.ts";
import { chunksDataOf } from "../../src/traces/_chunk-data.ts";

function span(traceId: bigint, over: Partial<FinishedSpan> = {}): FinishedSpan {
  return {
    service: "shop",
    name: "http.request",
    resource: "GET /",
    type: "web",
    traceId,
    spanId: traceId,
    parentId: 0n,
    start: 1_700_000_000_000_000_000n,
    duration: 1_000n,
    error: 0,
    meta: { env: "prod" },
    metrics: { _sampling_priority_v1: 1 },
    ...over,
  };
}

/** A sender that records the spans it was given and answers `answer(chunkCount)`. */
function sender(answer: (chunks: number) => TraceSendResult | Promise<TraceSendResult>) {
  const sent: Array<Array<{ traceLo: number; name: string }>> = [];
  const s: TraceSender = {
    send(chunks) {
      const data = chunksDataOf(chunks)!;
      for (const c of data.chunks) sent.push(c.spans.slice(0, c.size).map((d) => ({ traceLo: d.traceLo, name: d.name })));
      return Promise.resolve(answer(data.chunks.length));
    },
  };
  return { sent, sender: s };
}

const ok = (n: number): TraceSendResult => ({ ok: true, sentChunks: n, droppedChunks: {}, requests: 1, retried: 0 });

function queueOf(max: number, s: TraceSender) {
  const stats = new StatsRegistry();
  const config = resolveConfig({}, { limits: { maxQueuedTraceChunks: max } });
  return { stats, queue: new TraceQueue(config, { sender: s, stats, logger: silentLogger() }) };
}

describe("TraceQueue", () => {
  test("holds at most maxQueuedTraceChunks traces; overflow is dropped and counted as queue_full", () => {
    const { stats, queue } = queueOf(2, sender(ok).sender);
    for (let i = 1n; i <= 5n; i++) expect(() => queue.push([span(i)])).not.toThrow();
    expect(queue.size).toBe(2);
    expect(stats.get(TRACE_QUEUE_COUNTERS.queued)).toBe(2);
    expect(stats.get(TRACE_QUEUE_COUNTERS.dropped, "queue_full")).toBe(3);
  });
  test("flush sends each queued trace as one chunk, root span first, and empties the queue", async () => {
    const s = sender(ok);
    const { stats, queue } = queueOf(10, s.sender);
    queue.push([span(1n), span(1n, { spanId: 2n, parentId: 1n, name: "child" })]);
    queue.push([span(3n)]);
    const report = await queue.flush({ deadlineMs: 1_000 });
    expect(s.sent).toEqual([[{ traceLo: 1, name: "http.request" }, { traceLo: 1, name: "child" }], [{ traceLo: 3, name: "http.request" }]]);
    expect(report).toMatchObject({ sent: 2, dropped: {}, requests: 1, retried: 0, pending: 0 });
    expect(queue.size).toBe(0);
    expect(stats.get(TRACE_QUEUE_COUNTERS.sent)).toBe(2);
  });
  test("a trace with an invalid span is dropped as invalid; the others are still sent", async () => {
    const s = sender(ok);
    const { stats, queue } = queueOf(10, s.sender);
    queue.push([span(1n)]);
    queue.push([span(2n, { name: "" })]);
    const report = await queue.flush();
    expect(report.sent).toBe(1);
    expect(report.dropped).toEqual({ invalid: 1 });
    expect(stats.get(TRACE_QUEUE_COUNTERS.dropped, "invalid")).toBe(1);
  });
  test("nothing queued: no send, an empty report", async () => {
    let calls = 0;
    const { queue } = queueOf(10, { send: () => (calls++, Promise.resolve(ok(0))) });
    expect(await queue.flush()).toMatchObject({ sent: 0, dropped: {}, requests: 0 });
    expect(calls).toBe(0);
  });
  test("every queued trace is sent or counted: exporter drops, a rejecting exporter and unaccounted chunks", async () => {
    const cases: Array<[string, (n: number) => TraceSendResult | Promise<TraceSendResult>, Record<string, number>]> = [
      ["exporter drops", (n) => ({ ok: false, sentChunks: 1, droppedChunks: { http_503: n - 1 }, requests: 1, retried: 2 }), {
        http_503: 2,
      }],
      ["exporter rejects", () => Promise.reject(new Error("bug")), { error: 3 }],
      [
        "unaccounted",
        () => ({ ok: false, sentChunks: 0, droppedChunks: {}, requests: 0, retried: 0, error: new FlagpostError("consumed", "x") }),
        { consumed: 3 },
      ],
    ];
    for (const [, answer, dropped] of cases) {
      const { stats, queue } = queueOf(10, sender(answer).sender);
      for (let i = 1n; i <= 3n; i++) queue.push([span(i)]);
      const report = await queue.flush();
      expect(report.dropped).toEqual(dropped);
      const droppedTotal = Object.values(report.dropped).reduce((a, b) => a + b, 0);
      expect(report.sent + droppedTotal).toBe(3);
      expect(stats.get(TRACE_QUEUE_COUNTERS.sent) + stats.get(TRACE_QUEUE_COUNTERS.dropped)).toBe(3);
    }
  });
});
