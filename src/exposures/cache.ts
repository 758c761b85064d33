/**
 * The exposure dedupe cache: an LRU (npm `lru-cache`) from (service, env,
 * version, flag, subject) to the last (allocation, variant, serial id)
 * logged for it. The value is compared field by field (no value string is
 * built on the hot path).
 *
 * An exposure is suppressed only when the value is *equal* to the last one
 * logged, so A→B→A logs three times, and a serial id that appears, changes
 * or disappears (none ↔ 0 included) logs again (system-tests
 * `test_exposures_datadog_agent.py`).
 *
 * Unlike the peers' caches, an entry can be taken back: each entry carries a
 * token, and a writer whose delivery finally failed forgets exactly the
 * entries it wrote — unless a newer value has replaced them since — so the
 * next identical exposure is sent again instead of being masked forever.
 *
 * @module
 */
import { LRUCache } from "lru-cache";
import { FlagpostError } from "../core/errors.ts";

/** The last (allocation, variant, serial id) logged for a key, and the token of the write. */
interface Entry {
  readonly allocation: string;
  readonly variant: string;
  /** `undefined` when the split had none (so none ≠ 0). */
  readonly serialId: number | undefined;
  readonly token: number;
}

/** Length-prefixed concatenation: unambiguous for any strings, cheaper than `JSON.stringify` of an array. */
function part(s: string): string {
  return `${s.length}:${s}`;
}

/**
 * The cache key prefix of a service context (computed once per writer).
 *
 * @example
 * ```ts
 * // (fragment) internal helper of the exposures writer
 * const prefix = exposureKeyPrefix("shop", "prod", undefined);
 * ```
 */
export function exposureKeyPrefix(service: string | undefined, env: string | undefined, version: string | undefined): string {
  return part(service ?? "") + part(env ?? "") + part(version ?? "");
}

/**
 * The dedupe key of an exposure, given its context's {@link exposureKeyPrefix}.
 *
 * @example
 * ```ts
 * // (fragment) internal helper of the exposures writer
 * const key = exposureKey(exposureKeyPrefix("shop", "prod", "1"), "new-checkout", "user-1");
 * ```
 */
export function exposureKey(prefix: string, flagKey: string, subjectId: string): string {
  // The subject id comes last, so it needs no length of its own to stay unambiguous.
  return prefix + part(flagKey) + subjectId;
}

/**
 * A bounded LRU of the exposures already logged. Capacity 0 disables it
 * (nothing is ever a duplicate). One cache may be shared by several
 * `ExposureWriter`s (e.g. one per service): the key includes the service
 * context.
 *
 * @example
 * ```ts
 * import { ExposureCache, ExposureWriter, resolveConfig } from "flagpost";
 * const cache = new ExposureCache(10_000);
 * const shop = new ExposureWriter(resolveConfig({ DD_SERVICE: "shop" }), { cache });
 * const cart = new ExposureWriter(resolveConfig({ DD_SERVICE: "cart" }), { cache });
 * console.log(cache.capacity, shop.stats().added, cart.stats().added);
 * ```
 */
export class ExposureCache {
  /** Maximum entries; 0 means deduplication is off. */
  readonly capacity: number;
  readonly #lru: LRUCache<string, Entry> | undefined;
  #nextToken = 1;

  /** @param capacity maximum entries (default 65,536, the peers' size); 0 disables deduplication. */
  constructor(capacity = 65_536) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new FlagpostError("invalid_argument", `capacity must be a non-negative integer, got ${String(capacity)}`, {
        field: "capacity",
      });
    }
    this.capacity = capacity;
    this.#lru = capacity === 0 ? undefined : new LRUCache<string, Entry>({ max: capacity });
  }

  /** Entries currently held. */
  get size(): number {
    return this.#lru?.size ?? 0;
  }

  /**
   * True when `key` was last logged with exactly this allocation, variant and
   * serial id (`undefined` ≠ `0`); marks the entry recently used.
   */
  isDuplicate(key: string, allocation: string, variant: string, serialId: number | undefined): boolean {
    if (this.#lru === undefined) return false;
    const e = this.#lru.get(key);
    return e !== undefined && e.allocation === allocation && e.variant === variant && e.serialId === serialId;
  }

  /** Records (allocation, variant, serial id) as the last logged for `key`; returns the entry's token (0 when disabled). */
  remember(key: string, allocation: string, variant: string, serialId: number | undefined): number {
    if (this.#lru === undefined) return 0;
    const token = this.#nextToken++;
    this.#lru.set(key, { allocation, variant, serialId, token });
    return token;
  }

  /** Removes `key` if it still holds the entry `token` wrote (a newer value is kept). Returns whether it removed it. */
  forget(key: string, token: number): boolean {
    if (this.#lru === undefined || token === 0) return false;
    if (this.#lru.peek(key)?.token !== token) return false;
    return this.#lru.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#lru?.clear();
  }
}
