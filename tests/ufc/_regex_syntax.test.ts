/** The Rust-syntax parser: the tree it builds (flags resolved per node) and the limits it enforces. */
import { describe, expect, test } from "bun:test";
import { NEST_LIMIT, parseRegex, type RegexNode } from "../../src/ufc/_regex_syntax.ts";
import { RegexTranslationError } from "../../src/ufc/regex_error.ts";

const folds = (node: RegexNode): string[] =>
  node.t === "set"
    ? [node.fold]
    : node.t === "cat" || node.t === "alt"
    ? node.items.flatMap(folds)
    : node.t === "rep"
    ? folds(node.node)
    : [];

describe("flags are resolved per node", () => {
  test.each([
    ["a(?i)b", ["none", "unicode"]],
    ["(?i:a)b", ["unicode", "none"]],
    ["(?i)a(?-i)b", ["unicode", "none"]],
    ["(?i)a(?-u)b", ["unicode", "ascii"]],
    ["^(?i)ab", ["unicode", "unicode"]],
  ])("%s", (pattern, expected) => {
    expect(folds(parseRegex(pattern))).toEqual(expected);
  });
  test("(?U) and lazy quantifiers do not change the tree (only whether a match exists matters)", () => {
    expect(parseRegex("(?U)a+?")).toEqual(parseRegex("a+"));
  });
  test("counted repetitions allow White_Space around the numbers, as regex-syntax 0.8 does", () => {
    expect(parseRegex("a{ 2 , 3 }")).toEqual(parseRegex("a{2,3}"));
    expect(parseRegex("a{\u2003 2}")).toEqual(parseRegex("a{2}"));
  });
});

describe("nesting limit (Rust's 250)", () => {
  const groups = (n: number) => "(".repeat(n) + "a" + ")".repeat(n);
  test(`${NEST_LIMIT} nested groups parse, one more is refused`, () => {
    expect(() => parseRegex(groups(NEST_LIMIT))).not.toThrow();
    expect(() => parseRegex(groups(NEST_LIMIT + 1))).toThrow(RegexTranslationError);
  });
  test.each([
    ["5,000 nested groups", groups(5000)],
    ["5,000 nested classes", "[".repeat(5000) + "a" + "]".repeat(5000)],
    ["5,000 stacked repetitions", "a" + "+".repeat(5000)],
    ["100,000 nested groups", groups(100_000)],
  ])("%s: a RegexTranslationError, never a stack overflow", (_, pattern) => {
    expect(() => parseRegex(pattern)).toThrow(RegexTranslationError);
  });
  test("long flat patterns are not nesting", () => {
    expect(() => parseRegex("(a)".repeat(10_000))).not.toThrow();
    expect(() => parseRegex("a|".repeat(10_000) + "b")).not.toThrow();
  });
});
