/** Retry policy arithmetic: Retry-After parsing (delay-seconds and HTTP date) and capped exponential backoff with equal jitter. */
import { describe, expect, test } from "bun:test";
import { AGENT_RETRY_POLICY, backoffDelay, OTLP_RETRY_POLICY, parseRetryAfter } from "../../src/transport/retry.ts";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-21T10:00:00Z");
  test("delay-seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("120", now)).toBe(120_000);
  });
  test("HTTP date, in the future and in the past", () => {
    expect(parseRetryAfter("Sat, 21 Nov 2026 10:00:05 GMT", now)).toBe(5_000);
    expect(parseRetryAfter("Sat, 21 Nov 2026 09:00:00 GMT", now)).toBe(0);
  });
  test("absent or garbage", () => {
    for (const v of [null, undefined, "", "soon", "-5", "1.5"]) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe("backoffDelay", () => {
  test("exponential, capped, with equal jitter in [exp/2, exp]", () => {
    const p = { ...OTLP_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffDelay(p, 1, () => 0)).toBe(50);
    expect(backoffDelay(p, 1, () => 1)).toBe(100);
    expect(backoffDelay(p, 3, () => 1)).toBe(400);
    expect(backoffDelay(p, 10, () => 1)).toBe(1_000);
    expect(backoffDelay(p, 10, () => 0)).toBe(500);
  });
});

describe("the shipped policies", () => {
  test("are frozen and their backoff stays within [base/2, max] for every retry", () => {
    for (const policy of [OTLP_RETRY_POLICY, AGENT_RETRY_POLICY]) {
      expect(Object.isFrozen(policy)).toBe(true);
      expect(policy.maxAttempts).toBeGreaterThanOrEqual(1);
      for (let retry = 1; retry <= 12; retry++) {
        for (const r of [0, 0.5, 1]) {
          const d = backoffDelay(policy, retry, () => r);
          expect(d).toBeGreaterThanOrEqual(Math.min(policy.baseDelayMs, policy.maxDelayMs) / 2);
          expect(d).toBeLessThanOrEqual(policy.maxDelayMs);
        }
      }
    }
  });
});
