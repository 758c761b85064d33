/** Shared pieces of the exposures tests: a record builder, the mock agent through fetch, and the accounting invariant. */
import { expect } from "bun:test";
import type { EvaluationRecord } from "../../src/core/evaluation.ts";
import type { ExposureWriter } from "../../src/exposures/writer.ts";
import { createMockAgent, type MockAgent } from "../../mock-agent/mod.ts";

export const T0 = 1_700_000_000_000;

/** A logged evaluation; override any field. */
export function record(over: Partial<EvaluationRecord> = {}): EvaluationRecord {
  return {
    flagKey: "new-checkout",
    variant: "on",
    value: true,
    reason: "TARGETING_MATCH",
    errorCode: undefined,
    allocationKey: "beta-users",
    serialId: 42,
    doLog: true,
    targetingKey: "user-1",
    attributes: { plan: "pro" },
    timestamp: T0,
    ...over,
  };
}

/**
 * A fetch that sends through the mock agent's app in-process. Like a real
 * fetch, it rejects with an AbortError when the request's signal aborts
 * (`app.fetch` alone would still resolve once the handler finishes).
 */
export function agentFetch(agent: MockAgent): typeof fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const signal = request.signal;
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(new DOMException("The operation was aborted.", "AbortError"));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      Promise.resolve(agent.app.fetch(request)).then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }) as typeof fetch;
}

export function mockAgent(): MockAgent {
  return createMockAgent();
}

export interface WirePayload {
  context: Record<string, string>;
  exposures: Array<Record<string, unknown> & { flag: { key: string }; subject: { id: string; attributes: Record<string, unknown> } }>;
}

/** Accepted exposure payloads the agent recorded, parsed from the raw request bodies with JSON.parse (independent of our decoder). */
export async function receivedPayloads(agent: MockAgent): Promise<WirePayload[]> {
  const res = await agent.app.fetch(new Request("http://agent.test/test/session/requests"));
  const requests = (await res.json()) as Array<{ path: string; status: number; body: string }>;
  return requests
    .filter((r) => r.path.endsWith("/api/v2/exposures") && r.status >= 200 && r.status < 300)
    .map((r) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(r.body), (c) => c.charCodeAt(0)))) as WirePayload);
}

export async function receivedEvents(agent: MockAgent): Promise<WirePayload["exposures"]> {
  return (await receivedPayloads(agent)).flatMap((p) => p.exposures);
}

/** The accounting invariant: every exposure added is in exactly one bucket. */
export function expectAccounted(writer: ExposureWriter): void {
  const s = writer.stats();
  const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
  expect(s.duplicate + s.notLogged + s.invalid + s.sent + dropped + s.queued + s.inFlight).toBe(s.added);
}
