/**
 * Span enrichment: the per-root-span accumulator (`SpanEnrichment`), the
 * serial-id codec and the tag decoder. The root `mod.ts` re-exports all of
 * it; this module only re-exports.
 *
 * @module
 */
export { decodeSerialIds, encodeSerialIds } from "./serial-ids.ts";
export { SPAN_ENRICHMENT_DROPPED, SPAN_ENRICHMENT_TRUNCATED, SpanEnrichment, type SpanEnrichmentOptions } from "./span-enrichment.ts";
export { FFE_FLAGS_TAG, FFE_RUNTIME_DEFAULTS_TAG, FFE_SUBJECTS_TAG, SPAN_ENRICHMENT_LIMITS, type SpanEnrichmentTags } from "./tags.ts";
export { type DecodedSpanTags, decodeSpanTags } from "./decode-span-tags.ts";
