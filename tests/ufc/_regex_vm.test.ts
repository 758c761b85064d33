/**
 * The linear-time engine against the native one: the same parsed pattern run
 * by the Pike VM and by JavaScript's `RegExp` (an independent matcher) must
 * agree on every input, over thousands of random patterns and inputs.
 */
import { describe, expect, test } from "bun:test";
import { toJavaScript } from "../../src/ufc/_regex_native.ts";
import { parseRegex } from "../../src/ufc/_regex_syntax.ts";
import { PikeVm, programSize } from "../../src/ufc/_regex_vm.ts";

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ATOMS = ["a", "b", "c", "é", "K", ".", "[ab]", "[^a]", "\\w", "\\W", "\\s", "\\d", "[a-c&&[^b]]", "\\p{Greek}", "α", " "];
const ASSERTIONS = [
  "^",
  "$",
  "\\b",
  "\\B",
  "\\A",
  "\\z",
  "(?m:^)",
  "(?m:$)",
  "\\<",
  "\\>",
  "\\b{start-half}",
  "(?-u:\\b)",
  "(?Rm:^)",
  "(?Rm:$)",
  "(?R:.)",
];
const QUANTIFIERS = ["*", "+", "?", "{2}", "{1,2}", "{0,3}", "*?", "{2,}"];

function pattern(next: () => number, depth: number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const parts: string[] = [];
  const length = 1 + Math.floor(next() * 4);
  for (let k = 0; k < length; k++) {
    const r = next();
    let item: string;
    if (r < 0.15 && depth < 3) item = `(${pattern(next, depth + 1)}|${pattern(next, depth + 1)})`;
    else if (r < 0.25 && depth < 3) item = `(?:${pattern(next, depth + 1)})`;
    else if (r < 0.35) item = pick(ASSERTIONS);
    else item = pick(ATOMS);
    if (next() < 0.35 && !item.startsWith("\\b") && item !== "^" && item !== "$") item += pick(QUANTIFIERS);
    parts.push(item);
  }
  return parts.join("");
}

const INPUT = ["a", "b", "c", "A", "é", "É", " ", "\n", "\r", "K", "\u212A", "α", "1", "😀"];

function input(next: () => number): string {
  let s = "";
  const length = Math.floor(next() * 8);
  for (let k = 0; k < length; k++) s += INPUT[Math.floor(next() * INPUT.length)];
  return s;
}

describe("Pike VM agrees with the native RegExp", () => {
  test("random patterns, with and without (?i)", () => {
    const next = random(20261202);
    let compared = 0;
    for (let p = 0; p < 300; p++) {
      const source = (next() < 0.25 ? "(?i)" : "") + pattern(next, 0);
      const node = parseRegex(source);
      const js = toJavaScript(node);
      if (js === undefined) continue;
      const native = new RegExp(js.source, js.flags);
      const vm = new PikeVm(node);
      for (let k = 0; k < 12; k++) {
        const text = input(next);
        const expected = native.test(text);
        if (vm.test(text) !== expected) throw new Error(`${JSON.stringify(source)} on ${JSON.stringify(text)}: native says ${expected}`);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(2_500);
  }, 120_000);

  test("case-insensitivity on part of a pattern: the VM folds exactly the folded part", () => {
    expect(new PikeVm(parseRegex("a(?i)b")).test("aB")).toBe(true);
    expect(new PikeVm(parseRegex("a(?i)b")).test("AB")).toBe(false);
    expect(new PikeVm(parseRegex("(?i:é)x")).test("Éx")).toBe(true);
    expect(new PikeVm(parseRegex("(?i:é)x")).test("ÉX")).toBe(false);
  });

  test("(?i) under (?-u) folds ASCII letters only", () => {
    expect(new PikeVm(parseRegex("(?i-u)k")).test("K")).toBe(true);
    expect(new PikeVm(parseRegex("(?i-u)k")).test("\u212A")).toBe(false);
    expect(new PikeVm(parseRegex("(?i-u)[a-c]")).test("B")).toBe(true);
  });

  test("astral code points and lone surrogates in the input are single code points", () => {
    expect(new PikeVm(parseRegex("^.$")).test("😀")).toBe(true);
    expect(new PikeVm(parseRegex("^..$")).test("😀")).toBe(false);
    expect(new PikeVm(parseRegex("^.$")).test("\ud800")).toBe(true);
    expect(new PikeVm(parseRegex("a\\b")).test("a😀")).toBe(true);
  });

  test("an empty loop body cannot loop forever", () => {
    expect(new PikeVm(parseRegex("(a*)*b")).test("aaac")).toBe(false);
    expect(new PikeVm(parseRegex("(a*)*b")).test("aaab")).toBe(true);
    expect(new PikeVm(parseRegex("(?:^|$)*x")).test("yx")).toBe(true);
  });

  test("the empty input: `$^` holds at its only position", () => {
    expect(new PikeVm(parseRegex("$^")).test("")).toBe(true);
    expect(new PikeVm(parseRegex("$^")).test("a")).toBe(false);
  });

  test("a matcher is reusable: state from one search never leaks into the next", () => {
    const vm = new PikeVm(parseRegex("^ab$"));
    expect([vm.test("ab"), vm.test("a"), vm.test("ab"), vm.test("xab")]).toEqual([true, false, true, false]);
  });
});

describe("programSize", () => {
  test("counts expanded repetitions and stops at the limit", () => {
    expect(programSize(parseRegex("abc"), 100)).toBe(3);
    expect(programSize(parseRegex("a{3}"), 100)).toBe(3);
    expect(programSize(parseRegex("a{1,3}"), 100)).toBe(5);
    expect(programSize(parseRegex("a*"), 100)).toBe(3);
    expect(programSize(parseRegex("a|b"), 100)).toBe(4);
    expect(programSize(parseRegex("a{1000}{1000}{1000}"), 100_000)).toBe(Infinity);
    expect(programSize(parseRegex("(?:a{1000}{1000}){0}"), 100_000)).toBe(0);
  });
});
