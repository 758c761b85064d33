/** Shared pieces of the exposures tests: a record builder, the mock agent through fetch, and the accounting invariant. */
import { expect } from "bun:test";
import type { EvaluationRecord } from "../../src/core/evaluation.ts";
import type { ExposureWriter } from "../../src/exposures/writer.ts";
import { createMockAgent, type MockAgent } from "../../mock-agent/mod.ts";
import { evaluationRecord } from "../support/records.ts";

export { T0 } from "../support/records.ts";

/** A logged evaluation (the shared test record, under the exposure tests' flag, allocation, serial id and subject); override any field. */
export function record(over: Partial<EvaluationRecord> = {}): EvaluationRecord {
  return evaluationRecord({ flagKey: "new-checkout", allocationKey: "beta-users", serialId: 42, targetingKey: "user-1", ...over });
}

/** The mock agent's in-process fetch (it rejects on abort, like a real fetch). */
export function agentFetch(agent: MockAgent): typeof fetch {
  return agent.fetch;
}

export function mockAgent(): MockAgent {
  return createMockAgent();
}

export interface WirePayload {
  context: Record<string, string>;
  exposures: Array<Record<string, unknown> & { flag: { key: string }; subject: { id: string; attributes: Record<string, unknown> } }>;
}

/** Accepted exposure payloads the agent recorded, parsed from the wire bytes with JSON.parse (independent of our encoder). */
export function receivedPayloads(agent: MockAgent): Promise<WirePayload[]> {
  return Promise.resolve(
    agent.store.list()
      .filter((r) => r.path.endsWith("/api/v2/exposures") && r.status >= 200 && r.status < 300)
      .map((r) => JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(r.body)) as WirePayload),
  );
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
