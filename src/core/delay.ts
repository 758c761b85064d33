/**
 * The one abortable wait: retry backoff in the sender, injected delays in the
 * mock agent. A timer that an `AbortSignal` can end early, that never throws
 * and never keeps a pending timer after it settles.
 *
 * @module
 */

/**
 * The largest delay `setTimeout` honours: 2^31 − 1 ms (about 24.8 days).
 * Longer delays are not waited for but fire at once (Node prints a warning and
 * uses 1 ms), so configuration refuses them and {@link delay} clamps to it.
 *
 * @example
 * ```ts
 * import { MAX_TIMER_MS } from "./delay.ts";
 * MAX_TIMER_MS; // 2147483647
 * ```
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Resolves `true` after `ms` milliseconds, or `false` as soon as `signal`
 * aborts (at once if it already has). `ms` is clamped to `[0, MAX_TIMER_MS]`;
 * `NaN` counts as 0. Never rejects.
 *
 * @example
 * ```ts
 * import { delay } from "./delay.ts";
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 10);
 * const elapsed = await delay(60_000, controller.signal); // false, after about 10 ms
 * console.log(elapsed);
 * ```
 */
export function delay(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const wait = Number.isNaN(ms) ? 0 : Math.min(MAX_TIMER_MS, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, wait);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
