/** The Rust regex dialect: what is translated, with which semantics, and what is rejected. */
import { describe, expect, test } from "bun:test";
import { FlagpostError } from "../../src/core/errors.ts";
import { compileRegex, RegexTranslationError, translateRegex } from "../../src/ufc/regex.ts";

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
    ["(?R)a", "CRLF mode"],
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

/**
 * Rust's answers (regex 1.x / regex-syntax 0.8) for constructs an earlier translation got wrong or refused.
 * `true`/`false`: `Regex::new(p).unwrap().is_match(s)`; "error": `Regex::new(p)` fails.
 */
const FIDELITY: Array<[pattern: string, text: string, rust: boolean | "error", why: string]> = [
  ["^(?i)abc", "ABC", true, "(?i) after an anchor applies to the rest"],
  ["a(?i)b", "aB", true, "(?i) in the middle applies to what follows"],
  ["a(?i)b", "AB", false, "…and not to what precedes"],
  ["(?i:a)b", "Ab", true, "scoped (?i:…)"],
  ["(?i:a)b", "AB", false, "scoped (?i:…) ends with its group"],
  ["(?i)a(?-i)b", "Ab", true, "(?-i) switches it off"],
  ["(?i)a(?-i)b", "AB", false, "(?-i) switches it off"],
  ["(?i)k", "\u212A", true, "Unicode simple case folding: KELVIN SIGN"],
  ["(?i-u)k", "\u212A", false, "(?i) under (?-u) folds ASCII only"],
  ["(?i-u)k", "K", true, "(?i) under (?-u) folds ASCII"],
  ["(?i)(?-u:[a-z])", "Q", true, "(?-u) class with (?i)"],
  ["^a{ 2 }$", "aa", true, "spaces inside a counted repetition"],
  ["^a{2, 3}$", "aaa", true, "space after the comma"],
  ["^a{2 ,3}$", "aa", true, "space before the comma"],
  ["a{1 0}", "a", "error", "space between digits only under (?x)"],
  ["(?x)^a{1 0}$", "aaaaaaaaaa", true, "(?x) allows it: ten"],
  ["a(?m)*", "a", "error", "a repetition cannot apply to a flag group"],
  ["(?m)+", "a", "error", "nor at the start"],
  ["[\\d-z]", "-", "error", "a class range cannot start with a class"],
  ["[a-\\d]", "-", "error", "nor end with one"],
  ["[\\d-]", "-", true, "a trailing - is literal"],
  ["^[--a]+$", "-a", true, "leading -s are literals: the set {-, a}"],
  ["^[--a]$", "0", false, "…not the range - to a"],
  ["(?x)a\u00A0b", "ab", true, "(?x) skips Unicode White_Space (NO-BREAK SPACE)"],
  ["(?x)a\u2003b", "ab", true, "(?x) skips EM SPACE"],
  ["(?x)a\uFEFFb", "ab", false, "U+FEFF is not White_Space: a literal"],
  ["(?-u:\\B)", "é", true, "(?-u:\\B) is accepted: an ASCII non-boundary"],
  ["a(?-u:\\B)", "a b", false, "ASCII word boundary after a"],
  ["\\p{Greek}", "α", true, "a bare script name"],
  ["\\p{Greek}", "a", false, "a bare script name"],
  ["\\p{greek}", "α", true, "loose: case ignored"],
  ["\\p{sc=grek}", "α", true, "loose: short script name in any case"],
  ["\\p{uppercase letter}", "A", true, "loose: spaces ignored (Uppercase_Letter)"],
  ["\\p{Uppercase-Letter}", "a", false, "loose: hyphens ignored"],
  ["\\p{isAlphabetic}", "é", true, "loose: an `is` prefix is ignored"],
  ["\\p{gc=lu}", "A", true, "loose: short category in any case"],
  ["\\p{scx:Greek}", "α", true, "name:value form"],
  ["\\p{Script!=Greek}", "a", true, "name!=value form"],
  ["\\p{Lowercase}", "a", true, "binary property before general category"],
  ["\\p{RGI_Emoji}", "😀", "error", "properties of strings do not exist in Rust"],
  ["\\p{Basic_Emoji}", "😀", "error", "properties of strings do not exist in Rust"],
  ["\\p{Emoji}", "😀", true, "the binary property Emoji exists"],
];

describe("Rust fidelity", () => {
  test.each(FIDELITY)("%s on %j → %p (%s)", (pattern, text, rust) => {
    if (rust === "error") expect(() => compileRegex(pattern)).toThrow(RegexTranslationError);
    else expect(compileRegex(pattern).test(text)).toBe(rust);
  });
});

/** Patterns that make backtracking engines exponential or quadratic, with inputs built to trigger it. */
const REDOS: Array<[pattern: string, make: (n: number) => string, expected: boolean]> = [
  ["^(a+)+$", (n) => "a".repeat(n - 1) + "!", false],
  ["(a|aa)+$", (n) => "a".repeat(n - 1) + "!", false], // the input ends with "!", never with an a
  ["(a|aa)+$", (n) => "!" + "a".repeat(n - 1), true],
  ["(.*a){20}", (n) => "a".repeat(19) + "b".repeat(n - 19), false],
  ["^(\\w+\\s?)*$", (n) => "word ".repeat(Math.floor(n / 5) - 1) + "wor!", false],
  ["\\s+$", (n) => " ".repeat(n - 1) + "x", false],
  ["\\s+$", (n) => "x" + " ".repeat(n - 1), true],
  ["^.*a.*b$", (n) => "a".repeat(n), false],
  ["[a-z]+@", (n) => "a".repeat(n), false],
  ["(x+x+)+y", (n) => "x".repeat(n), false],
  [".*@test\\.com", (n) => "a".repeat(n), false],
];

describe("no pattern takes more than linear time (results asserted; the suite finishing is the timing check)", () => {
  test.each(REDOS)("%s", (pattern, make, expected) => {
    const matcher = compileRegex(pattern);
    expect(matcher.test(make(30))).toBe(expected);
    expect(matcher.test(make(100_000))).toBe(expected);
  });
});
