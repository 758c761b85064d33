/** The Rust regex dialect: what is translated, with which semantics, and what is rejected. */
import { describe, expect, test } from "bun:test";
import { FlagpostError } from "../../src/core/errors.ts";
import { compileRegex, RegexTranslationError, translateRegex } from "../../src/ufc/regex.ts";
import { REDOS_CASES, REGEX_FIDELITY } from "./regex-fidelity.ts";

const m = (pattern: string, text: string) => compileRegex(pattern).test(text);

describe("translations", () => {
  test("plain patterns search unanchored", () => {
    expect(m("@example\\.com", "alice@example.com")).toBe(true);
    expect(m(".*@test\\.com", "bob@test.com")).toBe(true);
    expect(m("^abc$", "xabc")).toBe(false);
  });
  test("POSIX classes", () => {
    expect(m("^([[:alnum:]._%+-]+)@capture\\.example$", "user.name+tag@capture.example")).toBe(true);
    expect(m("^[[:alpha:]]+$", "abcXYZ")).toBe(true);
    expect(m("^[[:alpha:]]+$", "abc1")).toBe(false);
    expect(m("^[[:digit:][:upper:]]+$", "A1B2")).toBe(true);
    expect(m("^[[:^digit:]]+$", "abc")).toBe(true);
    expect(m("^[[:^digit:]]+$", "ab1")).toBe(false);
    expect(m("^[[:xdigit:]]+$", "c0ffee")).toBe(true);
    expect(m("^[[:space:]]$", "\t")).toBe(true);
    expect(m("^[[:punct:]]+$", "!?.")).toBe(true);
    expect(m("^[[:alnum:]]$", "é")).toBe(false); // POSIX classes are ASCII-only in Rust
  });
  test("a POSIX name outside brackets-in-brackets is a plain set", () => {
    expect(m("^[:alpha:]$", "h")).toBe(true);
    expect(m("^[:alpha:]$", "b")).toBe(false);
  });
  test("(?u)\\b is a Unicode word boundary", () => {
    expect(m("(?u)\\bmañana\\b", "llega mañana temprano")).toBe(true);
    expect(m("\\bñana\\b", "mañana")).toBe(false); // ñ is a word character
    expect(m("\\bcafé\\b", "un café.")).toBe(true);
    expect(m("\\Bana\\b", "mañana")).toBe(true);
  });
  test("\\w, \\d, \\s are Unicode", () => {
    expect(m("^\\w+$", "mañana")).toBe(true);
    expect(m("^\\d$", "٣")).toBe(true); // ARABIC-INDIC DIGIT THREE
    expect(m("^\\s$", "\u2003")).toBe(true);
    expect(m("^\\s$", "\uFEFF")).toBe(false); // not White_Space (JavaScript's \s includes it)
    expect(m("^\\W$", "-")).toBe(true);
    expect(m("^\\D$", "a")).toBe(true);
  });
  test("(?-u) makes \\w, \\d, \\b ASCII", () => {
    expect(m("(?-u)^\\w+$", "mañana")).toBe(false);
    expect(m("(?-u:\\d)", "٣")).toBe(false);
  });
  test("`.` excludes only \\n (and nothing under (?s))", () => {
    expect(m("^a.b$", "a\rb")).toBe(true);
    expect(m("^a.b$", "a\u2028b")).toBe(true);
    expect(m("^a.b$", "a\nb")).toBe(false);
    expect(m("(?s)^a.b$", "a\nb")).toBe(true);
    expect(m("^a(?s:.)b$", "a\nb")).toBe(true);
  });
  test("(?i) leading the pattern", () => {
    expect(m("(?i)^hello$", "HeLLo")).toBe(true);
    expect(m("(?i)k", "\u212A")).toBe(true); // Kelvin sign folds to k, as in Rust
    expect(m("(?i)[^a]", "A")).toBe(false);
    expect(translateRegex("(?i)x").flags).toContain("i");
  });
  test("(?m) anchors at \\n only", () => {
    expect(m("(?m)^b$", "a\nb\nc")).toBe(true);
    expect(m("(?m)^b$", "a\rb\rc")).toBe(false);
    expect(m("^b$", "a\nb\nc")).toBe(false);
    expect(m("\\Ab\\z", "b")).toBe(true);
  });
  test("(?x) ignores whitespace and comments", () => {
    expect(m("(?x) ^ a b c $  # comment", "abc")).toBe(true);
    expect(m("(?x)^a\\ b$", "a b")).toBe(true);
  });
  test("(?U) swaps greediness, which never changes whether a match exists", () => {
    expect(m("(?U)^(a+)$", "aaa")).toBe(true);
    expect(m("(?U)^a+?b$", "aab")).toBe(true);
    expect(translateRegex("(?U)^a+$").source).toBe(translateRegex("^a+$").source);
  });
  test("named groups, nested classes and set operations", () => {
    expect(m("^(?P<user>\\w+)@(?<host>\\w+)$", "a@b")).toBe(true);
    expect(m("^[a-z&&[^aeiou]]+$", "bcd")).toBe(true);
    expect(m("^[a-z&&[^aeiou]]+$", "bad")).toBe(false);
    expect(m("^[a-z--[aeiou]]+$", "bcd")).toBe(true);
    expect(m("^[a-c~~b-d]+$", "ad")).toBe(true);
    expect(m("^[a-c~~b-d]+$", "b")).toBe(false);
    expect(m("^[]a]+$", "]a")).toBe(true);
  });
  test("escapes", () => {
    expect(m("^\\x41\\x{42}\\u0043\\U00000044$", "ABCD")).toBe(true);
    expect(m("^\\u{1F600}$", "😀")).toBe(true);
    expect(m("^a\\-b\\/c\\@d$", "a-b/c@d")).toBe(true);
    expect(m("^\\a\\t$", "\u0007\t")).toBe(true);
    expect(m("^[\\]\\[]+$", "][")).toBe(true);
  });
  test("word-boundary extensions", () => {
    expect(m("\\<foo\\>", "a foo b")).toBe(true);
    expect(m("\\<oo", "foo")).toBe(false);
    expect(m("\\b{start}foo\\b{end}", "foo")).toBe(true);
  });
  test("Unicode properties JavaScript spells the same way", () => {
    expect(m("^\\pL+$", "ñandú")).toBe(true);
    expect(m("^\\p{Lu}$", "Á")).toBe(true);
    expect(m("^\\P{L}$", "1")).toBe(true);
    expect(m("^\\p{sc=Greek}$", "α")).toBe(true);
    expect(m("^\\p{Script!=Greek}$", "a")).toBe(true);
  });
  test("counted and nested repetitions", () => {
    expect(m("^a{2}$", "aa")).toBe(true);
    expect(m("^a{2,}$", "aaaa")).toBe(true);
    expect(m("^a{1,2}$", "aaa")).toBe(false);
    expect(m("^(?:ab)*$", "abab")).toBe(true);
    expect(m("^a**$", "aaa")).toBe(true);
  });
  test("capturing groups do not change what matches", () => {
    expect(m("^(a|b)(c)$", "bc")).toBe(true);
  });
});

describe("rejections (never a wrong match)", () => {
  test.each([
    ["(?=x)", "look-ahead"],
    ["(?!x)", "negative look-ahead"],
    ["(?<=x)a", "look-behind"],
    ["(a)\\1", "back reference"],
    ["\\0", "octal"],
    ["(?-u).", "dot under (?-u)"],
    ["(?-u)[^a]", "negated class under (?-u)"],
    ["(?-u)\\xFF", "non-ASCII byte under (?-u)"],
    ["\\p{Foo}", "unknown property"],
    ["[", "unclosed class"],
    ["(a", "unclosed group"],
    ["a)", "unopened group"],
    ["*a", "repetition without operand"],
    ["a{2,1}", "inverted counted repetition"],
    ["a{,2}", "missing minimum"],
    ["[z-a]", "inverted range"],
    ["\\q", "unknown escape"],
    ["\\é", "escaped non-ASCII"],
    ["(?P<1a>x)", "bad group name"],
    ["(?P<a>x)(?P<a>y)", "duplicate group name"],
    ["(?ii)a", "repeated flag"],
    ["(?)a", "empty flags"],
    ["[\\b]", "assertion in class"],
    ["\\x{110000}", "not a scalar value"],
    ["\ud800", "lone surrogate"],
    ["\\p{RGI_Emoji}", "property of strings (Rust has none)"],
    ["\\p{Age=3.0}", "a property JavaScript does not have"],
    ["a{1000}{1000}{1000}", "compiled size over the limit"],
  ])("%s (%s)", (pattern) => {
    expect(() => compileRegex(pattern)).toThrow(RegexTranslationError);
  });
  test("a rejection is a FlagpostError with a code, naming the pattern", () => {
    try {
      compileRegex("(a)\\1");
      throw new Error("not rejected");
    } catch (e) {
      expect(e).toBeInstanceOf(FlagpostError);
      expect((e as FlagpostError).code).toBe("invalid_argument");
      expect((e as FlagpostError).field).toBe("pattern");
      expect((e as Error).message).toContain("(a)\\\\1");
    }
  });
  test("translateRegex refuses what JavaScript cannot say (case-insensitivity on part of a pattern)", () => {
    expect(() => translateRegex("a(?i)b")).toThrow(RegexTranslationError);
    expect(m("a(?i)b", "aB")).toBe(true); // compileRegex runs it on the linear-time engine
  });
});

describe("Rust fidelity", () => {
  test.each(REGEX_FIDELITY)("%s on %j → %p (%s)", (pattern, text, rust) => {
    if (rust === "error") expect(() => compileRegex(pattern)).toThrow(RegexTranslationError);
    else expect(compileRegex(pattern).test(text)).toBe(rust);
  });
});

describe("no pattern takes more than linear time (results asserted; the suite finishing is the timing check)", () => {
  test.each(REDOS_CASES)("%s", (pattern, make, expected) => {
    const matcher = compileRegex(pattern);
    expect(matcher.test(make(30))).toBe(expected);
    expect(matcher.test(make(100_000))).toBe(expected);
  });
});
