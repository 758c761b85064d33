/**
 * Translation of the Rust `regex` crate's syntax (what UFC configurations
 * use, what Datadog's native evaluator runs) into an equivalent JavaScript
 * `RegExp` (with the `v` flag).
 *
 * The translation is a real parser, not a string patch: every construct is
 * either rewritten to something with the same matching semantics or rejected
 * with a `RegexTranslationError`. A rejected pattern makes its flag a
 * PARSE_ERROR; it never produces a wrong match.
 *
 * What differs between the dialects and how it is handled:
 * - `\d`, `\w`, `\s`, `\b`, `\B` are Unicode-aware in Rust: they become
 *   `\p{Nd}`, `[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]`,
 *   `\p{White_Space}` and look-arounds on that word class.
 * - `.` excludes only `\n` in Rust (JavaScript also excludes `\r`, U+2028,
 *   U+2029): it becomes `[^\n]` (or `[\s\S]` under `(?s)`).
 * - POSIX classes `[[:alnum:]]` … `[[:xdigit:]]` (ASCII, also negated
 *   `[[:^alpha:]]`), nested classes and the set operators `&&`, `--`, `~~`.
 * - Inline flags: `(?i)` only when it applies to the whole pattern (it leads
 *   the pattern); `(?m)`, `(?s)`, `(?U)`, `(?x)`, `(?u)`/`(?-u)` anywhere,
 *   bare or scoped (`(?m:…)`), since the translator rewrites what they affect.
 * - `\A`, `\z`, `\<`, `\>`, `\b{start}`, `\b{end}`, `\b{start-half}`,
 *   `\b{end-half}`, `\x7F`, `\x{…}`, `\u…`, `\U…`, `\a`, `(?P<name>…)`.
 * - Rejected (as Rust does or as untranslatable): look-around, back
 *   references, octal escapes, `(?R)`, a case-insensitive flag that does not
 *   lead the pattern, `(?-u)` with `.`, negated classes or non-ASCII classes,
 *   Unicode property names JavaScript does not spell the same way (scripts
 *   must be written `\p{sc=Greek}` / `\p{scx=Greek}`).
 *
 * @module
 */

/**
 * Thrown when a Rust pattern is invalid or cannot be translated faithfully.
 *
 * @example
 * ```ts
 * try { compileRegex("(a)\\1"); } catch (e) { e instanceof RegexTranslationError; } // true: no back references in Rust
 * ```
 */
export class RegexTranslationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegexTranslationError";
  }
}

/**
 * A JavaScript pattern and flags equivalent to a Rust pattern.
 *
 * @example
 * ```ts
 * const { source, flags } = translateRegex("(?i)^abc$"); // flags "iv"
 * ```
 */
export interface TranslatedRegex {
  readonly source: string;
  readonly flags: string;
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
  x: boolean;
  u: boolean;
}

interface Item {
  text: string;
  /** Whether a quantifier can follow `text` directly (otherwise it is wrapped in a group). */
  atomic: boolean;
}

const UNICODE_WORD = "[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]";
const ASCII_WORD = "[0-9A-Za-z_]";

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

/** A literal code point, safe in and out of `v`-mode classes. */
function literal(cp: number): string {
  if ((cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95) {
    return String.fromCharCode(cp);
  }
  if (cp < 0x80) return "\\x" + hex(cp, 2);
  return "\\u{" + hex(cp, 4) + "}";
}

function isAsciiAlnum(c: string): boolean {
  return /^[0-9A-Za-z]$/.test(c);
}

function isWhitespace(c: string): boolean {
  return /^\s$/u.test(c);
}

function wordBoundary(kind: "both" | "not" | "start" | "end" | "start-half" | "end-half", unicode: boolean): string {
  const w = unicode ? UNICODE_WORD : ASCII_WORD;
  switch (kind) {
    case "both":
      return `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
    case "not":
      return `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`;
    case "start":
      return `(?:(?<!${w})(?=${w}))`;
    case "end":
      return `(?:(?<=${w})(?!${w}))`;
    case "start-half":
      return `(?:(?<!${w}))`;
    case "end-half":
      return `(?:(?!${w}))`;
  }
}

type ClassItem = { kind: "char"; cp: number } | { kind: "text"; text: string };

class Translator {
  private readonly chars: string[];
  private pos = 0;
  private globalI = false;
  private readonly names = new Set<string>();

  constructor(private readonly pattern: string) {
    this.chars = Array.from(pattern);
    for (const c of this.chars) {
      const cp = c.codePointAt(0)!;
      if (cp >= 0xd800 && cp <= 0xdfff) this.fail("lone surrogate in pattern");
    }
  }

  translate(): TranslatedRegex {
    const flags: Flags = { i: false, m: false, s: false, U: false, x: false, u: true };
    const source = this.expression(flags, 0);
    if (this.pos < this.chars.length) this.fail("unopened group");
    return { source, flags: this.globalI ? "iv" : "v" };
  }

  private fail(message: string): never {
    throw new RegexTranslationError(`${message} (at ${this.pos} in ${JSON.stringify(this.pattern)})`);
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

  private skipSpace(flags: Flags): void {
    if (!flags.x) return;
    for (;;) {
      const c = this.peek();
      if (c === undefined) return;
      if (isWhitespace(c)) this.pos++;
      else if (c === "#") {
        while (this.peek() !== undefined && this.peek() !== "\n") this.pos++;
      } else return;
    }
  }

  /** Alternatives up to (not including) `)` or the end. */
  private expression(flags: Flags, depth: number): string {
    const alternatives: string[] = [];
    let items: Item[] = [];
    let quantified = false;
    for (;;) {
      this.skipSpace(flags);
      const c = this.peek();
      if (c === undefined || c === ")") break;
      if (c === "|") {
        this.pos++;
        alternatives.push(items.map((i) => i.text).join(""));
        items = [];
        quantified = false;
        continue;
      }
      if (c === "*" || c === "+" || c === "?" || c === "{") {
        const last = items.at(-1);
        if (last === undefined) this.fail("repetition operator missing expression");
        const q = this.quantifier(flags);
        const base = last.atomic && !quantified ? last.text : `(?:${last.text})`;
        items[items.length - 1] = { text: base + q, atomic: false };
        quantified = true;
        continue;
      }
      const atStart = depth === 0 && alternatives.length === 0 && items.length === 0;
      const item = this.atom(flags, depth, atStart);
      if (item !== undefined) {
        items.push(item);
        quantified = false;
      }
    }
    alternatives.push(items.map((i) => i.text).join(""));
    return alternatives.join("|");
  }

  private quantifier(flags: Flags): string {
    const c = this.next();
    let q: string;
    if (c === "{") {
      const digits = () => {
        this.skipSpace(flags);
        let d = "";
        while (this.peek() !== undefined && /^[0-9]$/.test(this.peek()!)) d += this.next();
        this.skipSpace(flags);
        return d;
      };
      const min = digits();
      if (min === "") this.fail("invalid counted repetition");
      let max: string | undefined = min;
      if (this.peek() === ",") {
        this.pos++;
        max = digits();
        if (max === "") max = undefined;
      }
      if (this.peek() !== "}") this.fail("unclosed counted repetition");
      this.pos++;
      const lo = Number(min);
      if (lo > 0xffffffff || (max !== undefined && Number(max) > 0xffffffff)) this.fail("repetition count too large");
      if (max !== undefined && Number(max) < lo) this.fail("invalid repetition range");
      q = max === min ? `{${lo}}` : max === undefined ? `{${lo},}` : `{${lo},${Number(max)}}`;
    } else {
      q = c;
    }
    let lazy = false;
    if (this.peek() === "?") {
      this.pos++;
      lazy = true;
    }
    if (flags.U) lazy = !lazy;
    return lazy ? q + "?" : q;
  }

  private atom(flags: Flags, depth: number, atStart: boolean): Item | undefined {
    const c = this.next();
    switch (c) {
      case "(":
        return this.group(flags, depth, atStart);
      case "[":
        return { text: this.characterClass(flags), atomic: true };
      case ".":
        if (!flags.u) this.fail("`.` under (?-u) can match invalid UTF-8");
        return { text: flags.s ? "[\\s\\S]" : "[^\\n]", atomic: true };
      case "^":
        return { text: flags.m ? "(?<![^\\n])" : "^", atomic: false };
      case "$":
        return { text: flags.m ? "(?![^\\n])" : "$", atomic: false };
      case "\\":
        return this.escape(flags);
      default: {
        const cp = c.codePointAt(0)!;
        return { text: literal(cp), atomic: true };
      }
    }
  }

  private group(flags: Flags, depth: number, atStart: boolean): Item | undefined {
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
      } else {
        const { scoped } = this.flagGroup(inner, depth, atStart);
        if (!scoped) {
          Object.assign(flags, inner);
          return undefined;
        }
      }
    }
    const body = this.expression(inner, depth + 1);
    if (this.peek() !== ")") this.fail("unclosed group");
    this.pos++;
    return { text: `(?:${body})`, atomic: true };
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

  /** Parses `flags)` or `flags:` after `(?`, applying them to `flags`. */
  private flagGroup(flags: Flags, depth: number, atStart: boolean): { scoped: boolean } {
    const seen = new Set<string>();
    let negate = false;
    let sawNegation = false;
    let any = false;
    const before = flags.i;
    for (;;) {
      const c = this.next();
      if (c === ")" || c === ":") {
        if (sawNegation && !any) this.fail("dangling flag negation");
        if (c === ")" && seen.size === 0 && !sawNegation) this.fail("empty flag group");
        const scoped = c === ":";
        if (flags.i !== before) {
          const wholePattern = !scoped && atStart && depth === 0 && flags.i;
          if (!wholePattern) this.fail("a case-insensitive flag is only supported when it leads the pattern");
          this.globalI = true;
        }
        if (this.globalI && !flags.u) this.fail("(?i) with (?-u) is not supported");
        return { scoped };
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
        case "U":
        case "x":
        case "u":
          flags[c] = !negate;
          break;
        default:
          this.fail(`unsupported flag ${JSON.stringify(c)}`);
      }
      if (this.globalI && !flags.u) this.fail("(?i) with (?-u) is not supported");
    }
  }

  private escape(flags: Flags): Item {
    const c = this.next();
    switch (c) {
      case "d":
        return { text: flags.u ? "\\p{Nd}" : "[0-9]", atomic: true };
      case "w":
        return { text: flags.u ? UNICODE_WORD : ASCII_WORD, atomic: true };
      case "s":
        return { text: flags.u ? "\\p{White_Space}" : "[\\x09-\\x0D\\x20]", atomic: true };
      case "D":
      case "W":
      case "S":
      case "p":
      case "P":
        return { text: this.classEscape(c, flags), atomic: true };
      case "b":
        if (this.peek() === "{") {
          const end = this.chars.indexOf("}", this.pos);
          const name = end === -1 ? "" : this.chars.slice(this.pos + 1, end).join("");
          if (name === "start" || name === "end" || name === "start-half" || name === "end-half") {
            this.pos = end + 1;
            return { text: wordBoundary(name, flags.u), atomic: true };
          }
          // Otherwise `\b` followed by a counted repetition, which Rust rejects as well.
        }
        return { text: wordBoundary("both", flags.u), atomic: true };
      case "B":
        if (!flags.u) this.fail("(?-u:\\B) is not supported");
        return { text: wordBoundary("not", flags.u), atomic: true };
      case "<":
        return { text: wordBoundary("start", flags.u), atomic: true };
      case ">":
        return { text: wordBoundary("end", flags.u), atomic: true };
      case "A":
        return { text: "^", atomic: false };
      case "z":
        return { text: "$", atomic: false };
      default:
        return { text: literal(this.literalEscape(c, flags)), atomic: true };
    }
  }

  /** `\D \W \S \p \P` (in and out of classes). */
  private classEscape(c: string, flags: Flags): string {
    if (!flags.u) this.fail(`\\${c} under (?-u) is not supported`);
    switch (c) {
      case "D":
        return "\\P{Nd}";
      case "W":
        return `[^${UNICODE_WORD.slice(1, -1)}]`;
      case "S":
        return "\\P{White_Space}";
      case "d":
        return "\\p{Nd}";
      case "w":
        return UNICODE_WORD;
      case "s":
        return "\\p{White_Space}";
      default: {
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
        if (!/^[A-Za-z0-9_]+$/.test(value)) this.fail(`unsupported Unicode class ${JSON.stringify(name)}`);
        let text: string;
        if (property === undefined) text = value;
        else {
          const canonical = ({
            sc: "Script",
            Script: "Script",
            scx: "Script_Extensions",
            Script_Extensions: "Script_Extensions",
            gc: "General_Category",
            General_Category: "General_Category",
          } as Record<string, string>)[property];
          if (canonical === undefined) this.fail(`unsupported Unicode property ${JSON.stringify(property)}`);
          text = `${canonical}=${value}`;
        }
        const escape = `\\${negated ? "P" : "p"}{${text}}`;
        try {
          new RegExp(escape, "v");
        } catch {
          this.fail(`Unicode class ${JSON.stringify(name)} has no JavaScript equivalent`);
        }
        return escape;
      }
    }
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
    if (/^[0-9]$/.test(c)) this.fail("back references and octal escapes are not supported");
    if (cp >= 0x80 || isAsciiAlnum(c)) this.fail(`unrecognized escape sequence \\${c}`);
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

  /** After `[`: a bracketed class, with nesting and set operations. */
  private characterClass(flags: Flags): string {
    let negated = false;
    if (this.peek() === "^") {
      this.pos++;
      negated = true;
    }
    if (negated && !flags.u) this.fail("negated class under (?-u) can match invalid UTF-8");
    const operands: ClassItem[][] = [];
    const operators: string[] = [];
    let items: ClassItem[] = [];
    let first = true;
    for (;;) {
      this.skipSpace(flags);
      const c = this.peek();
      if (c === undefined) this.fail("unclosed character class");
      if (c === "]" && !first) {
        this.pos++;
        break;
      }
      first = false;
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
          items.push({ kind: "text", text: this.characterClass(flags) });
        }
        continue;
      }
      const start = this.classAtom(flags);
      if (start.kind === "char" && this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== "-" && this.peek(1) !== undefined) {
        this.pos++;
        this.skipSpace(flags);
        const end = this.classAtom(flags);
        if (end.kind !== "char") this.fail("invalid range end in character class");
        if (end.cp < start.cp) this.fail("invalid range in character class");
        items.push({ kind: "text", text: `${literal(start.cp)}-${literal(end.cp)}` });
        if (!flags.u && end.cp >= 0x80) this.fail("non-ASCII class under (?-u)");
        continue;
      }
      if (!flags.u && start.kind === "char" && start.cp >= 0x80) this.fail("non-ASCII class under (?-u)");
      items.push(start);
    }
    operands.push(items);
    const union = (xs: ClassItem[]) => "[" + xs.map((x) => (x.kind === "char" ? literal(x.cp) : x.text)).join("") + "]";
    if (operators.length === 0) {
      return (negated ? "[^" : "[") + union(items).slice(1);
    }
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
        return { kind: "text", text: flags.u ? "\\p{Nd}" : "0-9" };
      case "w":
        return { kind: "text", text: flags.u ? UNICODE_WORD : ASCII_WORD };
      case "s":
        return { kind: "text", text: flags.u ? "\\p{White_Space}" : "\\x09-\\x0D\\x20" };
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
 * Translates a Rust `regex` pattern into a JavaScript pattern and flags with
 * the same matches. Throws `RegexTranslationError` when the pattern is
 * invalid in Rust or cannot be translated faithfully.
 *
 * @example
 * ```ts
 * const { source, flags } = translateRegex("^[[:alnum:]]+$");
 * new RegExp(source, flags).test("abc123"); // true
 * ```
 */
export function translateRegex(pattern: string): TranslatedRegex {
  const translated = new Translator(pattern).translate();
  try {
    new RegExp(translated.source, translated.flags);
  } catch (e) {
    throw new RegexTranslationError(`${(e as Error).message} (translating ${JSON.stringify(pattern)})`);
  }
  return translated;
}

/**
 * Compiles a Rust `regex` pattern into a JavaScript `RegExp` (unanchored
 * search, like Rust's `is_match`). Throws `RegexTranslationError` when it
 * cannot be translated faithfully.
 *
 * @example
 * ```ts
 * compileRegex("(?u)\\bmañana\\b").test("llega mañana temprano"); // true
 * compileRegex("(?=x)"); // throws RegexTranslationError (Rust has no look-around)
 * ```
 */
export function compileRegex(pattern: string): RegExp {
  const { source, flags } = translateRegex(pattern);
  return new RegExp(source, flags);
}
