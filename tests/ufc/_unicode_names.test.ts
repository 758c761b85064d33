/** Unicode property names matched loosely, as Rust's regex-syntax does, and resolved to JavaScript's spelling. */
import { describe, expect, test } from "bun:test";
import { looseName, unicodeProperty } from "../../src/ufc/_unicode_names.ts";

describe("looseName (UAX #44 LM3)", () => {
  test.each([
    ["Uppercase_Letter", "uppercaseletter"],
    ["uppercase letter", "uppercaseletter"],
    ["Uppercase-Letter", "uppercaseletter"],
    ["isGreek", "greek"],
    ["isc", "isc"],
  ])("%s → %s", (name, loose) => {
    expect(looseName(name)).toBe(loose);
  });
});

describe("unicodeProperty", () => {
  test.each(
    [
      [undefined, "Greek", "Script=Greek"],
      [undefined, "greek", "Script=Greek"],
      [undefined, "Old Italic", "Script=Old_Italic"],
      [undefined, "uppercase letter", "Uppercase_Letter"],
      [undefined, "Lu", "Lu"],
      [undefined, "L", "L"],
      [undefined, "whitespace", "White_Space"],
      [undefined, "Alphabetic", "Alphabetic"],
      [undefined, "Lowercase", "Lowercase"],
      [undefined, "cf", "Cf"],
      ["sc", "grek", "Script=Grek"],
      ["Script_Extensions", "Greek", "Script_Extensions=Greek"],
      ["gc", "lu", "General_Category=Lu"],
      ["General Category", "letter", "General_Category=Letter"],
    ] as const,
  )("%s = %s → %s", (property, value, body) => {
    expect(unicodeProperty(property, value)).toBe(body);
  });
  test.each(
    [
      [undefined, "RGI_Emoji"],
      [undefined, "Basic_Emoji"],
      [undefined, "NotAProperty"],
      ["Age", "3.0"],
      ["sc", "NotAScript"],
      [undefined, ""],
    ] as const,
  )("unknown to Rust or to JavaScript: %s = %s", (property, value) => {
    expect(unicodeProperty(property, value)).toBeUndefined();
  });
});
