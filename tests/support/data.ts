/** Paths to ../shared (vectors and fixtures), which CI places beside the repository. */
import { readFileSync } from "node:fs";

export const sharedUrl = (rel: string): URL => new URL(`../../../shared/${rel}`, import.meta.url);
export const readShared = (rel: string): string => readFileSync(sharedUrl(rel), "utf8");
export const readSharedJson = <T = unknown>(rel: string): T => JSON.parse(readShared(rel)) as T;

export interface SpanEnrichmentVectors {
  serialIds: Array<{ ids: number[]; encoded: string }>;
  subjectHashes: Array<{ key: string; sha256: string }>;
}
export const spanEnrichmentVectors = (): SpanEnrichmentVectors => readSharedJson<SpanEnrichmentVectors>("vectors/span-enrichment.json");
