/**
 * The three span tags that carry span enrichment, their names and limits, in
 * one place so the accumulator, the decoder, the CLI and the tests cannot
 * disagree. Names and limits are Datadog's (dd-trace-js 6.21
 * `openfeature/span-enrichment.js`, matched byte for byte by the PHP tracer).
 *
 * @module
 */

/**
 * Tag holding the encoded serial ids of every split served in the root span.
 *
 * @example
 * ```ts
 * import { FFE_FLAGS_TAG } from "flagpost";
 * console.log(FFE_FLAGS_TAG);
 * ```
 */
export const FFE_FLAGS_TAG = "ffe_flags_enc";
/**
 * Tag holding `{ sha256(targetingKey): encoded serial ids }` for `doLog` allocations.
 *
 * @example
 * ```ts
 * import { FFE_SUBJECTS_TAG } from "flagpost";
 * console.log(FFE_SUBJECTS_TAG);
 * ```
 */
export const FFE_SUBJECTS_TAG = "ffe_subjects_enc";
/**
 * Tag holding `{ flagKey: default value as a string }` for evaluations without a variant.
 *
 * @example
 * ```ts
 * import { FFE_RUNTIME_DEFAULTS_TAG } from "flagpost";
 * console.log(FFE_RUNTIME_DEFAULTS_TAG);
 * ```
 */
export const FFE_RUNTIME_DEFAULTS_TAG = "ffe_runtime_defaults";

/**
 * The tags one root span receives. A tag is absent when it would be empty.
 *
 * @example
 * ```ts
 * import type { SpanEnrichmentTags } from "flagpost";
 * const tags: SpanEnrichmentTags = { ffe_flags_enc: "ZAgUAg==" };
 * console.log(tags.ffe_subjects_enc ?? "no subjects");
 * ```
 */
export interface SpanEnrichmentTags {
  /** Serial ids, deduplicated, ascending, delta-coded unsigned LEB128, padded base64. */
  ffe_flags_enc?: string;
  /** JSON object: lowercase hex SHA-256 of the targeting key → that subject's encoded serial ids. */
  ffe_subjects_enc?: string;
  /** JSON object: flag key → runtime default value as a string (at most 64 UTF-16 code units). */
  ffe_runtime_defaults?: string;
}

/**
 * Per-root-span limits (Datadog's values). Beyond a limit the entry is
 * dropped and counted in stats; the first entries win.
 *
 * @example
 * ```ts
 * import { SPAN_ENRICHMENT_LIMITS } from "flagpost";
 * console.log(SPAN_ENRICHMENT_LIMITS.maxSerialIds); // 200
 * ```
 */
export const SPAN_ENRICHMENT_LIMITS: Readonly<{
  /** Distinct serial ids in `ffe_flags_enc`. */
  maxSerialIds: 200;
  /** Distinct subjects in `ffe_subjects_enc`. */
  maxSubjects: 10;
  /** Distinct serial ids per subject. */
  maxIdsPerSubject: 20;
  /** Flags in `ffe_runtime_defaults`. */
  maxRuntimeDefaults: 5;
  /** UTF-16 code units per default value (a surrogate pair is never split, so a value may end one shorter). */
  maxDefaultValueLength: 64;
}> = Object.freeze({
  maxSerialIds: 200,
  maxSubjects: 10,
  maxIdsPerSubject: 20,
  maxRuntimeDefaults: 5,
  maxDefaultValueLength: 64,
});
