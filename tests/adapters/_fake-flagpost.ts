/** A stand-in Flagpost for the adapter plumbing tests: records scopes, tags, ends, flushes and shutdowns (no network). */
import type { Flagpost } from "../../src/flagpost.ts";
import type { FlushReport } from "../../src/lifecycle/flush-report.ts";
import { mergeFlushReports } from "../../src/lifecycle/flush-report.ts";

export interface FakeScope {
  readonly start: { name: string; resource: string };
  readonly tags: Record<string, string>;
  ends: unknown[];
}

export function fakeFlagpost(flushDeadlineMs = 1_000) {
  const scopes: FakeScope[] = [];
  const flushes: unknown[] = [];
  const shutdowns: Array<{ deadlineMs?: number }> = [];
  let inScope: FakeScope | undefined;
  const report: FlushReport = mergeFlushReports({}, { deadlineMs: flushDeadlineMs, durationMs: 0, timedOut: false });
  const flagpost = {
    config: { flushDeadlineMs },
    startRequest(start: { name: string; resource: string }) {
      const scope: FakeScope = { start, tags: {}, ends: [] };
      const api = {
        setTag: (k: string, v: string) => void (scope.tags[k] = v),
        end: (o: unknown) => (scope.ends.push(o), Promise.resolve()),
        fake: scope,
      };
      scopes.push(scope);
      return api;
    },
    async runInScope<T>(scope: { fake: FakeScope }, fn: () => T): Promise<Awaited<T>> {
      inScope = scope.fake;
      try {
        return await fn();
      } finally {
        inScope = undefined;
      }
    },
    flush(o: unknown) {
      flushes.push(o);
      return Promise.resolve(report);
    },
    shutdown(o: { deadlineMs?: number }) {
      shutdowns.push(o);
      return Promise.resolve(report);
    },
  };
  return { flagpost: flagpost as unknown as Flagpost, scopes, flushes, shutdowns, report, current: () => inScope };
}
