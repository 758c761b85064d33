/**
 * `EvaluationAggregator`: the bounded, in-memory window of
 * `feature_flag.evaluations` counts between two flushes.
 *
 * Identical attribute sets share one counter. The number of series is
 * capped so memory stays flat however many distinct variants, allocation
 * keys or reasons arrive (a provider bug, a flag with a variant per user):
 *
 * 1. up to `maxSeries` ordinary series (default `limits.maxMetricPoints`, 2,000);
 * 2. past it, a new attribute set of flag F is counted in F's overflow
 *    series (variant and reason `__overflow__`), at most `maxOverflowFlags`
 *    of them (default 100);
 * 3. past that, in one global overflow series (flag key `__overflow__` too).
 *
 * An attribute value longer than `maxAttributeLength` (default 256 UTF-16
 * units) also goes to an overflow series rather than into memory. Nothing
 * is dropped: every accepted evaluation is counted in some series.
 *
 * @module
 */
import type { EvaluationRecord } from "../core/evaluation.ts";
import { evaluationAttributes, evaluationSeriesValues } from "./evaluation-attributes.ts";
import type { MetricAttribute, MetricPoint, MetricWindow } from "./otlp-request.ts";

/** Variant (and reason, and for the global series flag key) of overflow series. */
export const OVERFLOW_VALUE = "__overflow__";

/** Default cap on per-flag overflow series. */
export const DEFAULT_MAX_OVERFLOW_FLAGS = 100;
/** Default cap on the length of one attribute value kept as its own series. */
export const DEFAULT_MAX_ATTRIBUTE_LENGTH = 256;

/** Caps of an {@link EvaluationAggregator}. */
export interface AggregatorLimits {
  /** Ordinary series per window. */
  readonly maxSeries: number;
  /** Per-flag overflow series per window (default 100). */
  readonly maxOverflowFlags?: number;
  /** Longest attribute value (UTF-16 units) kept as its own series (default 256). */
  readonly maxAttributeLength?: number;
}

/** Where one evaluation was counted. */
export type AggregateOutcome = "aggregated" | "overflow_flag" | "overflow_global" | "invalid";

/** One counter: a `MetricPoint` plus what the aggregator needs to merge it back. */
export interface EvaluationSeries extends MetricPoint {
  /** Map key of the series (its attribute values joined). */
  readonly key: string;
  /** The flag the series belongs to (`__overflow__` for the global overflow series). */
  readonly flagKey: string;
  /** 0 ordinary, 1 per-flag overflow, 2 global overflow. */
  readonly tier: 0 | 1 | 2;
  count: number;
}

/** A drained window: its series (usable as `MetricPoint`s), time window and evaluation total. */
export interface DrainedWindow {
  readonly points: EvaluationSeries[];
  readonly window: MetricWindow;
  /** Sum of the counts: the evaluations the window holds. */
  readonly evaluations: number;
}

const SEP = "\u0000";
const GLOBAL_KEY = "\u0001global";

/**
 * The bounded window of evaluation counts. `add` is synchronous, O(1) and
 * never throws.
 *
 * @example
 * ```ts
 * import { EvaluationAggregator } from "./aggregator.ts"; // internal: EvaluationMetrics uses it
 * const aggregator = new EvaluationAggregator({ maxSeries: 2_000 }, 1_700_000_000_000);
 * aggregator.add({
 *   flagKey: "checkout", variant: "on", value: true, reason: "STATIC", errorCode: undefined,
 *   allocationKey: "default-allocation", serialId: undefined, doLog: true, targetingKey: "u1", attributes: {}, timestamp: 0,
 * });
 * const drained = aggregator.drain(1_700_000_010_000);
 * console.log(drained?.points[0]?.count); // 1
 * ```
 */
export class EvaluationAggregator {
  readonly #maxSeries: number;
  readonly #maxOverflowFlags: number;
  readonly #maxAttributeLength: number;
  #series = new Map<string, EvaluationSeries>();
  #ordinary = 0;
  #overflowFlags = 0;
  #evaluations = 0;
  #startMs: number;

  constructor(limits: AggregatorLimits, startMs: number) {
    this.#maxSeries = limits.maxSeries;
    this.#maxOverflowFlags = limits.maxOverflowFlags ?? DEFAULT_MAX_OVERFLOW_FLAGS;
    this.#maxAttributeLength = limits.maxAttributeLength ?? DEFAULT_MAX_ATTRIBUTE_LENGTH;
    this.#startMs = startMs;
  }

  /** Distinct series in the window (overflow series included). */
  get size(): number {
    return this.#series.size;
  }

  /** Evaluations counted in the window. */
  get evaluations(): number {
    return this.#evaluations;
  }

  /** Start of the window, epoch milliseconds. */
  get startMs(): number {
    return this.#startMs;
  }

  /** Counts one evaluation; returns where it went (`invalid`: empty or missing flag key, not counted). */
  add(record: EvaluationRecord): AggregateOutcome {
    const values = evaluationSeriesValues(record);
    if (values === undefined) return "invalid";
    const { flagKey, variant, reason, errorType, allocationKey } = values;
    const max = this.#maxAttributeLength;
    if (flagKey.length > max) return this.#toGlobal(1);
    const key = flagKey + SEP + variant + SEP + reason + SEP + (errorType ?? SEP) + SEP + (allocationKey ?? SEP);
    const existing = this.#series.get(key);
    if (existing !== undefined) {
      existing.count++;
      this.#evaluations++;
      return "aggregated";
    }
    if (
      this.#ordinary >= this.#maxSeries || variant.length > max || reason.length > max || (errorType?.length ?? 0) > max ||
      (allocationKey?.length ?? 0) > max
    ) {
      return this.#toOverflow(flagKey, 1);
    }
    this.#insert({ key, flagKey, tier: 0, attributes: evaluationAttributes(values), count: 1 });
    this.#ordinary++;
    this.#evaluations++;
    return "aggregated";
  }

  /**
   * Takes the window's series and starts a new window at `nowMs`. Returns
   * `undefined` (and keeps the window open) when it holds nothing.
   */
  drain(nowMs: number): DrainedWindow | undefined {
    if (this.#series.size === 0) return undefined;
    const points = [...this.#series.values()];
    const drained: DrainedWindow = {
      points,
      window: { startMs: this.#startMs, endMs: Math.max(nowMs, this.#startMs) },
      evaluations: this.#evaluations,
    };
    this.#series = new Map();
    this.#ordinary = 0;
    this.#overflowFlags = 0;
    this.#evaluations = 0;
    this.#startMs = Math.max(nowMs, this.#startMs);
    return drained;
  }

  /**
   * Puts a drained window back (its send failed with a retryable error):
   * counts merge into the current window, within the same caps (a series
   * without room goes to overflow), and the window's start moves back to
   * the older start.
   */
  merge(drained: DrainedWindow): void {
    for (const series of drained.points) {
      const existing = this.#series.get(series.key);
      if (existing !== undefined) {
        existing.count += series.count;
        this.#evaluations += series.count;
      } else if (series.tier === 0 && this.#ordinary < this.#maxSeries) {
        this.#insert({ key: series.key, flagKey: series.flagKey, tier: 0, attributes: series.attributes, count: series.count });
        this.#ordinary++;
        this.#evaluations += series.count;
      } else if (series.tier === 2) {
        this.#toGlobal(series.count);
      } else {
        this.#toOverflow(series.flagKey, series.count);
      }
    }
    this.#startMs = Math.min(this.#startMs, drained.window.startMs);
  }

  #insert(series: EvaluationSeries): void {
    this.#series.set(series.key, series);
  }

  #toOverflow(flagKey: string, count: number): AggregateOutcome {
    const key = `\u0001flag${SEP}${flagKey}`;
    const existing = this.#series.get(key);
    if (existing !== undefined) {
      existing.count += count;
      this.#evaluations += count;
      return "overflow_flag";
    }
    if (this.#overflowFlags >= this.#maxOverflowFlags || flagKey.length > this.#maxAttributeLength) return this.#toGlobal(count);
    const attributes: MetricAttribute[] = [
      ["feature_flag.key", flagKey],
      ["feature_flag.result.variant", OVERFLOW_VALUE],
      ["feature_flag.result.reason", OVERFLOW_VALUE],
    ];
    this.#insert({ key, flagKey, tier: 1, attributes, count });
    this.#overflowFlags++;
    this.#evaluations += count;
    return "overflow_flag";
  }

  #toGlobal(count: number): AggregateOutcome {
    const existing = this.#series.get(GLOBAL_KEY);
    if (existing !== undefined) existing.count += count;
    else {
      const attributes: MetricAttribute[] = [
        ["feature_flag.key", OVERFLOW_VALUE],
        ["feature_flag.result.variant", OVERFLOW_VALUE],
        ["feature_flag.result.reason", OVERFLOW_VALUE],
      ];
      this.#insert({ key: GLOBAL_KEY, flagKey: OVERFLOW_VALUE, tier: 2, attributes, count });
    }
    this.#evaluations += count;
    return "overflow_global";
  }
}
