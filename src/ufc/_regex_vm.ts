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

/** A lazy-DFA state: the sorted live NFA states, cached ASCII transitions, and whether the end of input here is a match. */
interface DfaState {
  readonly pcs: Int32Array | readonly number[];
  readonly next: Array<DfaState | undefined>;
  readonly endMatch: boolean;
}

/** The state every search that reached MATCH ends in. */
const MATCHED: DfaState = { pcs: [], next: [], endMatch: true };

/** DFA states cached per pattern (each about 1 KiB): bounds memory; past it, steps are computed, not cached. */
const MAX_DFA_STATES = 1024;

/** The word-character tests of `\b` and friends (Unicode, ASCII), built on first use and shared. */
let wordTests: CodePointTest[] | undefined;

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
  private current: Int32Array;
  private following: Int32Array;
  private generation = 0;
  /** Whether the lazy DFA can run this program: no assertion but `\A`/`^` and `\z`/`$`. */
  private readonly dfa: boolean;
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
    this.dfa = op.every((o, pc) => o !== ASSERT || arg[pc]! <= 1);
    const n = op.length;
    this.mark = new Uint32Array(n);
    this.stack = new Int32Array(n);
    this.current = new Int32Array(n);
    this.following = new Int32Array(n);
  }

  /** Whether the pattern matches anywhere in `input`. */
  test(input: string): boolean {
    return this.dfa ? this.testDfa(input) : this.testNfa(input);
  }

  /**
   * The lazy DFA: each distinct set of live states becomes a cached state
   * with a transition table for ASCII, so a search over ASCII text costs a
   * table lookup per character once warm. A transition not yet cached is
   * computed exactly like a Pike VM step (O(program size)); past
   * `MAX_DFA_STATES` new states are no longer cached, so memory stays bounded
   * and time stays linear.
   */
  private testDfa(input: string): boolean {
    const n = input.length;
    // An empty input ends where it starts (`$^` holds there): the NFA decides it directly.
    if (n === 0) return this.testNfa(input);
    let state = this.initial ??= this.closureState(0);
    if (state === MATCHED) return true;
    let i = 0;
    while (i < n) {
      const c = input.charCodeAt(i);
      if (c < 128) {
        state = state.next[c] ?? this.transition(state, c, input, i);
        i++;
      } else {
        const cp = input.codePointAt(i)!;
        state = this.transition(state, cp, input, i);
        i += cp > 0xffff ? 2 : 1;
      }
      if (state === MATCHED) return true;
      if (state.pcs.length === 0 && this.anchored) return false;
    }
    return state.endMatch;
  }

  /** The state at position 0: the start state's closure. */
  private closureState(at: number): DfaState {
    this.nextGeneration();
    const length = this.addState(0, this.following, 0, "", at, -1, -1, true);
    return length < 0 ? MATCHED : this.stateOf(this.following, length);
  }

  private transition(state: DfaState, cp: number, input: string, index: number): DfaState {
    const { op, arg, tests } = this;
    const list = this.following;
    this.nextGeneration();
    let length = 0;
    for (const pc of state.pcs) {
      if (op[pc] === SET && tests[arg[pc]!]!.has(cp, input, index)) {
        length = this.addState(pc + 1, list, length, input, 1, -1, -1, true);
        if (length < 0) return MATCHED;
      }
    }
    if (!this.anchored) {
      length = this.addState(0, list, length, input, 1, -1, -1, true);
      if (length < 0) return MATCHED;
    }
    const next = this.stateOf(list, length);
    if (cp < 128 && this.states.size < MAX_DFA_STATES) state.next[cp] = next;
    return next;
  }

  /** The cached state for the live states `list[0..length)` (sorted, so equal sets share a state). */
  private stateOf(list: Int32Array, length: number): DfaState {
    const pcs = list.slice(0, length).sort();
    const key = pcs.join(",");
    const cached = this.states.get(key);
    if (cached !== undefined) return cached;
    // At the end of the input, a waiting `$` may lead to MATCH.
    let endMatch = false;
    for (const pc of pcs) {
      if (this.op[pc] !== ASSERT) continue;
      this.nextGeneration();
      if (this.addState(pc + 1, this.current, 0, "", 1, -1, -1, false) < 0) {
        endMatch = true;
        break;
      }
    }
    const state: DfaState = { pcs, next: new Array(128), endMatch };
    if (this.states.size < MAX_DFA_STATES) this.states.set(key, state);
    return state;
  }

  /** The Pike VM proper, for programs with word-boundary or line assertions. */
  private testNfa(input: string): boolean {
    const n = input.length;
    const { op, arg, tests } = this;
    let current = this.current;
    let following = this.following;
    let count = 0;
    let i = 0;
    let prev = -1;
    let cp = n > 0 ? input.codePointAt(0)! : -1;
    this.nextGeneration();
    for (;;) {
      if (!this.anchored || i === 0) {
        const added = this.addState(0, current, count, input, i, prev, cp, false);
        if (added < 0) return true;
        count = added;
      }
      if (count === 0 && (this.anchored || i >= n)) return false;
      if (i >= n) return false;
      const next = i + (cp > 0xffff ? 2 : 1);
      const nextCp = next < n ? input.codePointAt(next)! : -1;
      this.nextGeneration();
      let nextCount = 0;
      for (let t = 0; t < count; t++) {
        const pc = current[t]!;
        if (op[pc] === SET && tests[arg[pc]!]!.has(cp, input, i)) {
          nextCount = this.addState(pc + 1, following, nextCount, input, next, cp, nextCp, false);
          if (nextCount < 0) return true;
        }
      }
      const swap = current;
      current = following;
      following = swap;
      count = nextCount;
      prev = cp;
      cp = nextCp;
      i = next;
    }
  }

  private nextGeneration(): void {
    if (++this.generation === 0xffffffff) {
      this.mark.fill(0);
      this.generation = 1;
    }
  }

  /**
   * Adds `start` and every state reachable from it without consuming input
   * at position `at` (between code points `prev` and `cur`, -1 at the ends)
   * to `list`; returns the new length, or -1 when MATCH is reachable. With
   * `deferEnd`, a `$` is kept in the list instead of being decided.
   */
  private addState(
    start: number,
    list: Int32Array,
    length: number,
    input: string,
    at: number,
    prev: number,
    cur: number,
    deferEnd: boolean,
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
          // In the DFA, `$` waits in the state list until the end of the input is known.
          if (deferEnd && arg[pc] === 1) list[length++] = pc;
          else if (this.holds(arg[pc]!, arg2[pc] === 1, input, at, prev, cur)) target = pc + 1;
          break;
      }
      if (target >= 0 && mark[target] !== generation) {
        mark[target] = generation;
        stack[top++] = target;
      }
    }
    return length;
  }

  private holds(kind: number, ascii: boolean, input: string, at: number, prev: number, cur: number): boolean {
    switch (kind) {
      case 0:
        return at === 0;
      case 1:
        return cur === -1;
      case 2:
        return prev === -1 || prev === 10;
      case 3:
        return cur === -1 || cur === 10;
      case 10:
        return (prev === -1 || prev === 10 || prev === 13) && !(prev === 13 && cur === 10);
      case 11:
        return (cur === -1 || cur === 10 || cur === 13) && !(prev === 13 && cur === 10);
    }
    wordTests ??= [
      new CodePointTest({ source: UNICODE_WORD, cp: -1, fold: "none" }),
      new CodePointTest({ source: ASCII_WORD, cp: -1, fold: "none" }),
    ];
    const word = wordTests[ascii ? 1 : 0]!;
    const before = prev !== -1 && word.has(prev, input, at - (prev > 0xffff ? 2 : 1));
    const after = cur !== -1 && word.has(cur, input, at);
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
}
