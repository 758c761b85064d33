/**
 * The linear-time engine: a Thompson NFA simulated breadth-first (a Pike VM
 * without captures), for every pattern the backtracking fast path cannot be
 * proven safe for. Each input code point advances the set of live states
 * once, and a state enters the set at most once per position, so a search
 * costs O(input length × program size) whatever the pattern: `^(a+)+$`,
 * `(.*a){20}` or `\s+$` against 100 KB take milliseconds, not hours.
 *
 * Only "is there a match anywhere" is asked (MATCHES / NOT_MATCHES), so
 * there are no captures, no priorities (greedy and lazy are the same), the
 * search is unanchored by adding the start state at every position (only at
 * position 0 when the pattern starts with `\A`), and it stops at the first
 * state that reaches the end of the program.
 *
 * It runs as a lazy DFA: each distinct set of waiting states (with what the
 * previous code point was, for `^`, `$`, `\b` and friends) is built once
 * and caches its transitions, so a warm search costs a lookup per code
 * point; uncached steps cost O(program size), and past 1,024 states per
 * pattern nothing more is cached (bounded memory, still linear time).
 *
 * Sets are tested per code point: a 128-entry table for ASCII (built when
 * the program is compiled) and, beyond ASCII, the set's own `v`-mode class
 * as a sticky one-code-point `RegExp`, which keeps Unicode properties and
 * case folding exactly those of the native path.
 *
 * @module
 */
import type { AssertKind, RegexNode, SetNode } from "./_regex_syntax.ts";
import { ASCII_WORD, UNICODE_WORD } from "./_regex_syntax.ts";

const SET = 0;
const SPLIT = 1;
const JMP = 2;
const ASSERT = 3;
const MATCH = 4;

const ASSERTS: readonly AssertKind[] = [
  "start",
  "end",
  "lineStart",
  "lineEnd",
  "word",
  "notWord",
  "wordStart",
  "wordEnd",
  "wordStartHalf",
  "wordEndHalf",
  "crlfStart",
  "crlfEnd",
];

/**
 * Number of instructions `node` compiles to (counted repetitions expanded),
 * `Infinity` past `limit`. The compiled-size limit is checked with this
 * before anything is built, whichever engine runs the pattern.
 *
 * @example
 * ```ts
 * // (fragment) private helper
 * programSize(parseRegex("a{1,3}"), 100_000); // 5
 * programSize(parseRegex("a{1000}{1000}{1000}"), 100_000); // Infinity
 * ```
 */
export function programSize(node: RegexNode, limit: number): number {
  const size = (n: RegexNode): number => {
    switch (n.t) {
      case "set":
      case "assert":
        return 1;
      case "cat":
      case "alt": {
        let total = n.t === "alt" ? 2 * (n.items.length - 1) : 0;
        for (const item of n.items) {
          total += size(item);
          if (total > limit) return Infinity;
        }
        return total;
      }
      case "rep": {
        const s = size(n.node);
        if (s === Infinity) return n.max === 0 ? 0 : Infinity;
        const total = n.min * s + (n.max === Infinity ? s + 2 : (n.max - n.min) * (s + 1));
        return total > limit ? Infinity : total;
      }
    }
  };
  return size(node);
}

/** A set's membership test, shared by the states that use the same set. */
class CodePointTest {
  readonly ascii = new Uint8Array(128);
  private readonly sticky: RegExp | undefined;

  constructor(set: { source: string; cp: number; fold: SetNode["fold"] }) {
    const literal = set.cp >= 0 && set.fold === "none";
    this.sticky = literal && set.cp < 128 ? undefined : new RegExp(set.source, set.fold === "unicode" ? "ivy" : "vy");
    if (literal) {
      if (set.cp < 128) this.ascii[set.cp] = 1;
      return;
    }
    const exact = new RegExp(`^${set.source}$`, set.fold === "unicode" ? "iv" : "v");
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      // ASCII-only folding (`(?i)` under `(?-u)`): a letter matches if it or its other case does.
      const other = set.fold === "ascii" ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch;
      if (exact.test(ch) || exact.test(other)) this.ascii[c] = 1;
    }
  }

  /** Whether the code point `cp` found at `index` of `input` is in the set. */
  has(cp: number, input: string, index: number): boolean {
    if (cp < 128) return this.ascii[cp] === 1;
    const re = this.sticky;
    if (re === undefined) return false;
    re.lastIndex = index;
    return re.test(input);
  }
}

/** What the previous code point was, as far as assertions care (bits of a DFA state's context). */
const PREV_START = 1;
const PREV_LF = 2;
const PREV_CR = 4;
const PREV_WORD = 8;
const PREV_ASCII_WORD = 16;
const START_CONTEXT = PREV_START;

/** A lazy-DFA state: the NFA states waiting at a position, the previous code point's context, cached ASCII transitions. */
interface DfaState {
  readonly pcs: Int32Array | readonly number[];
  readonly context: number;
  readonly next: Array<DfaState | undefined>;
  /** Cached transitions for non-ASCII code points (at most `MAX_WIDE_TRANSITIONS`). */
  wide?: Map<number, DfaState>;
  /** Whether the end of the input here is a match (computed when first needed). */
  endMatch: boolean | undefined;
}

/** The state every search that reached MATCH ends in. */
const MATCHED: DfaState = { pcs: [], context: 0, next: [], endMatch: true };

/** DFA states cached per pattern (each about 1 KiB): bounds memory; past it, steps are computed, not cached. */
const MAX_DFA_STATES = 1024;
/** Non-ASCII transitions cached per state. */
const MAX_WIDE_TRANSITIONS = 64;

/** ASCII `\w` membership. */
function ASCII_WORD_TABLE(cp: number): boolean {
  return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95;
}

/** The word-character tests of `\b` and friends (Unicode, ASCII), built on first use and shared. */
let wordTests: CodePointTest[] | undefined;

function wordTest(ascii: boolean): CodePointTest {
  wordTests ??= [
    new CodePointTest({ source: UNICODE_WORD, cp: -1, fold: "none" }),
    new CodePointTest({ source: ASCII_WORD, cp: -1, fold: "none" }),
  ];
  return wordTests[ascii ? 1 : 0]!;
}

/**
 * A compiled program and its reusable state lists.
 *
 * @example
 * ```ts
 * // (fragment) private helper, reached through compileRegex
 * new PikeVm(parseRegex("^(a+)+$")).test("a".repeat(100_000) + "!"); // false, in linear time
 * ```
 */
export class PikeVm {
  private readonly op: Int32Array;
  private readonly arg: Int32Array;
  private readonly arg2: Int32Array;
  private readonly tests: CodePointTest[] = [];
  private readonly anchored: boolean;
  private readonly mark: Uint32Array;
  private readonly stack: Int32Array;
  private readonly current: Int32Array;
  private readonly following: Int32Array;
  private generation = 0;
  private readonly states = new Map<string, DfaState>();
  private initial: DfaState | undefined;

  constructor(node: RegexNode) {
    const op: number[] = [];
    const arg: number[] = [];
    const arg2: number[] = [];
    const testIndex = new Map<string, number>();
    const push = (o: number, a = 0, b = 0) => {
      op.push(o);
      arg.push(a);
      arg2.push(b);
      return op.length - 1;
    };
    const compile = (n: RegexNode): void => {
      switch (n.t) {
        case "set": {
          const key = `${n.fold}:${n.source}`;
          let index = testIndex.get(key);
          if (index === undefined) {
            index = this.tests.push(new CodePointTest(n)) - 1;
            testIndex.set(key, index);
          }
          push(SET, index);
          return;
        }
        case "assert":
          push(ASSERT, ASSERTS.indexOf(n.kind), n.ascii ? 1 : 0);
          return;
        case "cat":
          for (const item of n.items) compile(item);
          return;
        case "alt": {
          const jumps: number[] = [];
          n.items.forEach((item, k) => {
            if (k === n.items.length - 1) {
              compile(item);
              return;
            }
            const split = push(SPLIT);
            arg[split] = op.length;
            compile(item);
            jumps.push(push(JMP));
            arg2[split] = op.length;
          });
          for (const j of jumps) arg[j] = op.length;
          return;
        }
        case "rep": {
          for (let k = 0; k < n.min; k++) compile(n.node);
          if (n.max === Infinity) {
            const loop = push(SPLIT);
            arg[loop] = op.length;
            compile(n.node);
            push(JMP, loop);
            arg2[loop] = op.length;
            return;
          }
          const exits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            const split = push(SPLIT);
            arg[split] = op.length;
            exits.push(split);
            compile(n.node);
          }
          for (const s of exits) arg2[s] = op.length;
          return;
        }
      }
    };
    compile(node);
    push(MATCH);
    this.op = Int32Array.from(op);
    this.arg = Int32Array.from(arg);
    this.arg2 = Int32Array.from(arg2);
    this.anchored = op[0] === ASSERT && arg[0] === 0;
    const n = op.length;
    this.mark = new Uint32Array(n);
    this.stack = new Int32Array(n);
    this.current = new Int32Array(n);
    this.following = new Int32Array(n);
  }

  /**
   * Whether the pattern matches anywhere in `input`.
   *
   * A lazy DFA: a state is the set of NFA states waiting at a position plus
   * what the previous code point was (start of input, `\n`, `\r`, word
   * character), which is all the assertions need besides the next code
   * point. Each state caches its transition for every ASCII code point (and
   * up to 64 others), so a warm search costs a lookup per character. A
   * transition not yet cached is computed like a Pike VM step (the closure
   * at this position, then the step over the code point): O(program size).
   * Past `MAX_DFA_STATES` new states are no longer cached, so memory stays
   * bounded and time linear.
   */
  test(input: string): boolean {
    const n = input.length;
    let state = this.initial ??= this.stateOf(this.following, 0, START_CONTEXT, true);
    let i = 0;
    while (i < n) {
      const c = input.charCodeAt(i);
      if (c < 128) {
        state = state.next[c] ?? this.transition(state, c, input, i);
        i++;
      } else {
        const cp = input.codePointAt(i)!;
        state = state.wide?.get(cp) ?? this.transition(state, cp, input, i);
        i += cp > 0xffff ? 2 : 1;
      }
      if (state === MATCHED) return true;
      if (state.pcs.length === 0 && this.anchored) return false;
    }
    return state.endMatch ??= this.closure(state, -1, false) < 0;
  }

  /**
   * Closes `state`'s waiting NFA states at the current position (next code
   * point `cur`, -1 at the end) into `this.current`; returns how many SET
   * states it holds, or -1 when MATCH is reachable.
   */
  private closure(state: DfaState, cur: number, curWord: boolean): number {
    this.nextGeneration();
    let length = 0;
    for (const pc of state.pcs) {
      length = this.addState(pc, this.current, length, state.context, cur, curWord);
      if (length < 0) return -1;
    }
    return length;
  }

  private transition(state: DfaState, cp: number, input: string, index: number): DfaState {
    const { arg, tests } = this;
    const asciiWord = cp < 128 && ASCII_WORD_TABLE(cp);
    const unicodeWord = cp < 128 ? asciiWord : wordTest(false).has(cp, input, index);
    const count = this.closure(state, cp, unicodeWord);
    if (count < 0) return MATCHED;
    const current = this.current;
    const list = this.following;
    let length = 0;
    this.nextGeneration();
    for (let t = 0; t < count; t++) {
      const pc = current[t]!;
      if (tests[arg[pc]!]!.has(cp, input, index) && this.mark[pc + 1] !== this.generation) {
        this.mark[pc + 1] = this.generation;
        list[length++] = pc + 1;
      }
    }
    if (!this.anchored && this.mark[0] !== this.generation) list[length++] = 0;
    const context = (cp === 10 ? PREV_LF : cp === 13 ? PREV_CR : 0) | (unicodeWord ? PREV_WORD : 0) | (asciiWord ? PREV_ASCII_WORD : 0);
    const next = this.stateOf(list, length, context, false);
    if (this.states.size < MAX_DFA_STATES) {
      if (cp < 128) state.next[cp] = next;
      else if ((state.wide ??= new Map()).size < MAX_WIDE_TRANSITIONS) state.wide.set(cp, next);
    }
    return next;
  }

  /** The cached state for waiting NFA states `list[0..length)` (sorted, so equal sets share a state) after `context`. */
  private stateOf(list: Int32Array, length: number, context: number, initial: boolean): DfaState {
    const pcs = initial ? Int32Array.of(0) : list.slice(0, length).sort();
    const key = `${context}:${pcs.join(",")}`;
    const cached = this.states.get(key);
    if (cached !== undefined) return cached;
    const state: DfaState = { pcs, context, next: new Array(128), endMatch: undefined };
    if (this.states.size < MAX_DFA_STATES) this.states.set(key, state);
    return state;
  }

  private nextGeneration(): void {
    if (++this.generation === 0xffffffff) {
      this.mark.fill(0);
      this.generation = 1;
    }
  }

  /**
   * Adds `start` and every state reachable from it without consuming input
   * (between the previous code point, described by `context`, and `cur`) to
   * `list`; returns the new length, or -1 when MATCH is reachable.
   */
  private addState(
    start: number,
    list: Int32Array,
    length: number,
    context: number,
    cur: number,
    curWord: boolean,
  ): number {
    const { op, arg, arg2, mark, stack } = this;
    const generation = this.generation;
    if (mark[start] === generation) return length;
    mark[start] = generation;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const pc = stack[--top]!;
      let target = -1;
      switch (op[pc]) {
        case SET:
          list[length++] = pc;
          break;
        case MATCH:
          return -1;
        case JMP:
          target = arg[pc]!;
          break;
        case SPLIT: {
          const b = arg2[pc]!;
          if (mark[b] !== generation) {
            mark[b] = generation;
            stack[top++] = b;
          }
          target = arg[pc]!;
          break;
        }
        case ASSERT:
          if (holds(arg[pc]!, arg2[pc] === 1, context, cur, curWord)) target = pc + 1;
          break;
      }
      if (target >= 0 && mark[target] !== generation) {
        mark[target] = generation;
        stack[top++] = target;
      }
    }
    return length;
  }
}

/** Whether assertion `kind` holds between the previous code point (`context`) and `cur` (-1 at the end). */
function holds(kind: number, ascii: boolean, context: number, cur: number, curWord: boolean): boolean {
  switch (kind) {
    case 0:
      return (context & PREV_START) !== 0;
    case 1:
      return cur === -1;
    case 2:
      return (context & (PREV_START | PREV_LF)) !== 0;
    case 3:
      return cur === -1 || cur === 10;
    case 10:
      return (context & (PREV_START | PREV_LF | PREV_CR)) !== 0 && !((context & PREV_CR) !== 0 && cur === 10);
    case 11:
      return (cur === -1 || cur === 10 || cur === 13) && !((context & PREV_CR) !== 0 && cur === 10);
  }
  const before = (context & (ascii ? PREV_ASCII_WORD : PREV_WORD)) !== 0;
  const after = cur !== -1 && (ascii ? cur < 128 && ASCII_WORD_TABLE(cur) : curWord);
  switch (kind) {
    case 4:
      return before !== after;
    case 5:
      return before === after;
    case 6:
      return !before && after;
    case 7:
      return before && !after;
    case 8:
      return !before;
    default:
      return !after;
  }
}
