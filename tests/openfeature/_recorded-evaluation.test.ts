/**
 * The recorded-evaluation mark: the provider tags flagMetadata with a symbol-keyed mark so the hook counts an
 * evaluation once; the mark survives a spread copy and freezing, and is invisible to JSON and string keys.
 */
import { describe, expect, test } from "bun:test";
import type { FlagMetadata } from "@openfeature/core";
import type { EvaluationRecord } from "../../src/core/evaluation.ts";
import { type EvaluationRecorder, markRecorded, recordedMark } from "../../src/openfeature/_recorded-evaluation.ts";

const recorder: EvaluationRecorder = { recordEvaluation: () => {} };
const record = { flagKey: "f" } as unknown as EvaluationRecord;

describe("markRecorded / recordedMark", () => {
  test("the mark names the recorder and the record", () => {
    const metadata: FlagMetadata = { team: "checkout" };
    markRecorded(metadata, recorder, record);
    const mark = recordedMark(metadata);
    expect(mark?.recorder).toBe(recorder);
    expect(mark?.record).toBe(record);
  });
  test("survives a spread copy and Object.freeze, as the OpenFeature SDKs pass metadata to hooks", () => {
    const metadata: FlagMetadata = {};
    markRecorded(metadata, recorder, record);
    const copy = Object.freeze({ ...metadata });
    expect(recordedMark(copy)?.record).toBe(record);
  });
  test("is invisible to JSON, Object.keys and string-keyed reads", () => {
    const metadata: FlagMetadata = { team: "checkout" };
    markRecorded(metadata, recorder, record);
    expect(JSON.stringify(metadata)).toBe('{"team":"checkout"}');
    expect(Object.keys(metadata)).toEqual(["team"]);
  });
  test("unmarked or non-object metadata has no mark", () => {
    for (const m of [undefined, null, 3, "x", {}, { [Symbol.for("flagpost.recorded")]: null }, { [Symbol.for("flagpost.recorded")]: {} }]) {
      expect(recordedMark(m)).toBeUndefined();
    }
  });
});
