/**
 * The exposure dedupe cache: an LRU (npm `lru-cache`) from (service, env,
 * version, flag, subject) to the last (allocation, variant, serial id)
 * logged for it. The value is compared field by field (no value string is
 * built on the hot path).
 *
 * The lookup does not build a key string either: hashing a freshly
 * concatenated string costs more than everything else a duplicate costs. A
 * writer gets a {@link ExposureScope} for its service context once, and
 * looks entries up by flag key, then subject id, in nested maps of the
 * caller's own strings (their hashes are cached by the engine). The
 * `lru-cache` instance holds the entry objects themselves (identity keys) and
 * decides recency and eviction; an evicted entry leaves the nested maps too,
 * so they never hold more than `capacity` entries.
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

/** Subject id → entry, for one flag of one scope. */
type SubjectTable = Map<string, Entry>;

/**
 * The entries of one service context (service, env, version): flag key →
 * subject id → entry. Obtained once per writer from {@link ExposureCache.scope}.
 */
export type ExposureScope = Map<string, SubjectTable>;

/**
 * The last (allocation, variant, serial id) logged for a (scope, flag,
 * subject), and the token of the write. Mutable: a new value for the same
 * key overwrites it in place (with a new token).
 */
export interface ExposureCacheEntry {
  readonly allocation: string;
  readonly variant: string;
  /** `undefined` when the split had none (so none ≠ 0). */
  readonly serialId: number | undefined;
  readonly token: number;
}

interface Entry {
  allocation: string;
  variant: string;
  serialId: number | undefined;
  token: number;
  readonly scope: ExposureScope;
  readonly flagKey: string;
  readonly subjectId: string;
  readonly subjects: SubjectTable;
}

/** Length-prefixed concatenation: unambiguous for any strings, cheaper than `JSON.stringify` of an array. */
function part(s: string): string {
  return `${s.length}:${s}`;
}

/**
 * The cache key prefix of a service context (computed once per writer): the
 * name of its {@link ExposureScope}.
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
 * The dedupe key of an exposure as one string, given its context's
 * {@link exposureKeyPrefix}: the key of the string-keyed methods of
 * {@link ExposureCache} (the writer uses scopes instead).
 *
 * @example
 * ```ts
 * // (fragment) internal helper of the exposures cache
 * const key = exposureKey(exposureKeyPrefix("shop", "prod", "1"), "new-checkout", "user-1");
 * ```
 */
export function exposureKey(prefix: string, flagKey: string, subjectId: string): string {
  // The subject id comes last, so it needs no length of its own to stay unambiguous.
  return prefix + part(flagKey) + subjectId;
}

/** Scope name of the string-keyed methods (a name {@link exposureKeyPrefix} never returns: it starts with a digit). */
const STRING_KEYS = "string-keys";

/** lru-cache's `set` writes `status` into its options object: one reused object instead of one per call. */
const SET_OPTIONS: LRUCache.SetOptions<Entry, Entry, unknown> = {};

function unlink(entry: Entry): void {
  const { subjects, subjectId } = entry;
  if (subjects.get(subjectId) !== entry) return;
  subjects.delete(subjectId);
  if (subjects.size === 0 && entry.scope.get(entry.flagKey) === subjects) entry.scope.delete(entry.flagKey);
}

/**
 * A bounded LRU of the exposures already logged. Capacity 0 disables it
 * (nothing is ever a duplicate). One cache may be shared by several
 * `ExposureWriter`s (e.g. one per service): entries are kept per service
 * context ({@link ExposureCache.scope}).
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
  /** Recency and eviction of the entries (keyed by the entry objects themselves). */
  readonly #lru: LRUCache<Entry, Entry> | undefined;
  /**
   * Scopes by name. One per distinct service context a writer was built
   * for (kept when empty: writers hold them), so bounded by the writers'
   * contexts, not by traffic.
   */
  readonly #scopes = new Map<string, ExposureScope>();
  #nextToken = 1;

  /** @param capacity maximum entries (default 65,536, the peers' size); 0 disables deduplication. */
  constructor(capacity = 65_536) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new FlagpostError("invalid_argument", `capacity must be a non-negative integer, got ${String(capacity)}`, {
        field: "capacity",
      });
    }
    this.capacity = capacity;
    this.#lru = capacity === 0 ? undefined : new LRUCache<Entry, Entry>({
      max: capacity,
      dispose: (entry, _key, reason) => {
        if (reason === "evict") unlink(entry);
      },
    });
  }

  /** Entries currently held. */
  get size(): number {
    return this.#lru?.size ?? 0;
  }

  /**
   * The entries of one service context, named by its {@link exposureKeyPrefix}
   * (the same name gives the same scope, so writers of one context share their entries).
   */
  scope(name: string): ExposureScope {
    let scope = this.#scopes.get(name);
    if (scope === undefined) {
      scope = new Map();
      this.#scopes.set(name, scope);
    }
    return scope;
  }

  /**
   * True when (`flagKey`, `subjectId`) of `scope` was last logged with
   * exactly this allocation, variant and serial id (`undefined` ≠ `0`);
   * marks the entry recently used.
   */
  isDuplicateIn(
    scope: ExposureScope,
    flagKey: string,
    subjectId: string,
    allocation: string,
    variant: string,
    serialId: number | undefined,
  ): boolean {
    const e = scope.get(flagKey)?.get(subjectId);
    if (e === undefined || e.allocation !== allocation || e.variant !== variant || e.serialId !== serialId) return false;
    this.#lru!.get(e); // recency
    return true;
  }

  /**
   * Records (allocation, variant, serial id) as the last logged for
   * (`flagKey`, `subjectId`) of `scope`; returns the entry (`undefined` when
   * disabled), whose current `token` identifies this write for {@link forgetEntry}.
   */
  rememberIn(
    scope: ExposureScope,
    flagKey: string,
    subjectId: string,
    allocation: string,
    variant: string,
    serialId: number | undefined,
  ): ExposureCacheEntry | undefined {
    const lru = this.#lru;
    if (lru === undefined) return undefined;
    let subjects = scope.get(flagKey);
    if (subjects === undefined) {
      subjects = new Map();
      scope.set(flagKey, subjects);
    }
    let e = subjects.get(subjectId);
    if (e === undefined) {
      e = { allocation, variant, serialId, token: this.#nextToken++, scope, flagKey, subjectId, subjects };
      subjects.set(subjectId, e);
    } else {
      e.allocation = allocation;
      e.variant = variant;
      e.serialId = serialId;
      e.token = this.#nextToken++;
    }
    lru.set(e, e, SET_OPTIONS); // new: may evict the least recently used (which unlinks itself); else: recency
    return e;
  }

  /** Removes `entry` if it still holds the write `token` identifies (a newer value is kept). Returns whether it removed it. */
  forgetEntry(entry: ExposureCacheEntry, token: number): boolean {
    const e = entry as Entry;
    if (this.#lru === undefined || e.token !== token || e.subjects.get(e.subjectId) !== e) return false;
    unlink(e);
    this.#lru.delete(e);
    return true;
  }

  /**
   * True when `key` ({@link exposureKey}) was last logged with exactly this
   * allocation, variant and serial id (`undefined` ≠ `0`); marks the entry recently used.
   */
  isDuplicate(key: string, allocation: string, variant: string, serialId: number | undefined): boolean {
    if (this.#lru === undefined) return false;
    return this.isDuplicateIn(this.scope(STRING_KEYS), "", key, allocation, variant, serialId);
  }

  /** Records (allocation, variant, serial id) as the last logged for `key`; returns the entry's token (0 when disabled). */
  remember(key: string, allocation: string, variant: string, serialId: number | undefined): number {
    return this.rememberIn(this.scope(STRING_KEYS), "", key, allocation, variant, serialId)?.token ?? 0;
  }

  /** Removes `key` if it still holds the entry `token` wrote (a newer value is kept). Returns whether it removed it. */
  forget(key: string, token: number): boolean {
    if (this.#lru === undefined || token === 0) return false;
    const e = this.scope(STRING_KEYS).get("")?.get(key);
    return e !== undefined && this.forgetEntry(e, token);
  }

  /** Forgets everything. */
  clear(): void {
    this.#lru?.clear();
    for (const scope of this.#scopes.values()) scope.clear();
  }
}
