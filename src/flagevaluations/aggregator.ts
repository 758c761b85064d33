/**
 * Per-window aggregation of flag evaluations into rows, one per (flag,
 * variant, allocation, runtime default used, error code, subject) — and,
 * with consent, per flattened context.
 *
 * Recording is on the evaluation's hot path, so it does no hashing and no
 * I/O: it walks nested maps keyed by the record's own strings (flag →
 * variant → allocation → error → runtime default → subject) and bumps a
 * counter. That is cheaper than building one identity string per
 * evaluation (concatenation, then hashing the new string): the keys are
 * usually the same string objects evaluation after evaluation, whose hashes
 * the engine has already cached. Memory is flat
 * whatever arrives: at most `maxRows` subject rows, at most
 * `maxRowsPerFlag` of them per flag; past either bound an evaluation goes
 * to a *degraded* row of the same dimensions without subject or context
 * (at most `maxDegradedRows`); past that it is dropped and the caller
 * counts it. These are dd-trace-js 6.21's caps and order of checks.
 *
 * @module
 */
import type { ContextScalar } from "./context-snapshot.ts";

/** One evaluation, normalized for aggregation (see `FlagEvaluationWriter.record`). */
export interface FlagEvaluationEvent {
  readonly flagKey: string;
  /** Non-empty variant, or `undefined`. */
  readonly variant: string | undefined;
  /** Non-empty allocation key, or `undefined`. */
  readonly allocation: string | undefined;
  /** True when the evaluation returned the caller's default (no variant). */
  readonly runtimeDefault: boolean;
  /** Allow-listed error code, or `undefined`. */
  readonly error: string | undefined;
  /** Raw, well-formed targeting key (`""` allowed), or `undefined` when absent. */
  readonly targetingKey: string | undefined;
  /** Sorted flattened context, only with consent. */
  readonly context: ReadonlyArray<readonly [string, ContextScalar]> | undefined;
  /** The configuration's `observeFullEvaluationData`. */
  readonly consent: boolean;
  /** Epoch milliseconds. */
  readonly timestamp: number;
}

/**
 * An aggregated row, before hashing and encoding: the dimensions of its
 * events (on a degraded row `targetingKey` and `context` are `undefined`),
 * plus what aggregation adds.
 */
export interface FlagEvaluationEntry extends Omit<FlagEvaluationEvent, "consent" | "timestamp"> {
  /** Rows without subject or context (a cap was reached). */
  readonly degraded: boolean;
  consent: boolean;
  count: number;
  first: number;
  last: number;
}

/** Caps of one window. */
export interface FlagEvaluationCaps {
  readonly maxRows: number;
  readonly maxRowsPerFlag: number;
  readonly maxDegradedRows: number;
}

/** Where an evaluation went: its subject row, a degraded row, or nowhere (all caps reached). */
export type AggregationOutcome = "row" | "degraded" | "dropped";

/** Subject rows of one (flag, variant, allocation, error, runtime default). */
interface SubjectRows {
  /** Rows without consent nor context, by raw targeting key (the usual case). */
  readonly plain: Map<string | undefined, FlagEvaluationEntry>;
  /** Other rows, by `subjectIdentity()`. */
  other: Map<string, FlagEvaluationEntry> | undefined;
}

/** Subject rows of one flag, and how many there are (the per-flag cap). */
interface FlagRows {
  rows: number;
  /** variant → allocation → error → [not runtime default, runtime default]. */
  readonly byVariant: Map<string | undefined, Map<string | undefined, Map<string | undefined, [SubjectRows?, SubjectRows?]>>>;
}

/** Identity of a subject with consent or context: consent, targeting key and context. */
function subjectIdentity(targetingKey: string | undefined, consent: boolean, context: FlagEvaluationEvent["context"]): string {
  return (consent ? "c" : "n") + part(targetingKey) + (context === undefined ? "" : JSON.stringify(context));
}

/** Length-prefixed concatenation: injective without escaping, cheaper than JSON. */
function part(value: string | undefined): string {
  return value === undefined ? "-|" : `${value.length}:${value}|`;
}

function dimensionsIdentity(flagKey: string, variant?: string, allocation?: string, runtimeDefault?: boolean, error?: string): string {
  return part(flagKey) + part(variant) + part(allocation) + (runtimeDefault ? "1" : "0") + part(error);
}

/**
 * The rows of the current window.
 *
 * @example
 * ```ts
 * import { FlagEvaluationAggregator } from "./aggregator.ts";
 * const window = new FlagEvaluationAggregator({ maxRows: 131_072, maxRowsPerFlag: 10_000, maxDegradedRows: 32_768 });
 * const event = {
 *   flagKey: "checkout", variant: "on", allocation: "beta", runtimeDefault: false, error: undefined,
 *   targetingKey: "alice", context: undefined, consent: false, timestamp: 1_700_000_000_000,
 * };
 * window.add(event);
 * window.add({ ...event, timestamp: 1_700_000_000_500 });
 * console.log(window.rows, window.evaluations); // 1 2
 * ```
 */
export class FlagEvaluationAggregator {
  readonly #caps: FlagEvaluationCaps;
  #flags = new Map<string, FlagRows>();
  /** Subject rows in arrival order. */
  #full: FlagEvaluationEntry[] = [];
  #degraded = new Map<string, FlagEvaluationEntry>();
  #evaluations = 0;

  constructor(caps: FlagEvaluationCaps) {
    this.#caps = caps;
  }

  /** Rows held (subject and degraded). */
  get rows(): number {
    return this.#full.length + this.#degraded.size;
  }

  /** Evaluations held in this window's rows. */
  get evaluations(): number {
    return this.#evaluations;
  }

  /** Adds one evaluation. */
  add(event: FlagEvaluationEvent): AggregationOutcome {
    const plain = !event.consent && event.context === undefined;
    let flag = this.#flags.get(event.flagKey);
    let subjects: SubjectRows | undefined;
    if (flag !== undefined) {
      subjects = flag.byVariant.get(event.variant)?.get(event.allocation)?.get(event.error)?.[event.runtimeDefault ? 1 : 0];
      if (subjects !== undefined) {
        const existing = plain
          ? subjects.plain.get(event.targetingKey)
          : subjects.other?.get(subjectIdentity(event.targetingKey, event.consent, event.context));
        if (existing !== undefined) {
          observe(existing, 1, event.timestamp, event.timestamp, event.consent);
          this.#evaluations++;
          return "row";
        }
      }
    }
    if ((flag !== undefined && flag.rows >= this.#caps.maxRowsPerFlag) || this.#full.length >= this.#caps.maxRows) {
      const dimensions = dimensionsIdentity(event.flagKey, event.variant, event.allocation, event.runtimeDefault, event.error);
      return this.#addDegraded(dimensions, event, 1, event.timestamp, event.timestamp);
    }
    if (flag === undefined) {
      flag = { rows: 0, byVariant: new Map() };
      this.#flags.set(event.flagKey, flag);
    }
    subjects ??= subjectRows(flag, event);
    this.#insertFull(flag, subjects, plain, {
      flagKey: event.flagKey,
      variant: event.variant,
      allocation: event.allocation,
      runtimeDefault: event.runtimeDefault,
      error: event.error,
      targetingKey: event.targetingKey,
      context: event.context,
      degraded: false,
      consent: event.consent,
      count: 1,
      first: event.timestamp,
      last: event.timestamp,
    });
    return "row";
  }

  /**
   * Puts back a row taken earlier whose delivery failed with a retryable
   * error, merging it with this window's row of the same identity, within
   * the caps (a subject row may become degraded; beyond every cap it is
   * dropped and `"dropped"` is returned for the caller to count).
   */
  merge(entry: FlagEvaluationEntry): AggregationOutcome {
    if (!entry.degraded) {
      const plain = !entry.consent && entry.context === undefined;
      let flag = this.#flags.get(entry.flagKey);
      const subjects = flag === undefined ? undefined : subjectRows(flag, entry);
      const existing = subjects === undefined
        ? undefined
        : plain
        ? subjects.plain.get(entry.targetingKey)
        : subjects.other?.get(subjectIdentity(entry.targetingKey, entry.consent, entry.context));
      if (existing !== undefined) {
        observe(existing, entry.count, entry.first, entry.last, entry.consent);
        this.#evaluations += entry.count;
        return "row";
      }
      if ((flag === undefined || flag.rows < this.#caps.maxRowsPerFlag) && this.#full.length < this.#caps.maxRows) {
        if (flag === undefined) {
          flag = { rows: 0, byVariant: new Map() };
          this.#flags.set(entry.flagKey, flag);
        }
        this.#insertFull(flag, subjects ?? subjectRows(flag, entry), plain, { ...entry });
        return "row";
      }
    }
    const dimensions = dimensionsIdentity(entry.flagKey, entry.variant, entry.allocation, entry.runtimeDefault, entry.error);
    return this.#addDegraded(dimensions, entry, entry.count, entry.first, entry.last);
  }

  /** Takes every row (subject rows first, in arrival order, then degraded ones) and starts a new window. */
  take(): FlagEvaluationEntry[] {
    const rows = this.#full;
    for (const entry of this.#degraded.values()) rows.push(entry);
    this.#flags = new Map();
    this.#full = [];
    this.#degraded = new Map();
    this.#evaluations = 0;
    return rows;
  }

  #insertFull(flag: FlagRows, subjects: SubjectRows, plain: boolean, entry: FlagEvaluationEntry): void {
    if (plain) {
      subjects.plain.set(entry.targetingKey, entry);
    } else {
      (subjects.other ??= new Map()).set(subjectIdentity(entry.targetingKey, entry.consent, entry.context), entry);
    }
    flag.rows++;
    this.#full.push(entry);
    this.#evaluations += entry.count;
  }

  #addDegraded(
    identity: string,
    from: Pick<FlagEvaluationEntry, "flagKey" | "variant" | "allocation" | "runtimeDefault" | "error" | "consent">,
    count: number,
    first: number,
    last: number,
  ): AggregationOutcome {
    const existing = this.#degraded.get(identity);
    if (existing !== undefined) {
      observe(existing, count, first, last, from.consent);
      this.#evaluations += count;
      return "degraded";
    }
    if (this.#degraded.size >= this.#caps.maxDegradedRows) return "dropped";
    this.#degraded.set(identity, {
      flagKey: from.flagKey,
      variant: from.variant,
      allocation: from.allocation,
      runtimeDefault: from.runtimeDefault,
      error: from.error,
      targetingKey: undefined,
      context: undefined,
      degraded: true,
      consent: from.consent,
      count,
      first,
      last,
    });
    this.#evaluations += count;
    return "degraded";
  }
}

function observe(entry: FlagEvaluationEntry, count: number, first: number, last: number, consent: boolean): void {
  entry.count += count;
  if (first < entry.first) entry.first = first;
  if (last > entry.last) entry.last = last;
  entry.consent &&= consent;
}

/** The subject rows of `dims` under `flag`, created on first use. */
function subjectRows(
  flag: FlagRows,
  dims: Pick<FlagEvaluationEvent, "variant" | "allocation" | "error" | "runtimeDefault">,
): SubjectRows {
  let byAllocation = flag.byVariant.get(dims.variant);
  if (byAllocation === undefined) flag.byVariant.set(dims.variant, byAllocation = new Map());
  let byError = byAllocation.get(dims.allocation);
  if (byError === undefined) byAllocation.set(dims.allocation, byError = new Map());
  let byDefault = byError.get(dims.error);
  if (byDefault === undefined) byError.set(dims.error, byDefault = []);
  const slot = dims.runtimeDefault ? 1 : 0;
  return byDefault[slot] ??= { plain: new Map(), other: undefined };
}
