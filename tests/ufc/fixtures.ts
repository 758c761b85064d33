/**
 * The canonical evaluation cases (tests/data/fixtures/ffe-system-test-data), read at test time,
 * with the two expectations that the current contract supersedes (see SOURCE.md).
 */
import type { CanonicalCase } from "../support/canonical-cases.ts";

export { type CanonicalCase, contextOf, expectedOf, expectedTypeOf, SUPERSEDED } from "../support/canonical-cases.ts";

export const FIXTURES = new URL("../data/fixtures/ffe-system-test-data/", import.meta.url);

export async function readJson(relative: string): Promise<unknown> {
  return JSON.parse(await Bun.file(new URL(relative, FIXTURES)).text());
}

export async function loadCases(): Promise<Array<{ file: string; cases: CanonicalCase[] }>> {
  const { readdirSync } = await import("node:fs");
  const dir = new URL("evaluation-cases/", FIXTURES);
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  return Promise.all(files.map(async (file) => ({ file, cases: (await readJson(`evaluation-cases/${file}`)) as CanonicalCase[] })));
}
