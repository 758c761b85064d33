/** Flush reports: per-signal reports merge into totals (dropped summed by reason), ok only when nothing is lost or pending; two flushes combine. */
import { describe, expect, test } from "bun:test";
import type { SignalFlushReport } from "../../src/core/signal.ts";
import { combineFlushReports, emptySignalReport, mergeFlushReports } from "../../src/lifecycle/flush-report.ts";

const signal = (over: Partial<SignalFlushReport>): SignalFlushReport => ({ ...emptySignalReport(), ...over });

describe("emptySignalReport", () => {
  test("is all zeros, with the duration and dropped counts given", () => {
    expect(emptySignalReport()).toEqual({ sent: 0, dropped: {}, retried: 0, requests: 0, pending: 0, durationMs: 0 });
    expect(emptySignalReport(7, { deadline: 2 })).toEqual({
      sent: 0,
      dropped: { deadline: 2 },
      retried: 0,
      requests: 0,
      pending: 0,
      durationMs: 7,
    });
  });
});

describe("mergeFlushReports", () => {
  test("sums sent, retried, requests and pending, and dropped by reason across signals", () => {
    const signals = {
      exposures: signal({ sent: 3, dropped: { queue_full: 1 }, retried: 1, requests: 1, durationMs: 4 }),
      traces: signal({ sent: 2, dropped: { queue_full: 2, http_503: 1 }, requests: 2, pending: 1, durationMs: 9 }),
    };
    const report = mergeFlushReports(signals, { deadlineMs: 2_000, durationMs: 10, timedOut: false });
    expect(report).toEqual({
      ok: false,
      timedOut: false,
      deadlineMs: 2_000,
      durationMs: 10,
      sent: 5,
      dropped: { queue_full: 3, http_503: 1 },
      retried: 1,
      requests: 3,
      pending: 1,
      signals,
    });
  });
  test("ok only when nothing was dropped, nothing is pending and the deadline did not cut the flush", () => {
    const run = { deadlineMs: 100, durationMs: 1, timedOut: false };
    expect(mergeFlushReports({}, run).ok).toBe(true);
    expect(mergeFlushReports({ a: signal({ sent: 4, dropped: { x: 0 } }) }, run).ok).toBe(true);
    expect(mergeFlushReports({ a: signal({ dropped: { x: 1 } }) }, run).ok).toBe(false);
    expect(mergeFlushReports({ a: signal({ pending: 1 }) }, run).ok).toBe(false);
    expect(mergeFlushReports({ a: signal({ sent: 1 }) }, { ...run, timedOut: true })).toMatchObject({ ok: false, timedOut: true });
  });
});

describe("combineFlushReports", () => {
  test("adds two flushes signal by signal; pending is the second's; a signal in only one is kept", () => {
    const run = { deadlineMs: 500, durationMs: 5, timedOut: false };
    const first = mergeFlushReports({
      exposures: signal({ sent: 1, dropped: { deadline: 1 }, pending: 4, durationMs: 5 }),
      metrics: signal({ sent: 2, requests: 1, durationMs: 2 }),
    }, run);
    const second = mergeFlushReports({
      exposures: signal({ sent: 4, dropped: { deadline: 1, http_400: 2 }, retried: 1, requests: 1, durationMs: 3 }),
      traces: signal({ sent: 1, requests: 1, durationMs: 1 }),
    }, { deadlineMs: 100, durationMs: 3, timedOut: true });
    const both = combineFlushReports(first, second);
    expect(both.signals.exposures).toEqual({
      sent: 5,
      dropped: { deadline: 2, http_400: 2 },
      retried: 1,
      requests: 1,
      pending: 0,
      durationMs: 8,
    });
    expect(both.signals.metrics).toEqual(first.signals.metrics);
    expect(both.signals.traces).toEqual(second.signals.traces);
    expect(both).toMatchObject({ sent: 8, requests: 3, pending: 0, deadlineMs: 500, durationMs: 8, timedOut: true, ok: false });
  });
});
