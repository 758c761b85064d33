/**
 * The canonical evaluation cases (../shared/fixtures/ffe-system-test-data), read at test time,
 * with the two expectations that the current contract supersedes (see SOURCE.md).
 */
import type { ExpectedType } from "../../src/ufc/model.ts";

export const FIXTURES = new URL("../../../shared/fixtures/ffe-system-test-data/", import.meta.url);

export interface CanonicalCase {
  flag: string;
  variationType: "BOOLEAN" | "INTEGER" | "NUMERIC" | "STRING" | "JSON";
  defaultValue: unknown;
  targetingKey: string | null;
  attributes: Record<string, unknown>;
  result: { value: unknown; reason: string; errorCode?: string };
}

/** Flags whose fixture says DEFAULT but whose current contract is ERROR / PARSE_ERROR. */
export const SUPERSEDED = new Set(["malformed-allocations-flag", "operator-grease-flag"]);

export function expectedOf(c: CanonicalCase): { value: unknown; reason: string; errorCode?: string } {
  if (SUPERSEDED.has(c.flag)) return { value: c.defaultValue, reason: "ERROR", errorCode: "PARSE_ERROR" };
  return c.result;
}

export function expectedTypeOf(variationType: CanonicalCase["variationType"]): ExpectedType {
  return ({ BOOLEAN: "boolean", INTEGER: "integer", NUMERIC: "number", STRING: "string", JSON: "object" } as const)[variationType];
}

export async function readJson(relative: string): Promise<unknown> {
  return JSON.parse(await Bun.file(new URL(relative, FIXTURES)).text());
}

export async function loadCases(): Promise<Array<{ file: string; cases: CanonicalCase[] }>> {
  const { readdirSync } = await import("node:fs");
  const dir = new URL("evaluation-cases/", FIXTURES);
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  return Promise.all(files.map(async (file) => ({ file, cases: (await readJson(`evaluation-cases/${file}`)) as CanonicalCase[] })));
}
