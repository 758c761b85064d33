/**
 * The transport leaks nothing on any runtime's fetch (issue 8): a 307 from
 * the agent, pointing to another origin, is not followed — the other origin
 * receives nothing (not the body, not `DD-API-KEY`) — and the send fails as
 * `redirect` after one attempt, even when the policy would retry a 307.
 * Node, Deno and Bun talk to the mock agent over real sockets (the redirect
 * points from its APM port to its OTLP port); workerd through its in-process
 * fetch.
 */
// Internals (not in the public API) come from the sources: on Node they are bundled into the entry.
import { AGENT_RETRY_POLICY } from "../../../src/transport/retry.ts";
import { outcomeReason, sendWithRetry } from "../../../src/transport/sender.ts";
import type { ScenarioPart } from "../types.ts";

export const part: ScenarioPart = {
  name: "transport",

  async run({ runtime, modules: { mockAgent } }) {
    const inProcess = runtime === "workerd";
    const running = inProcess ? undefined : await mockAgent.startMockAgent({ port: 0, otlpPort: 0 });
    const agent = running ?? mockAgent.createMockAgent();
    try {
      const apm = running?.url ?? "http://agent.test";
      const otlp = running?.otlpUrl ?? "http://agent.test";
      agent.faults.add({
        path: "/v0.4/traces",
        status: 307,
        location: `${otlp}/v1/metrics`,
        times: 5,
      });
      const outcome = await sendWithRetry(
        {
          url: `${apm}/v0.4/traces`,
          method: "PUT",
          headers: {
            "Content-Type": "application/msgpack",
            "X-Datadog-Trace-Count": "0",
            "DD-API-KEY": "secret-key-0123",
          },
          body: new Uint8Array([0x90]),
        },
        {
          ...AGENT_RETRY_POLICY,
          retryStatuses: [307, 503],
          baseDelayMs: 1,
          maxDelayMs: 2,
        },
        { deadlineMs: 5_000, ...(inProcess ? { fetch: agent.fetch } : {}) },
      );
      const kinds = agent.store.list().map((r) => `${r.kind} ${r.status}`);
      return {
        "redirect.outcome": [
          outcome.ok,
          outcome.status,
          outcome.errorKind,
          outcome.attempts,
          outcomeReason(outcome),
        ],
        "redirect.secretInDetail": String(outcome.errorDetail).includes(
          "secret-key-0123",
        ),
        "redirect.received": kinds,
      };
    } finally {
      await running?.close();
    }
  },

  expected() {
    return {
      "redirect.outcome": [false, 307, "redirect", 1, "redirect"],
      "redirect.secretInDetail": false,
      "redirect.received": ["traces 307"],
    };
  },
};
