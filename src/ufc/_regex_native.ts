/**
 * The fast path: a parsed pattern written back as a JavaScript `RegExp`
 * (`v` flag), used only when a static check proves that V8's, JSC's or
 * workerd's backtracking engine runs it in linear time on any input.
 *
 * Why a check is needed: a backtracking `RegExp.test` tries every start
 * position and, at each, every way the quantifiers can split the input.
 * Three things make that super-linear, and the check refuses each:
 *
 * 1. a repeated group (`(a+)+`, `(a|aa)+`, `(.*a){20}`): exponentially many
 *    ways to split, so only single code-point sets may repeat more than once;
 * 2. two unbounded repeats that can hand characters to each other
 *    (`^.*a.*b$`): quadratic per start position, so an unbounded repeat must
 *    be followed by something disjoint from it (then a backtracking step
 *    fails on its first character: the repeat acts possessively) or by
 *    nothing unbounded at all; alternations and bounded repeats multiply the
 *    work by a constant (paths × the widths of bounded repeats), capped below;
 * 3. an unanchored search whose attempts can scan far (`\s+$`, `x[a-z]+@`):
 *    every start position rescans the same run, quadratic, so the pattern
 *    must start with `^` or `\A`, or contain no unbounded repeat.
 *
 * Before the check, leading and trailing repeats of a top-level alternative
 * are cut to their minimum (`.*@test\.com` becomes `@test\.com`, `[a-z]+@`
 * becomes `[a-z]@`): for "is there a match anywhere" this changes nothing,
 * and it keeps the most common shapes on the fast path.
 *
 * @module
 */
import { ASCII_WORD, type AssertNode, type RegexNode, type SetNode, UNICODE_WORD } from "./_regex_syntax.ts";

/**
 * Cuts leading and trailing repeats of sets to their minimum in each top-level alternative (same match / no-match answer).
 *
 * @example
 * ```ts
 * // (fragment) private helper
 * toJavaScript(trimUnanchored(parseRegex(".*@test\\.com")))!.source; // "\\x40test\\x2Ecom"
 * ```
 */
export function trimUnanchored(node: RegexNode): RegexNode {
  if (node.t === "alt") return { t: "alt", items: node.items.map(trimUnanchored) };
  const items = node.t === "cat" ? [...node.items] : [node];
  const trim = (k: number): boolean => {
    const item = items[k];
    if (item === undefined || item.t !== "rep" || item.node.t !== "set") return false;
    if (item.min === 0) {
      items.splice(k, 1);
      return true;
    }
    if (item.max !== item.min) items[k] = item.min === 1 ? item.node : { t: "rep", node: item.node, min: item.min, max: item.min };
    return false;
  };
  while (trim(0));
  while (trim(items.length - 1));
  return items.length === 1 ? items[0]! : { t: "cat", items };
}

function wordBoundary(node: AssertNode): string {
  const w = node.ascii ? ASCII_WORD : UNICODE_WORD;
  switch (node.kind) {
    case "word":
      return `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
    case "notWord":
      return `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`;
    case "wordStart":
      return `(?:(?<!${w})(?=${w}))`;
    case "wordEnd":
      return `(?:(?<=${w})(?!${w}))`;
    case "wordStartHalf":
      return `(?<!${w})`;
    default:
      return `(?!${w})`;
  }
}

function emit(node: RegexNode): string {
  switch (node.t) {
    case "set":
      return node.source;
    case "assert":
      switch (node.kind) {
        case "start":
          return "^";
        case "end":
          return "$";
        case "lineStart":
          return "(?<![^\\n])";
        case "lineEnd":
          return "(?![^\\n])";
        case "crlfStart":
          return "(?<![^\\n\\r])(?!(?<=\\r)\\n)";
        case "crlfEnd":
          return "(?![^\\n\\r])(?!(?<=\\r)\\n)";
        default:
          return wordBoundary(node);
      }
    case "cat":
      return node.items.map((x) => (x.t === "alt" ? `(?:${emit(x)})` : emit(x))).join("");
    case "alt":
      return node.items.map(emit).join("|");
    case "rep": {
      const body = node.node.t === "set" ? emit(node.node) : `(?:${emit(node.node)})`;
      const { min, max } = node;
      const q = max === Infinity
        ? (min === 0 ? "*" : min === 1 ? "+" : `{${min},}`)
        : min === max
        ? `{${min}}`
        : min === 0 && max === 1
        ? "?"
        : `{${min},${max}}`;
      return body + q;
    }
  }
}

/**
 * The JavaScript source and flags with the same matches as `node`, or
 * `undefined` when JavaScript cannot say it: case-insensitivity that does not
 * cover the whole pattern (JavaScript's `i` is all or nothing), or ASCII-only
 * case folding (`(?i)` under `(?-u)`).
 *
 * @example
 * ```ts
 * // (fragment) private helper
 * toJavaScript(parseRegex("^(?i)abc")); // { source: "^abc", flags: "iv" }
 * toJavaScript(parseRegex("a(?i)b")); // undefined: JavaScript's i covers all or nothing
 * ```
 */
export function toJavaScript(node: RegexNode): { source: string; flags: string } | undefined {
  let folded = 0;
  let plain = 0;
  let asciiAssertion = false;
  const stack: RegexNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.t === "set") {
      if (n.fold === "ascii") return undefined;
      if (n.fold === "unicode") folded++;
      else plain++;
    } else if (n.t === "assert") asciiAssertion ||= n.ascii;
    else if (n.t === "rep") stack.push(n.node);
    else for (const item of n.items) stack.push(item);
  }
  if (folded > 0 && (plain > 0 || asciiAssertion)) return undefined;
  return { source: emit(node), flags: folded > 0 ? "iv" : "v" };
}

/** One element of a path through the pattern: a set repeated `min`–`max` times, or an assertion. */
type Step = { set: SetNode; min: number; max: number } | { assert: AssertNode };

/** How many paths (alternation branches multiplied out) the check follows at most. */
const MAX_PATHS = 64;
/** Bound on the extra work of choices (paths × bounded repeat widths). */
const MAX_CHOICES = 10_000;
/** How many steps past a repeat the disjointness check looks before assuming an overlap. */
const MAX_LOOKAHEAD = 64;

/** Every path through `node` (alternations multiplied out); `undefined` when a group repeats or there are too many paths. */
function paths(node: RegexNode): Step[][] | undefined {
  switch (node.t) {
    case "set":
      return [[{ set: node, min: 1, max: 1 }]];
    case "assert":
      return [[{ assert: node }]];
    case "alt": {
      const out: Step[][] = [];
      for (const item of node.items) {
        const p = paths(item);
        if (p === undefined || out.length + p.length > MAX_PATHS) return undefined;
        out.push(...p);
      }
      return out;
    }
    case "cat": {
      let out: Step[][] = [[]];
      for (const item of node.items) {
        const p = paths(item);
        if (p === undefined || out.length * p.length > MAX_PATHS) return undefined;
        if (p.length === 1) { for (const a of out) for (const step of p[0]!) a.push(step); }
        else out = out.flatMap((a) => p.map((b) => a.concat(b)));
      }
      return out;
    }
    case "rep": {
      if (node.node.t === "set") return node.max === 0 ? [[]] : [[{ set: node.node, min: node.min, max: node.max }]];
      if (node.max === 0) return [[]];
      if (node.max > 1) return undefined;
      const p = paths(node.node);
      if (p === undefined) return undefined;
      if (node.min === 1) return p;
      return p.length + 1 > MAX_PATHS ? undefined : [...p, []];
    }
  }
}

interface Membership {
  /** Exact membership of the 128 ASCII code points. */
  readonly ascii: Uint8Array;
  /** Whether the set may contain a non-ASCII code point (conservative). */
  readonly nonAscii: boolean;
}

function membership(set: SetNode, cache: Map<SetNode, Membership>): Membership {
  let m = cache.get(set);
  if (m !== undefined) return m;
  const ascii = new Uint8Array(128);
  if (set.cp >= 0 && set.fold === "none") {
    if (set.cp < 128) ascii[set.cp] = 1;
    m = { ascii, nonAscii: set.cp >= 128 };
  } else {
    const re = new RegExp(`^${set.source}$`, set.fold === "unicode" ? "iv" : "v");
    for (let c = 0; c < 128; c++) if (re.test(String.fromCharCode(c))) ascii[c] = 1;
    // ASCII-only syntax (no property, no negation, no \u{…}) and no Unicode folding: no non-ASCII member.
    m = { ascii, nonAscii: set.fold === "unicode" || /\\[pPu]|\^|\\s\\S/.test(set.source) };
  }
  cache.set(set, m);
  return m;
}

function disjoint(a: Membership, b: Membership): boolean {
  if (a.nonAscii && b.nonAscii) return false;
  for (let c = 0; c < 128; c++) if (a.ascii[c]! & b.ascii[c]!) return false;
  return true;
}

/**
 * Whether a backtracking engine runs `node` (already trimmed) in time linear
 * in the input for an unanchored `test`. Conservative: `false` sends the
 * pattern to the linear-time engine, which is always correct.
 *
 * @example
 * ```ts
 * // (fragment) private helper
 * isBacktrackingSafe(trimUnanchored(parseRegex("^[a-z]+@corp\\.com$"))); // true
 * isBacktrackingSafe(trimUnanchored(parseRegex("^(a+)+$"))); // false
 * ```
 */
export function isBacktrackingSafe(node: RegexNode): boolean {
  const all = paths(node);
  if (all === undefined) return false;
  const cache = new Map<SetNode, Membership>();
  let choices = all.length;
  for (const path of all) {
    const first = path[0];
    const anchored = first !== undefined && "assert" in first && first.assert.kind === "start";
    // unboundedFrom[k]: some step at k or later repeats without bound.
    const unboundedFrom = new Uint8Array(path.length + 1);
    for (let k = path.length - 1; k >= 0; k--) {
      const step = path[k]!;
      unboundedFrom[k] = unboundedFrom[k + 1]! | ("set" in step && step.max === Infinity ? 1 : 0);
    }
    for (let j = 0; j < path.length; j++) {
      const step = path[j]!;
      if (!("set" in step)) continue;
      if (step.max === Infinity && !anchored) return false;
      if (step.max === step.min) continue;
      // Every bounded choice may be retried for every choice before it: their widths multiply.
      if (step.max !== Infinity) {
        choices *= step.max - step.min + 1;
        if (choices > MAX_CHOICES) return false;
      }
      // What may follow: sets up to and including the first one that must match (past MAX_LOOKAHEAD: assume an overlap).
      let overlaps = true;
      for (let k = j + 1, seen = 0; seen < MAX_LOOKAHEAD; k++, seen++) {
        const next = path[k];
        if (next === undefined) {
          overlaps = false;
          break;
        }
        if (!("set" in next)) continue;
        if (!disjoint(membership(step.set, cache), membership(next.set, cache))) break;
        if (next.min > 0) {
          overlaps = false;
          break;
        }
      }
      if (overlaps && step.max === Infinity && unboundedFrom[j + 1]) return false;
    }
  }
  return true;
}
