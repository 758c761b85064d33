/**
 * How an evaluation recorded by a `FlagpostProvider` (given a flagpost
 * instance) is recognised by that instance's OpenFeature hook, so it is
 * counted once.
 *
 * The provider tags the `flagMetadata` object it returns with a
 * symbol-keyed property naming the recorder and the record. The OpenFeature
 * SDKs freeze and pass that same object to the `finally` hooks (a copy made
 * with spread keeps enumerable symbol properties too), while JSON, `Object.keys`
 * and user code reading string keys never see it.
 *
 * @module
 */
import type { FlagMetadata } from "@openfeature/core";
import type { EvaluationRecord } from "../core/evaluation.ts";

/**
 * What a provider or hook records into: a flagpost instance (`createFlagpost`).
 * `enrichRecorded` lets the hook add an evaluation the provider recorded
 * outside any request scope to the hook's scope, once.
 *
 * @example
 * ```ts
 * import type { EvaluationRecorder } from "flagpost/openfeature";
 * const records: unknown[] = [];
 * const recorder: EvaluationRecorder = { recordEvaluation: (record) => void records.push(record) };
 * console.log(typeof recorder.recordEvaluation);
 * ```
 */
export interface EvaluationRecorder {
  /** Feeds every enabled signal from one evaluation; synchronous and never throws. */
  recordEvaluation(record: EvaluationRecord): void;
  /** Adds a record it already took to a request scope's enrichment, if it was not added to one yet. */
  enrichRecorded?(record: EvaluationRecord, scope: unknown): void;
}

/** The mark: who recorded the evaluation, and the record. */
export interface RecordedMark {
  readonly recorder: EvaluationRecorder;
  readonly record: EvaluationRecord;
}

function markKey(): symbol {
  return Symbol.for("flagpost.recorded");
}

/** Tags `metadata` as recorded by `recorder`. */
export function markRecorded(metadata: FlagMetadata, recorder: EvaluationRecorder, record: EvaluationRecord): void {
  (metadata as Record<symbol, RecordedMark>)[markKey()] = { recorder, record };
}

/** The mark on `metadata`, if a flagpost provider put one there. */
export function recordedMark(metadata: unknown): RecordedMark | undefined {
  if (metadata === null || typeof metadata !== "object") return undefined;
  const mark = (metadata as Record<symbol, unknown>)[markKey()];
  return mark !== null && typeof mark === "object" && "recorder" in mark ? mark as RecordedMark : undefined;
}
