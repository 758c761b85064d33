/**
 * A registry of counters, keyed by a name (what happened to what: `exposures.sent`,
 * `exposures.dropped`) and a reason (`queue_full`, `http_503`, `timeout`, …).
 * Every part of flagpost reports into one registry, so `stats()` shows where
 * every event went.
 *
 * @module
 */

/** Reasons the design names for dropped or failed telemetry. Others may be used as `string`. */
export type DropReason =
  | "invalid"
  | "queue_full"
  | "too_large"
  | "network"
  | "redirect"
  | "timeout"
  | "deadline"
  | `http_${number}`;

/** A point-in-time copy of the counters: `{ name: { reason: count } }`; reason `""` when none was given. */
export type StatsSnapshot = Record<string, Record<string, number>>;

/**
 * Counters by name and reason. Counting is O(1) and never throws.
 *
 * @example
 * ```ts
 * import { StatsRegistry } from "flagpost";
 * const stats = new StatsRegistry();
 * stats.count("exposures.dropped", "queue_full");
 * stats.count("exposures.sent", undefined, 12);
 * stats.get("exposures.dropped", "queue_full"); // 1
 * stats.snapshot(); // { "exposures.dropped": { queue_full: 1 }, "exposures.sent": { "": 12 } }
 * ```
 */
export class StatsRegistry {
  readonly #counters = new Map<string, Map<string, number>>();

  /** Adds `n` (default 1) to the counter `name` / `reason`. Non-finite or negative `n` is ignored. */
  count(name: string, reason = "", n = 1): void {
    if (!(n > 0) || !Number.isFinite(n)) return;
    let byReason = this.#counters.get(name);
    if (byReason === undefined) {
      byReason = new Map();
      this.#counters.set(name, byReason);
    }
    byReason.set(reason, (byReason.get(reason) ?? 0) + n);
  }

  /** The counter `name` / `reason`, or the sum over all reasons of `name` when `reason` is omitted. */
  get(name: string, reason?: string): number {
    const byReason = this.#counters.get(name);
    if (byReason === undefined) return 0;
    if (reason !== undefined) return byReason.get(reason) ?? 0;
    let total = 0;
    for (const v of byReason.values()) total += v;
    return total;
  }

  /** A plain-object copy, names and reasons sorted, safe to serialize. */
  snapshot(): StatsSnapshot {
    const out: StatsSnapshot = {};
    for (const name of [...this.#counters.keys()].sort()) {
      const byReason = this.#counters.get(name)!;
      const row: Record<string, number> = {};
      for (const reason of [...byReason.keys()].sort()) row[reason] = byReason.get(reason)!;
      out[name] = row;
    }
    return out;
  }

  /** Clears every counter. */
  reset(): void {
    this.#counters.clear();
  }
}
