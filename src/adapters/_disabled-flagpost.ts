/**
 * What an adapter does when flagpost cannot be created on the request path
 * (a bad `DD_*` variable in a worker's `env`): telemetry must never break
 * the host, so the request is served without telemetry, the error is logged
 * once and counted (`flagpost.errors{config}`), and the handler still gets
 * an instance and a scope to call — a disabled one, shut down from the
 * start, that queues nothing and sends nothing.
 *
 * @module
 */
import { FlagpostError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { StatsRegistry } from "../core/stats.ts";
import { createFlagpost, type Flagpost, FLAGPOST_COUNTERS } from "../flagpost.ts";

/** Reason under `flagpost.errors` of a configuration that could not be used. */
export const CONFIG_ERROR_REASON = "config";

/**
 * A flagpost instance that records nothing and sends nothing: no signal but
 * the exposure writer (which cannot be turned off), shut down at once, so
 * every record is refused (counted in its own private registry) and
 * `startRequest`/`scope.span` still work for the handler.
 */
export function disabledFlagpost(): Flagpost {
  const inert = createFlagpost({
    env: {},
    metricsEnabled: false,
    flagEvaluationsEnabled: false,
    tracesEnabled: false,
    spanEnrichmentEnabled: false,
    // Never called: the exposure queue is empty when shutdown() flushes it.
    fetch: (() => Promise.resolve(new Response(null, { status: 202 }))) as unknown as typeof fetch,
  });
  void inert.shutdown({ deadlineMs: 1 });
  return inert;
}

/**
 * Counts a configuration error in `stats` and logs it (code, field and the
 * error's message, which masks URL passwords; for an error that is not a
 * `FlagpostError`, only its name, since its message was not written to be
 * safe to log).
 */
export function reportConfigError(error: unknown, stats: StatsRegistry, logger: Logger): void {
  stats.count(FLAGPOST_COUNTERS.errors, CONFIG_ERROR_REASON);
  const details = error instanceof FlagpostError
    ? { code: error.code, field: error.field, error: error.message }
    : { error: error instanceof Error ? error.name : typeof error };
  logger.error("flagpost is disabled: its configuration is invalid; requests are served without telemetry", details);
}
