/**
 * The Rust-fidelity cases of the regex dialect, shared by the unit tests
 * (tests/ufc/regex.test.ts) and the runtime matrix (tests/runtimes/parts/ufc.ts),
 * so every runtime is held to the same answers.
 */
/**
 * Rust's answers (regex 1.x / regex-syntax 0.8) for constructs an earlier translation got wrong or refused.
 * `true`/`false`: `Regex::new(p).unwrap().is_match(s)`; "error": `Regex::new(p)` fails.
 */
export const REGEX_FIDELITY: ReadonlyArray<readonly [pattern: string, text: string, rust: boolean | "error", why: string]> = [
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
  ["(?Rm)^b$", "a\r\nb\r\nc", true, "CRLF mode: \\r\\n ends a line"],
  ["(?m)^b$", "a\r\nb\r\nc", false, "without CRLF mode, $ does not hold before \\r"],
  ["(?Rm)a$\\n", "a\r\n", false, "CRLF mode: $ never holds between \\r and \\n"],
  ["(?R)a.b", "a\rb", false, "CRLF mode: . excludes \\r"],
  ["(?R)a.b", "a-b", true, "CRLF mode: . still matches the rest"],
];

/** Patterns that make backtracking engines exponential or quadratic, with inputs built to trigger it. */
export const REDOS_CASES: ReadonlyArray<readonly [pattern: string, make: (n: number) => string, expected: boolean]> = [
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
