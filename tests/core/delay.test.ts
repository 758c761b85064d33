import { describe, expect, test } from "bun:test";
import { delay, MAX_TIMER_MS } from "../../src/core/delay.ts";

describe("delay", () => {
  test("resolves true after the time, false when aborted (early or already)", async () => {
    expect(await delay(1)).toBe(true);
    const controller = new AbortController();
    const pending = delay(MAX_TIMER_MS, controller.signal);
    controller.abort();
    expect(await pending).toBe(false);
    expect(await delay(10, AbortSignal.abort())).toBe(false);
  });

  test("a delay above 2^31 - 1 ms is clamped: it does not fire at once", async () => {
    const controller = new AbortController();
    const outcome = Promise.race([delay(2 ** 32, controller.signal), delay(30).then(() => "still waiting")]);
    expect(await outcome).toBe("still waiting");
    controller.abort();
  });

  test("NaN and negative delays resolve at once", async () => {
    expect(await delay(Number.NaN)).toBe(true);
    expect(await delay(-5)).toBe(true);
  });
});
