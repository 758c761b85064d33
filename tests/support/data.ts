/**
 * Paths to the repository's own copy of the test data (tests/data/): the
 * canonical evaluation fixtures, the wire vectors and Datadog's system-tests
 * cases. They are copied from the team's shared folder so that a plain clone
 * tests itself; tests/data/README.md says where each came from.
 */
import { readFileSync } from "node:fs";

/** URL of a file under tests/data/. */
export const dataUrl = (rel: string): URL => new URL(`../data/${rel}`, import.meta.url);
/** A file under tests/data/, as text. */
export const readData = (rel: string): string => readFileSync(dataUrl(rel), "utf8");
/** A JSON file under tests/data/, parsed. */
export const readDataJson = <T = unknown>(rel: string): T => JSON.parse(readData(rel)) as T;

export interface SpanEnrichmentVectors {
  serialIds: Array<{ ids: number[]; encoded: string }>;
  subjectHashes: Array<{ key: string; sha256: string }>;
}
export const spanEnrichmentVectors = (): SpanEnrichmentVectors => readDataJson<SpanEnrichmentVectors>("vectors/span-enrichment.json");
