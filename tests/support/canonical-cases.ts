/**
 * The canonical evaluation cases of tests/data/fixtures/ffe-system-test-data, as every consumer
 * (unit tests, the runtime matrix part, the benchmark) reads them. Pure: no file access here
 * (workerd bundles this module), so loading stays with the caller.
 */

/** One case of an evaluation-cases/*.json file. */
export interface CanonicalCase {
  flag: string;
  variationType: "BOOLEAN" | "INTEGER" | "NUMERIC" | "STRING" | "JSON";
  defaultValue: unknown;
  targetingKey: string | null;
  attributes: Record<string, unknown>;
  result: { value: unknown; reason: string; errorCode?: string };
}

/** Flags whose fixture says DEFAULT but whose current contract is ERROR / PARSE_ERROR (see SOURCE.md). */
export const SUPERSEDED: ReadonlySet<string> = new Set(["malformed-allocations-flag", "operator-grease-flag"]);

/** The case's expected outcome under the current contract. */
export function expectedOf(c: CanonicalCase): { value: unknown; reason: string; errorCode?: string } {
  if (SUPERSEDED.has(c.flag)) return { value: c.defaultValue, reason: "ERROR", errorCode: "PARSE_ERROR" };
  return c.result;
}

/** flagpost's `expectedType` for a fixture's `variationType`. */
export function expectedTypeOf(variationType: CanonicalCase["variationType"]): "boolean" | "integer" | "number" | "string" | "object" {
  return ({ BOOLEAN: "boolean", INTEGER: "integer", NUMERIC: "number", STRING: "string", JSON: "object" } as const)[variationType];
}

/** The OpenFeature-style evaluation context of a case (no `targetingKey` when the fixture has `null`). */
export function contextOf(c: CanonicalCase): Record<string, unknown> {
  return c.targetingKey === null ? { ...c.attributes } : { ...c.attributes, targetingKey: c.targetingKey };
}

/** A stable name for case `i` of `file`, e.g. `test-case-regex-flag#3`. */
export function caseName(file: string, i: number): string {
  return `${file.replace(/\.json$/, "")}#${i}`;
}
