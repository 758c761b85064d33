/**
 * Every canonical evaluation case of ffe-system-test-data (value, reason and error code),
 * with the two superseded expectations (ERROR / PARSE_ERROR) described in SOURCE.md.
 */
import { describe, expect, test } from "bun:test";
import { evaluateFlag, parseConfiguration } from "../../src/ufc/mod.ts";
import { contextOf, expectedOf, expectedTypeOf, loadCases, readJson, SUPERSEDED } from "./fixtures.ts";

const config = parseConfiguration((await readJson("ufc-config.json")) as object);
const files = await loadCases();

test("the fixtures are all there (29 files, 231 cases)", () => {
  expect(files.length).toBe(29);
  expect(files.reduce((n, f) => n + f.cases.length, 0)).toBe(231);
});

test("the configuration compiles with exactly the two intentionally broken flags invalid", () => {
  expect(config.invalidFlags.map((f) => f.key).sort()).toEqual([...SUPERSEDED].sort());
  expect(config.flags.get("valid-flag-after-invalid-config")?.kind).toBe("flag");
});

for (const { file, cases } of files) {
  describe(file, () => {
    cases.forEach((c, i) => {
      test(`#${i} ${c.flag} key=${JSON.stringify(c.targetingKey)} ${JSON.stringify(c.attributes)}`, () => {
        const result = evaluateFlag(config, c.flag, expectedTypeOf(c.variationType), c.defaultValue, contextOf(c));
        const expected = expectedOf(c);
        expect(result.value).toEqual(expected.value as never);
        expect(result.reason).toBe(expected.reason as never);
        if (expected.errorCode !== undefined) expect(result.errorCode).toBe(expected.errorCode as never);
        if (expected.reason !== "ERROR") expect(result.errorCode).toBeUndefined();
        // A served variation carries its variant and allocation; a fallback carries neither.
        const served = ["TARGETING_MATCH", "SPLIT", "STATIC"].includes(expected.reason) ||
          (expected.reason === "DEFAULT" && result.variant !== undefined);
        expect(result.variant !== undefined).toBe(served);
        expect(result.allocationKey !== undefined).toBe(served);
      });
    });
  });
}

test("the case without a targeting key that needs sharding is TARGETING_KEY_MISSING", () => {
  const r = evaluateFlag(config, "new-user-onboarding", "string", "default", { country: "France" });
  expect(r).toEqual({
    value: "default",
    reason: "ERROR",
    errorCode: "TARGETING_KEY_MISSING",
    errorMessage: expect.any(String),
    doLog: false,
  });
});
