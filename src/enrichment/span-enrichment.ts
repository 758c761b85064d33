/**
 * The per-root-span accumulator behind the `ffe_*` span tags.
 *
 * One `SpanEnrichment` lives exactly as long as one root span (one request):
 * every hook, client and provider that evaluates during the request adds to
 * the same instance, and the tags are computed once when the span finishes.
 * It is the unit of isolation: there is no global or per-isolate state, so
 * two interleaved requests holding two instances never see each other's
 * entries, and a fresh instance starts empty.
 *
 * `add()` runs on every evaluation, so it is synchronous, never throws,
 * does no hashing and allocates nothing but its entries (a Set for a new
 * subject, the default's string). SHA-256 (Web Crypto is async) and the
 * encoding happen in `toTags()`, once per span.
 *
 * Behaviour at each limit matches dd-trace-js 6.21's `SpanEnrichmentState`
 * and `SpanEnrichmentHook.finally` (first entries win, duplicates are free
 * while below a limit), except for its three defects:
 * - a subject was given a serial id that the 200-id cap had refused, so
 *   `ffe_subjects_enc` named ids absent from `ffe_flags_enc`;
 * - `slice(0, 64)` split a surrogate pair;
 * - the varint encoder used `>>>= 7`, corrupting ids ≥ 2^32.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import type { EvaluationRecord } from "../core/evaluation.ts";
import { sha256Hex } from "../core/sha256.ts";
import { StatsRegistry } from "../core/stats.ts";
import { runtimeDefaultText, truncateUtf16 } from "./_runtime-default.ts";
import { encodeSerialIds } from "./serial-ids.ts";
import { SPAN_ENRICHMENT_LIMITS, type SpanEnrichmentTags } from "./tags.ts";

/**
 * Counter name (in `stats`) of entries `add()` did not keep; the reason says why.
 *
 * @example
 * ```ts
 * import { SPAN_ENRICHMENT_DROPPED, SpanEnrichment, StatsRegistry } from "flagpost";
 * const stats = new StatsRegistry();
 * const enrichment = new SpanEnrichment({ stats });
 * for (let id = 0; id < 201; id++) {
 *   enrichment.add({
 *     flagKey: `f${id}`, variant: "on", value: true, reason: "STATIC", errorCode: undefined, allocationKey: "a",
 *     serialId: id, doLog: false, targetingKey: undefined, attributes: {}, timestamp: 0,
 *   });
 * }
 * console.log(stats.get(SPAN_ENRICHMENT_DROPPED, "serial_id_limit")); // 1
 * ```
 */
export const SPAN_ENRICHMENT_DROPPED = "span_enrichment.dropped";
/**
 * Counter name of runtime default values cut to the length limit (the entry is kept).
 *
 * @example
 * ```ts
 * import { SPAN_ENRICHMENT_TRUNCATED, SpanEnrichment } from "flagpost";
 * const enrichment = new SpanEnrichment();
 * enrichment.add({
 *   flagKey: "missing", variant: undefined, value: "x".repeat(100), reason: "ERROR", errorCode: "FLAG_NOT_FOUND",
 *   allocationKey: undefined, serialId: undefined, doLog: false, targetingKey: undefined, attributes: {}, timestamp: 0,
 * });
 * console.log(enrichment.stats.get(SPAN_ENRICHMENT_TRUNCATED)); // 1
 * ```
 */
export const SPAN_ENRICHMENT_TRUNCATED = "span_enrichment.truncated";

/**
 * Options of a {@link SpanEnrichment}.
 *
 * @example
 * ```ts
 * import { type SpanEnrichmentOptions, StatsRegistry } from "flagpost";
 * const options: SpanEnrichmentOptions = { stats: new StatsRegistry() };
 * console.log(options.stats !== undefined);
 * ```
 */
export interface SpanEnrichmentOptions {
  /**
   * Where dropped entries are counted (`span_enrichment.dropped` by reason
   * `serial_id_limit`, `subject_limit`, `subject_id_limit`,
   * `runtime_default_limit`, `invalid`) and truncated defaults
   * (`span_enrichment.truncated`). Pass the facade's registry so `stats()`
   * shows them; without one, a private registry is created on the first drop.
   */
  readonly stats?: StatsRegistry;
}

/**
 * Accumulates the flag evaluations of one root span and renders the
 * `ffe_flags_enc`, `ffe_subjects_enc` and `ffe_runtime_defaults` tags.
 *
 * Create one per root span with {@link SpanEnrichment.forConfig} (returns
 * `undefined` when `DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED`
 * is off, so no work is done per evaluation) or `new SpanEnrichment()`.
 *
 * @example
 * ```ts
 * import { type EvaluationRecord, resolveConfig, SpanEnrichment } from "flagpost";
 * const config = resolveConfig({ DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED: "true" });
 * const enrichment = SpanEnrichment.forConfig(config); // undefined when the gate is off
 * const record: EvaluationRecord = {
 *   flagKey: "checkout", variant: "on", value: true, reason: "STATIC", errorCode: undefined,
 *   allocationKey: "all", serialId: 100, doLog: true, targetingKey: "user-123", attributes: {}, timestamp: Date.now(),
 * };
 * enrichment?.add(record);
 * console.log(await enrichment?.toTags());
 * // { ffe_flags_enc: "ZA==", ffe_subjects_enc: '{"fcdec6df…":"ZA=="}' }
 * ```
 */
export class SpanEnrichment {
  /**
   * A new accumulator when span enrichment is enabled in `config`, else
   * `undefined`: with the gate off nothing is created and callers skip
   * `add()` entirely (`enrichment?.add(record)`).
   *
   * @example
   * ```ts
   * import { resolveConfig, SpanEnrichment } from "flagpost";
   * console.log(SpanEnrichment.forConfig(resolveConfig({}))); // undefined (off by default)
   * ```
   */
  static forConfig(
    config: Pick<Config, "spanEnrichmentEnabled">,
    options?: SpanEnrichmentOptions,
  ): SpanEnrichment | undefined {
    return config.spanEnrichmentEnabled === true ? new SpanEnrichment(options) : undefined;
  }

  readonly #serialIds = new Set<number>();
  /** Raw targeting key → its serial ids, in first-seen order (hashed in `toTags`). */
  #subjects: Map<string, Set<number>> | undefined;
  /** Flag key → formatted default, in first-seen order. */
  #defaults: Map<string, string> | undefined;
  /** Targeting key → SHA-256 hex, so a second `toTags()` does not hash again. */
  #hashes: Map<string, string> | undefined;
  #stats: StatsRegistry | undefined;
  #tags: Promise<SpanEnrichmentTags> | undefined;

  constructor(options: SpanEnrichmentOptions = {}) {
    this.#stats = options?.stats;
  }

  /** The registry drops are counted in (the one passed in options, else a private one). */
  get stats(): StatsRegistry {
    return this.#stats ??= new StatsRegistry();
  }

  /** True when no serial id and no runtime default was kept (then `toTags()` returns `{}`). */
  get isEmpty(): boolean {
    return this.#serialIds.size === 0 &&
      (this.#defaults === undefined || this.#defaults.size === 0);
  }

  /**
   * Records one evaluation. Synchronous, never throws; what a limit refuses
   * is counted in {@link SpanEnrichment.stats} (`span_enrichment.dropped`).
   *
   * - a serial id (any unsigned safe integer; `0` is valid) is recorded when
   *   the record has one; a malformed id is dropped as `invalid`;
   * - when also `doLog` is true and the targeting key is a non-empty string,
   *   the subject gets that id — only if the id itself was kept;
   * - a record with neither serial id nor variant records a runtime default,
   *   flag key → `String(value)` (JSON for objects and arrays), first value
   *   per flag wins, cut to 64 UTF-16 code units without splitting a
   *   surrogate pair.
   *
   * @example
   * ```ts
   * // (fragment) inside an OpenFeature `finally` hook or a provider's onEvaluation
   * enrichment.add(record);
   * ```
   */
  add(record: EvaluationRecord): void {
    try {
      const serialId = record.serialId;
      if (serialId !== undefined && serialId !== null) {
        this.#addSerialId(serialId, record);
      } else if (record.variant === undefined) {
        this.#addDefault(record.flagKey, record.value);
      }
    } catch {
      this.#drop("invalid");
    }
  }

  #addSerialId(serialId: number, record: EvaluationRecord): void {
    if (
      typeof serialId !== "number" || !Number.isSafeInteger(serialId) ||
      serialId < 0
    ) {
      this.#drop("invalid");
      return;
    }
    const ids = this.#serialIds;
    if (!ids.has(serialId)) {
      if (ids.size >= SPAN_ENRICHMENT_LIMITS.maxSerialIds) {
        // The cap refused this id, so no subject may name it (dd-trace-js's defect).
        this.#drop("serial_id_limit");
        return;
      }
      ids.add(serialId);
      this.#tags = undefined;
    }
    const key = record.targetingKey;
    if (record.doLog !== true || typeof key !== "string" || key === "") return;
    const subjects = this.#subjects ??= new Map();
    const subjectIds = subjects.get(key);
    if (subjectIds !== undefined) {
      if (subjectIds.has(serialId)) return;
      if (subjectIds.size >= SPAN_ENRICHMENT_LIMITS.maxIdsPerSubject) {
        this.#drop("subject_id_limit");
        return;
      }
      subjectIds.add(serialId);
    } else {
      if (subjects.size >= SPAN_ENRICHMENT_LIMITS.maxSubjects) {
        this.#drop("subject_limit");
        return;
      }
      subjects.set(key, new Set([serialId]));
    }
    this.#tags = undefined;
  }

  #addDefault(flagKey: string, value: unknown): void {
    if (typeof flagKey !== "string") {
      this.#drop("invalid");
      return;
    }
    const defaults = this.#defaults ??= new Map();
    if (defaults.has(flagKey)) return;
    if (defaults.size >= SPAN_ENRICHMENT_LIMITS.maxRuntimeDefaults) {
      this.#drop("runtime_default_limit");
      return;
    }
    const full = runtimeDefaultText(value);
    if (full === undefined) {
      this.#drop("invalid");
      return;
    }
    const text = truncateUtf16(
      full,
      SPAN_ENRICHMENT_LIMITS.maxDefaultValueLength,
    );
    if (text.length < full.length) this.stats.count(SPAN_ENRICHMENT_TRUNCATED);
    defaults.set(flagKey, text);
    this.#tags = undefined;
  }

  #drop(reason: string): void {
    this.stats.count(SPAN_ENRICHMENT_DROPPED, reason);
  }

  /**
   * The span tags for everything added so far; a tag is absent when it
   * would be empty (`{}` when nothing was added). JSON tags are exactly what
   * `JSON.stringify` writes (raw UTF-8, unescaped `/`). Idempotent: a second
   * call without new entries returns the same promise and hashes nothing.
   * Never rejects.
   *
   * @example
   * ```ts
   * import { SpanEnrichment } from "flagpost";
   * const enrichment = new SpanEnrichment();
   * enrichment.add({
   *   flagKey: "missing", variant: undefined, value: { a: "/x" }, reason: "ERROR", errorCode: "FLAG_NOT_FOUND",
   *   allocationKey: undefined, serialId: undefined, doLog: false, targetingKey: "u", attributes: {}, timestamp: 0,
   * });
   * console.log((await enrichment.toTags()).ffe_runtime_defaults); // {"missing":"{\"a\":\"/x\"}"}
   * ```
   */
  toTags(): Promise<SpanEnrichmentTags> {
    return this.#tags ??= this.#render();
  }

  async #render(): Promise<SpanEnrichmentTags> {
    const tags: SpanEnrichmentTags = {};
    if (this.isEmpty) return tags;
    try {
      // Everything but hashing is read synchronously, so an add() racing the
      // await below cannot mix two states into one result (it invalidates it instead).
      if (this.#serialIds.size > 0) {
        tags.ffe_flags_enc = encodeSerialIds(this.#serialIds);
      }
      const defaults = this.#defaults === undefined || this.#defaults.size === 0
        ? undefined
        : JSON.stringify(Object.fromEntries(this.#defaults));
      if (this.#subjects !== undefined) {
        const keys: string[] = [];
        const encoded: string[] = [];
        for (const [key, ids] of this.#subjects) {
          keys.push(key);
          encoded.push(encodeSerialIds(ids));
        }
        const hashes = await Promise.all(keys.map((key) => this.#hash(key)));
        const subjects: Record<string, string> = {};
        for (let i = 0; i < hashes.length; i++) {
          subjects[hashes[i]!] = encoded[i]!;
        }
        tags.ffe_subjects_enc = JSON.stringify(subjects);
      }
      if (defaults !== undefined) tags.ffe_runtime_defaults = defaults;
    } catch {
      // Unreachable with validated entries; a failure must not reject into the span's finish.
      this.#drop("invalid");
    }
    return tags;
  }

  async #hash(key: string): Promise<string> {
    const hashes = this.#hashes ??= new Map();
    let hex = hashes.get(key);
    if (hex === undefined) {
      hex = await sha256Hex(key);
      hashes.set(key, hex);
    }
    return hex;
  }
}
