/**
 * The parser of Rust's `regex` syntax (regex-syntax 0.8) that both engines
 * share: a pattern becomes a small tree of code-point sets, assertions,
 * concatenations, alternations and repetitions. Groups dissolve (nothing
 * captures: only match / no match matters) and inline flags are resolved
 * here, per node, so `a(?i)b`, `(?i:…)` or `(?-u:\B)` need no support from
 * the engine that runs the tree.
 *
 * Each set carries the JavaScript `v`-mode class text that matches exactly
 * its code points (Unicode `\d \w \s`, POSIX classes, nested classes and set
 * operations, properties resolved by Rust's loose name matching), so the
 * native engine can splice it into a `RegExp` and the linear-time engine can
 * test one code point with it.
 *
 * Limits, as Rust's parser has them: nesting depth 250 (groups, classes,
 * repetitions, concatenations, alternations, counted as regex-syntax's
 * `NestLimiter` does); the parser never recurses deeper than that, so no
 * pattern can overflow the stack.
 *
 * @module
 */
import { RegexTranslationError } from "./regex_error.ts";
import { unicodeProperty } from "./_unicode_names.ts";

/**
 * Rust's default nesting limit (`RegexBuilder::nest_limit`).
 *
 * @example
 * ```ts
 * // (fragment) private constant
 * parseRegex("(".repeat(NEST_LIMIT + 1) + ")".repeat(NEST_LIMIT + 1)); // throws RegexTranslationError
 * ```
 */
export const NEST_LIMIT = 250;

/** How a set treats case: not at all, Unicode simple case folding, or ASCII-only folding (`(?i)` under `(?-u)`). */
export type Fold = "none" | "unicode" | "ascii";

/** One code point from a set. */
export interface SetNode {
  readonly t: "set";
  /** JavaScript `v`-mode text matching exactly the set's code points (case-sensitively). */
  readonly source: string;
  /** The code point when the set is a single literal, otherwise -1. */
  readonly cp: number;
  readonly fold: Fold;
}

/** Zero-width assertions. `ascii` word boundaries come from `(?-u)`. */
export type AssertKind =
  | "start"
  | "end"
  | "lineStart"
  | "lineEnd"
  | "crlfStart"
  | "crlfEnd"
  | "word"
  | "notWord"
  | "wordStart"
  | "wordEnd"
  | "wordStartHalf"
  | "wordEndHalf";

/** A zero-width assertion. */
export interface AssertNode {
  readonly t: "assert";
  readonly kind: AssertKind;
  readonly ascii: boolean;
}

/** A concatenation (empty: matches the empty string). */
export interface CatNode {
  readonly t: "cat";
  readonly items: readonly RegexNode[];
}

/** An alternation. */
export interface AltNode {
  readonly t: "alt";
  readonly items: readonly RegexNode[];
}

/** A repetition; `max` is `Infinity` when unbounded. Greediness does not change whether a match exists, so it is not kept. */
export interface RepNode {
  readonly t: "rep";
  readonly node: RegexNode;
  readonly min: number;
  readonly max: number;
}

/** A parsed pattern. */
export type RegexNode = SetNode | AssertNode | CatNode | AltNode | RepNode;

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  u: boolean;
  /** CRLF mode: `.` excludes `\r` too; multi-line `^`/`$` also see `\r`, never between `\r` and `\n`. */
  R: boolean;
}

/** An item of a concatenation being built, with its nesting depth as regex-syntax counts it. */
interface Item {
  node: RegexNode;
  depth: number;
  /** A bare flag group `(?m)`: a repetition may not follow it. */
  flags: boolean;
}

/**
 * Unicode `\w` (Rust: Alphabetic, M, Nd, Pc, Join_Control).
 *
 * @example
 * ```ts
 * // (fragment) private constant
 * new RegExp(UNICODE_WORD, "v").test("ñ"); // true
 * ```
 */
export const UNICODE_WORD = "[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]";
/**
 * ASCII `\w` (`(?-u)`).
 *
 * @example
 * ```ts
 * // (fragment) private constant
 * new RegExp(ASCII_WORD, "v").test("ñ"); // false
 * ```
 */
export const ASCII_WORD = "[0-9A-Za-z_]";

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\x09\\x20",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "\\x21-\\x7E",
  lower: "a-z",
  print: "\\x20-\\x7E",
  punct: "\\x21-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7E",
  space: "\\x09-\\x0D\\x20",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

function hex(cp: number, width: number): string {
  return cp.toString(16).toUpperCase().padStart(width, "0");
}

/**
 * A literal code point, safe in and out of `v`-mode classes.
 *
 * @example
 * ```ts
 * // (fragment) private helper
 * literalSource(0x40); // "\\x40"
 * ```
 */
export function literalSource(cp: number): string {
  if ((cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95) return String.fromCharCode(cp);
  if (cp < 0x80) return "\\x" + hex(cp, 2);
  return "\\u{" + hex(cp, 4) + "}";
}

const WHITE_SPACE = /^\p{White_Space}$/u;
const DIGIT = /^[0-9]$/;

function deepest(xs: ReadonlyArray<{ depth: number }>): number {
  let max = 0;
  for (const x of xs) if (x.depth > max) max = x.depth;
  return max;
}

type ClassItem = { kind: "char"; cp: number } | { kind: "text"; text: string };

class Parser {
  private readonly chars: string[];
  private pos = 0;
  private readonly names = new Set<string>();

  constructor(private readonly pattern: string) {
    this.chars = Array.from(pattern);
    for (let k = 0; k < this.chars.length; k++) {
      const cp = this.chars[k]!.codePointAt(0)!;
      if (cp >= 0xd800 && cp <= 0xdfff) {
        this.pos = k;
        this.fail("lone surrogate in pattern");
      }
    }
  }

  parse(): RegexNode {
    const { node } = this.alternation({ i: false, m: false, s: false, x: false, u: true, R: false }, 0);
    if (this.pos < this.chars.length) this.fail("unopened group");
    return node;
  }

  fail(message: string): never {
    throw new RegexTranslationError(this.pattern, message, this.pos);
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }

  private next(): string {
    const c = this.chars[this.pos];
    if (c === undefined) this.fail("unexpected end of pattern");
    this.pos++;
    return c;
  }

  /** `(?x)` skips Unicode White_Space and `#` comments (Rust's `bump_space`). */
  private skipSpace(flags: Flags): void {
    if (!flags.x) return;
    for (;;) {
      const c = this.peek();
      if (c === undefined) return;
      if (WHITE_SPACE.test(c)) this.pos++;
      else if (c === "#") {
        while (this.peek() !== undefined && this.peek() !== "\n") this.pos++;
      } else return;
    }
  }

  /** The char after the current one, skipping `(?x)` space (Rust's `peek_space`). */
  private peekSpace(flags: Flags): string | undefined {
    const saved = this.pos;
    this.pos++;
    this.skipSpace(flags);
    const c = this.peek();
    this.pos = saved;
    return c;
  }

  private checkDepth(depth: number): number {
    if (depth > NEST_LIMIT) this.fail(`nesting deeper than ${NEST_LIMIT}`);
    return depth;
  }

  /** Alternatives up to (not including) `)` or the end. `groupDepth` bounds the recursion. */
  private alternation(flags: Flags, groupDepth: number): { node: RegexNode; depth: number } {
    const alternatives: Array<{ node: RegexNode; depth: number }> = [];
    let items: Item[] = [];
    const close = () => {
      const real = items.filter((i) => !i.flags);
      if (real.length === 1) alternatives.push({ node: real[0]!.node, depth: real[0]!.depth });
      else {
        const depth = real.length === 0 ? 0 : this.checkDepth(1 + deepest(real));
        alternatives.push({ node: { t: "cat", items: real.map((i) => i.node) }, depth });
      }
      items = [];
    };
    for (;;) {
      this.skipSpace(flags);
      const c = this.peek();
      if (c === undefined || c === ")") break;
      if (c === "|") {
        this.pos++;
        close();
        continue;
      }
      if (c === "*" || c === "+" || c === "?" || c === "{") {
        const last = items.at(-1);
        if (last === undefined || last.flags) this.fail("repetition operator missing expression");
        const { min, max } = this.quantifier(flags);
        last.node = { t: "rep", node: last.node, min, max };
        last.depth = this.checkDepth(last.depth + 1);
        continue;
      }
      const item = this.atom(flags, groupDepth);
      items.push(item);
    }
    close();
    if (alternatives.length === 1) return alternatives[0]!;
    const depth = this.checkDepth(1 + deepest(alternatives));
    return { node: { t: "alt", items: alternatives.map((a) => a.node) }, depth };
  }

  /** Rust's `parse_decimal`: White_Space around the digits is always allowed, inside them only under `(?x)`. */
  private decimal(flags: Flags): number | undefined {
    while (this.peek() !== undefined && WHITE_SPACE.test(this.peek()!)) this.pos++;
    let digits = "";
    while (this.peek() !== undefined && DIGIT.test(this.peek()!)) {
      digits += this.next();
      this.skipSpace(flags);
    }
    while (this.peek() !== undefined && WHITE_SPACE.test(this.peek()!)) this.pos++;
    if (digits === "") return undefined;
    const n = Number(digits);
    if (n > 0xffffffff) this.fail("repetition count too large");
    return n;
  }

  private quantifier(flags: Flags): { min: number; max: number } {
    const c = this.next();
    let min: number;
    let max: number;
    if (c === "{") {
      this.skipSpace(flags);
      const lo = this.decimal(flags);
      if (lo === undefined) this.fail("invalid counted repetition (missing minimum)");
      min = max = lo;
      if (this.peek() === ",") {
        this.pos++;
        this.skipSpace(flags);
        if (this.peek() === "}") max = Infinity;
        else {
          const hi = this.decimal(flags);
          if (hi === undefined) this.fail("invalid counted repetition (missing maximum)");
          max = hi;
        }
      }
      if (this.peek() !== "}") this.fail("unclosed counted repetition");
      this.pos++;
      if (max < min) this.fail("invalid repetition range (maximum below minimum)");
    } else {
      min = c === "+" ? 1 : 0;
      max = c === "?" ? 1 : Infinity;
    }
    this.skipSpace(flags);
    if (this.peek() === "?") this.pos++;
    return { min, max };
  }

  private set(source: string, flags: Flags, cp = -1): SetNode {
    return { t: "set", source, cp, fold: flags.i ? (flags.u ? "unicode" : "ascii") : "none" };
  }

  private atom(flags: Flags, groupDepth: number): Item {
    const c = this.next();
    switch (c) {
      case "(":
        return this.group(flags, groupDepth);
      case "[":
        return { node: this.set(this.characterClass(flags, 1), flags), depth: 1, flags: false };
      case ".":
        if (!flags.u) this.fail("`.` under (?-u) can match invalid UTF-8");
        return { node: this.set(flags.s ? "[\\s\\S]" : flags.R ? "[^\\n\\r]" : "[^\\n]", flags), depth: 0, flags: false };
      case "^":
        return {
          node: { t: "assert", kind: flags.m ? (flags.R ? "crlfStart" : "lineStart") : "start", ascii: false },
          depth: 0,
          flags: false,
        };
      case "$":
        return { node: { t: "assert", kind: flags.m ? (flags.R ? "crlfEnd" : "lineEnd") : "end", ascii: false }, depth: 0, flags: false };
      case "\\":
        return { node: this.escape(flags), depth: 0, flags: false };
      default: {
        const cp = c.codePointAt(0)!;
        return { node: this.set(literalSource(cp), flags, cp), depth: 0, flags: false };
      }
    }
  }

  private group(flags: Flags, groupDepth: number): Item {
    if (groupDepth + 1 > NEST_LIMIT) this.fail(`nesting deeper than ${NEST_LIMIT}`);
    const inner: Flags = { ...flags };
    if (this.peek() === "?") {
      this.pos++;
      const c = this.peek();
      if (c === "P" && this.peek(1) === "<") {
        this.pos += 2;
        this.groupName();
      } else if (c === "<") {
        this.pos++;
        this.groupName();
      } else if (!this.flagGroup(inner)) {
        Object.assign(flags, inner);
        return { node: { t: "cat", items: [] }, depth: 0, flags: true };
      }
    }
    const body = this.alternation(inner, groupDepth + 1);
    if (this.peek() !== ")") this.fail("unclosed group");
    this.pos++;
    return { node: body.node, depth: this.checkDepth(body.depth + 1), flags: false };
  }

  private groupName(): void {
    let name = "";
    for (;;) {
      const c = this.next();
      if (c === ">") break;
      name += c;
    }
    if (!/^[\p{Alphabetic}_][\p{Alphabetic}\p{N}_.[\]]*$/u.test(name)) this.fail(`invalid capture group name ${JSON.stringify(name)}`);
    if (this.names.has(name)) this.fail(`duplicate capture group name ${JSON.stringify(name)}`);
    this.names.add(name);
  }

  /** Parses `flags)` or `flags:` after `(?`, applying them to `flags`; returns whether the group is scoped (`:`). */
  private flagGroup(flags: Flags): boolean {
    const seen = new Set<string>();
    let negate = false;
    let sawNegation = false;
    let any = false;
    for (;;) {
      const c = this.next();
      if (c === ")" || c === ":") {
        if (sawNegation && !any) this.fail("dangling flag negation");
        if (c === ")" && seen.size === 0 && !sawNegation) this.fail("empty flag group");
        return c === ":";
      }
      if (c === "-") {
        if (sawNegation) this.fail("repeated flag negation");
        sawNegation = true;
        negate = true;
        any = false;
        continue;
      }
      if (seen.has(c)) this.fail(`repeated flag ${c}`);
      seen.add(c);
      any = true;
      switch (c) {
        case "i":
        case "m":
        case "s":
        case "x":
        case "u":
        case "R":
          flags[c] = !negate;
          break;
        case "U":
          break; // swaps greediness, which does not change whether a match exists
        default:
          this.fail(`unrecognized flag ${JSON.stringify(c)}`);
      }
    }
  }

  private escape(flags: Flags): RegexNode {
    const c = this.next();
    switch (c) {
      case "d":
      case "w":
      case "s":
      case "D":
      case "W":
      case "S":
      case "p":
      case "P":
        return this.set(this.classEscape(c, flags), flags);
      case "b":
        if (this.peek() === "{") {
          const end = this.chars.indexOf("}", this.pos);
          const name = end === -1 ? "" : this.chars.slice(this.pos + 1, end).join("");
          const kind = ({ start: "wordStart", end: "wordEnd", "start-half": "wordStartHalf", "end-half": "wordEndHalf" } as const)[
            name as "start"
          ];
          if (kind !== undefined) {
            this.pos = end + 1;
            return { t: "assert", kind, ascii: !flags.u };
          }
          // Otherwise `\b` followed by a counted repetition, which the caller parses (and Rust accepts).
        }
        return { t: "assert", kind: "word", ascii: !flags.u };
      case "B":
        return { t: "assert", kind: "notWord", ascii: !flags.u };
      case "<":
        return { t: "assert", kind: "wordStart", ascii: !flags.u };
      case ">":
        return { t: "assert", kind: "wordEnd", ascii: !flags.u };
      case "A":
        return { t: "assert", kind: "start", ascii: false };
      case "z":
        return { t: "assert", kind: "end", ascii: false };
      default: {
        const cp = this.literalEscape(c, flags);
        return this.set(literalSource(cp), flags, cp);
      }
    }
  }

  /** `\d \w \s \D \W \S \p \P` (in and out of classes): JavaScript class text. */
  private classEscape(c: string, flags: Flags): string {
    switch (c) {
      case "d":
        return flags.u ? "\\p{Nd}" : "[0-9]";
      case "w":
        return flags.u ? UNICODE_WORD : ASCII_WORD;
      case "s":
        return flags.u ? "\\p{White_Space}" : "[\\x09-\\x0D\\x20]";
    }
    if (!flags.u) this.fail(`\\${c} under (?-u) can match invalid UTF-8`);
    switch (c) {
      case "D":
        return "\\P{Nd}";
      case "W":
        return `[^${UNICODE_WORD.slice(1, -1)}]`;
      case "S":
        return "\\P{White_Space}";
    }
    let negated = c === "P";
    let name: string;
    if (this.peek() === "{") {
      const end = this.chars.indexOf("}", this.pos);
      if (end === -1) this.fail("unclosed Unicode class");
      name = this.chars.slice(this.pos + 1, end).join("");
      this.pos = end + 1;
    } else {
      name = this.next();
    }
    let property: string | undefined;
    let value = name;
    const neq = name.indexOf("!=");
    const eq = neq === -1 ? name.search(/[=:]/) : neq;
    if (eq !== -1) {
      property = name.slice(0, eq);
      value = name.slice(eq + (neq === -1 ? 1 : 2));
      if (neq !== -1) negated = !negated;
    }
    const body = unicodeProperty(property, value);
    if (body === undefined) this.fail(`Unicode property ${JSON.stringify(name)} not found (or without a JavaScript equivalent)`);
    return `\\${negated ? "P" : "p"}{${body}}`;
  }

  /** A single-character escape (after `\`); returns its code point. */
  private literalEscape(c: string, flags: Flags): number {
    switch (c) {
      case "n":
        return 0x0a;
      case "t":
        return 0x09;
      case "r":
        return 0x0d;
      case "f":
        return 0x0c;
      case "v":
        return 0x0b;
      case "a":
        return 0x07;
      case "x":
      case "u":
      case "U": {
        const cp = this.hexEscape(c === "x" ? 2 : c === "u" ? 4 : 8);
        if (!flags.u && cp >= 0x80) this.fail("non-ASCII escape under (?-u) can match invalid UTF-8");
        return cp;
      }
    }
    const cp = c.codePointAt(0)!;
    if (DIGIT.test(c)) this.fail("back references and octal escapes are not supported");
    if (cp >= 0x80 || /^[0-9A-Za-z]$/.test(c)) this.fail(`unrecognized escape sequence \\${c}`);
    return cp;
  }

  private hexEscape(width: number): number {
    let digits = "";
    if (this.peek() === "{") {
      this.pos++;
      for (;;) {
        const c = this.next();
        if (c === "}") break;
        digits += c;
      }
      if (digits.length === 0 || digits.length > 8) this.fail("invalid hexadecimal escape");
    } else {
      for (let i = 0; i < width; i++) digits += this.next();
    }
    if (!/^[0-9A-Fa-f]+$/.test(digits)) this.fail("invalid hexadecimal escape");
    const cp = parseInt(digits, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail("hexadecimal escape is not a Unicode scalar value");
    return cp;
  }

  /** After `[`: a bracketed class (nesting, set operations), as `v`-mode text. `depth` counts nested brackets. */
  private characterClass(flags: Flags, depth: number): string {
    if (depth > NEST_LIMIT) this.fail(`nesting deeper than ${NEST_LIMIT}`);
    this.skipSpace(flags);
    let negated = false;
    if (this.peek() === "^") {
      this.pos++;
      negated = true;
      this.skipSpace(flags);
    }
    if (negated && !flags.u) this.fail("negated class under (?-u) can match invalid UTF-8");
    const operands: ClassItem[][] = [];
    const operators: string[] = [];
    let items: ClassItem[] = [];
    // Leading `-`s are literals (so `[--a]` is `-` and `a`), then a leading `]` is a literal.
    while (this.peek() === "-") {
      this.pos++;
      items.push({ kind: "char", cp: 0x2d });
      this.skipSpace(flags);
    }
    if (items.length === 0 && this.peek() === "]") {
      this.pos++;
      items.push({ kind: "char", cp: 0x5d });
    }
    for (;;) {
      this.skipSpace(flags);
      const c = this.peek();
      if (c === undefined) this.fail("unclosed character class");
      if (c === "]") {
        this.pos++;
        break;
      }
      const two = c + (this.peek(1) ?? "");
      if (two === "&&" || two === "--" || two === "~~") {
        this.pos += 2;
        operands.push(items);
        operators.push(two);
        items = [];
        continue;
      }
      if (c === "[") {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.chars.slice(this.pos, this.pos + 12).join(""));
        if (posix !== null && POSIX[posix[2]!] !== undefined) {
          this.pos += posix[0].length;
          if (posix[1] === "^" && !flags.u) this.fail("negated POSIX class under (?-u) can match invalid UTF-8");
          items.push({ kind: "text", text: `[${posix[1]}${POSIX[posix[2]!]}]` });
        } else {
          this.pos++;
          items.push({ kind: "text", text: this.characterClass(flags, depth + 1) });
        }
        continue;
      }
      const start = this.classAtom(flags);
      this.skipSpace(flags);
      if (this.peek() === undefined) this.fail("unclosed character class");
      const after = this.peekSpace(flags);
      if (this.peek() === "-" && after !== "]" && after !== "-") {
        this.pos++;
        this.skipSpace(flags);
        const end = this.classAtom(flags);
        if (start.kind !== "char" || end.kind !== "char") this.fail("invalid range in character class (a bound is a class)");
        if (end.cp < start.cp) this.fail("invalid range in character class");
        if (!flags.u && end.cp >= 0x80) this.fail("non-ASCII class under (?-u)");
        items.push({ kind: "text", text: `${literalSource(start.cp)}-${literalSource(end.cp)}` });
        continue;
      }
      if (!flags.u && start.kind === "char" && start.cp >= 0x80) this.fail("non-ASCII class under (?-u)");
      items.push(start);
    }
    operands.push(items);
    const union = (xs: ClassItem[]) => "[" + xs.map((x) => (x.kind === "char" ? literalSource(x.cp) : x.text)).join("") + "]";
    if (operators.length === 0) return (negated ? "[^" : "[") + union(items).slice(1);
    let expression = union(operands[0]!);
    for (let k = 0; k < operators.length; k++) {
      const right = union(operands[k + 1]!);
      const op = operators[k]!;
      expression = op === "~~" ? `[[${expression}--${right}][${right}--${expression}]]` : `[${expression}${op}${right}]`;
    }
    return negated ? `[^${expression}]` : expression;
  }

  private classAtom(flags: Flags): ClassItem {
    const c = this.next();
    if (c !== "\\") return { kind: "char", cp: c.codePointAt(0)! };
    const e = this.next();
    switch (e) {
      case "d":
      case "w":
      case "s":
      case "D":
      case "W":
      case "S":
      case "p":
      case "P":
        return { kind: "text", text: this.classEscape(e, flags) };
      case "b":
      case "B":
      case "A":
      case "z":
      case "<":
      case ">":
        this.fail(`assertion \\${e} inside a character class`);
    }
    return { kind: "char", cp: this.literalEscape(e, flags) };
  }
}

/**
 * Parses a Rust `regex` pattern. Throws `RegexTranslationError` for what
 * Rust rejects and for what flagpost cannot match faithfully.
 *
 * @example
 * ```ts
 * // (fragment) private helper
 * parseRegex("a(?i)b"); // { t: "cat", items: [a (fold "none"), b (fold "unicode")] }
 * ```
 */
export function parseRegex(pattern: string): RegexNode {
  const node = new Parser(pattern).parse();
  return node;
}
