/** RegexTranslationError: a FlagpostError with a code, naming the pattern (cut when long). */
import { expect, test } from "bun:test";
import { FlagpostError } from "../../src/core/errors.ts";
import { RegexTranslationError } from "../../src/ufc/regex_error.ts";

test("code, field, pattern and position", () => {
  const e = new RegexTranslationError("a(", "unclosed group", 2);
  expect(e).toBeInstanceOf(FlagpostError);
  expect(e.name).toBe("RegexTranslationError");
  expect([e.code, e.field, e.pattern]).toEqual(["invalid_argument", "pattern", "a("]);
  expect(e.message).toBe('pattern "a(": unclosed group (at code point 2)');
});

test("a huge pattern is cut in the message", () => {
  const e = new RegexTranslationError("x".repeat(10_000), "too big");
  expect(e.message.length).toBeLessThan(120);
  expect(e.pattern.length).toBe(10_000);
});
