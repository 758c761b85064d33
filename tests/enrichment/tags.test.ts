import { expect, test } from "bun:test";
import { FFE_FLAGS_TAG, FFE_RUNTIME_DEFAULTS_TAG, FFE_SUBJECTS_TAG, SPAN_ENRICHMENT_LIMITS } from "../../src/enrichment/tags.ts";
import { ddTraceSpanEnrichment, ddTraceTags } from "./_dd-trace-reference.ts";
import { match, runtimeDefault } from "./_records.ts";

test("limits are dd-trace-js's", () => {
  expect({ ...SPAN_ENRICHMENT_LIMITS } as Record<string, number>).toEqual({
    maxSerialIds: ddTraceSpanEnrichment.MAX_SERIAL_IDS,
    maxSubjects: ddTraceSpanEnrichment.MAX_SUBJECTS,
    maxIdsPerSubject: ddTraceSpanEnrichment.MAX_EXPERIMENTS_PER_SUBJECT,
    maxRuntimeDefaults: ddTraceSpanEnrichment.MAX_DEFAULTS,
    maxDefaultValueLength: ddTraceSpanEnrichment.MAX_DEFAULT_VALUE_LENGTH,
  });
  expect(Object.isFrozen(SPAN_ENRICHMENT_LIMITS)).toBe(true);
});

test("tag names are the ones dd-trace-js sets", () => {
  const tags = ddTraceTags([match(1, "u"), runtimeDefault("g", 1)]);
  expect(Object.keys(tags)).toEqual([FFE_FLAGS_TAG, FFE_SUBJECTS_TAG, FFE_RUNTIME_DEFAULTS_TAG]);
});
