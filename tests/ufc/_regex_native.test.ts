/** The fast path's static check: which patterns may run on a backtracking RegExp, and the trimming that keeps common ones there. */
import { describe, expect, test } from "bun:test";
import { isBacktrackingSafe, toJavaScript, trimUnanchored } from "../../src/ufc/_regex_native.ts";
import { parseRegex } from "../../src/ufc/_regex_syntax.ts";

const js = (pattern: string) => toJavaScript(trimUnanchored(parseRegex(pattern)))?.source;
const safe = (pattern: string) => isBacktrackingSafe(trimUnanchored(parseRegex(pattern)));

describe("trimUnanchored", () => {
  test("leading and trailing repeats shrink to their minimum (same answer for an unanchored search)", () => {
    expect(js(".*@test\\.com")).toBe(js("@test\\.com"));
    expect(js("[a-z]+@")).toBe(js("[a-z]@"));
    expect(js("\\s+$")).toBe(js("\\s$"));
    expect(js("a{2,5}b.*")).toBe(js("a{2}b"));
    expect(js("x|.*y+")).toBe(js("x|y"));
  });
  test("anchored repeats and repeated groups are kept", () => {
    expect(js("^.*x")).toBe("^[^\\n]*x");
    expect(js("(ab)+")).toBe("(?:ab)+");
  });
  test("a pattern that is only a repeat matches everything", () => {
    expect(js(".*")).toBe("");
  });
});

describe("isBacktrackingSafe", () => {
  test.each([
    "@example\\.com$",
    ".*@test\\.com",
    "^[[:alnum:]._%+-]+@capture\\.example$",
    "^.*@example\\.com$", // one unbounded repeat, bounded work after it
    "^[a-z]*[0-9]*$", // disjoint neighbours: each repeat acts possessively
    "\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}",
    "^(foo|bar)baz",
    "https?://",
    "(?u)\\bmañana\\b",
    "\\s+$",
  ])("safe: %s", (pattern) => {
    expect(safe(pattern)).toBe(true);
  });
  test.each([
    "^(a+)+$", // repeated group
    "(a|aa)+$",
    "(.*a){20}",
    "^(\\w+\\s?)*$",
    "^.*a.*b$", // two overlapping unbounded repeats
    "^\\d*\\d*x",
    "x[a-z]+@", // unanchored and unbounded: every start rescans the run
    "(a?){30}a{30}", // repeated group, even bounded
    "^(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)", // too many paths
    "^a{0,99}a{0,99}a{0,99}a{0,99}b", // bounded choices multiply past the cap
    "^.{0,5000}b{0,5000}$", // each choice of the first may rescan the second
  ])("unsafe: %s", (pattern) => {
    expect(safe(pattern)).toBe(false);
  });
});

describe("toJavaScript", () => {
  test("case-insensitivity covering the whole pattern uses the i flag", () => {
    expect(toJavaScript(parseRegex("^(?i)abc"))).toEqual({ source: "^abc", flags: "iv" });
  });
  test("case-insensitivity on part of a pattern, or ASCII-only folding, has no JavaScript form", () => {
    expect(toJavaScript(parseRegex("a(?i)b"))).toBeUndefined();
    expect(toJavaScript(parseRegex("(?i-u)k"))).toBeUndefined();
    expect(toJavaScript(parseRegex("(?i)a(?-u:\\b)"))).toBeUndefined();
  });
});
