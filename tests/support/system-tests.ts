/**
 * One interpreter of Datadog's system-tests cases (tests/data/system-tests/,
 * its README defines the case shape and the path language), shared by
 * every signal's system-tests test file.
 *
 * A signal's test runs the case's requests through flagpost, captures
 * what the mock agent received, and hands this module a *root*: named
 * collections (`responses`, `flagevaluations`, `exposures`, …). This
 * module resolves the README's paths over that root —
 * `name[filter][index|*].field["quoted key"]`, `keys(path)` — and checks
 * every expectation kind with its modifiers (`each`, `any`, `optional`,
 * `when`). It also turns a case's configuration forms into one UFC
 * document and runs an evaluation through an OpenFeature provider.
 */
import type { EvaluationContext } from "../../src/ufc/model.ts";
import { readDataJson } from "./data.ts";

/** One evaluation of a request (the weblog's fields). */
export interface CaseEvaluation {
  flag: string;
  type: "BOOLEAN" | "STRING" | "INTEGER" | "NUMERIC" | "JSON";
  default: unknown;
  targetingKey: string;
  attributes: Record<string, unknown>;
  targetingKeys?: { template: string; from: number; count: number };
}

/** One request (end-to-end) or root span (parametric). */
export interface CaseRequest {
  config?: unknown;
  repeat?: number;
  concurrency?: number;
  evaluations: CaseEvaluation[];
  [key: string]: unknown;
}

/** One expectation, as the README's table defines it. */
export interface Expectation {
  kind: string;
  path: string;
  value?: unknown;
  values?: unknown[];
  op?: string;
  other?: string;
  key?: string;
  by?: string[];
  scope?: string;
  each?: boolean;
  any?: boolean;
  optional?: boolean;
  when?: Expectation;
  note?: string;
}

/** One case. */
export interface SystemTestCase {
  id: string;
  file: string;
  test: string;
  signal: string;
  harness: string;
  env: Record<string, string>;
  env_unset?: string[];
  config: unknown;
  requests: CaseRequest[];
  expect: Expectation[];
  derived?: unknown[];
  gated?: string;
  notes?: string;
}

/** The cases of one signal (`exposures`, `metrics`, `flagevaluation`, `span_enrichment`). */
export function loadCases(signal: string): SystemTestCase[] {
  return readDataJson<{ cases: SystemTestCase[] }>("system-tests/cases.json").cases.filter((c) => c.signal === signal);
}

/** The case's environment, without values only the test infrastructure knows (`<…>`) and without unset names. */
export function caseEnv(c: SystemTestCase): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.env)) if (!v.includes("<") && !(c.env_unset ?? []).includes(k)) env[k] = v;
  return env;
}

/** A configuration in any of the README's forms as one UFC document; `undefined` for "nothing loaded". */
export function ufcOf(config: unknown): object | undefined {
  if (config === null || config === undefined) return undefined;
  const c = config as Record<string, unknown>;
  if ("rc_files" in c) {
    const files = Object.values(c.rc_files as Record<string, { flags: Record<string, unknown> }>);
    return { ...files[0], flags: Object.assign({}, ...files.map((f) => f.flags)) };
  }
  if ("ufc" in c && "source" in c) return c.ufc as object;
  if ("file" in c) return readDataJson(`system-tests/${c.file as string}`);
  return c;
}

/** The targeting keys one evaluation runs with (several when the weblog's `targetingKeys` is given). */
export function targetingKeysOf(e: CaseEvaluation): string[] {
  if (e.targetingKeys === undefined) return [e.targetingKey];
  const { template, from, count } = e.targetingKeys;
  return Array.from({ length: count }, (_, i) => template.replace("{i}", String(from + i)));
}

/** The provider surface a case needs (FlagpostProvider's, or any OpenFeature provider's). */
export interface CaseProvider {
  resolveBooleanEvaluation(flag: string, dflt: boolean, ctx: EvaluationContext): Promise<{ value: unknown }> | { value: unknown };
  resolveStringEvaluation(flag: string, dflt: string, ctx: EvaluationContext): Promise<{ value: unknown }> | { value: unknown };
  resolveNumberEvaluation(flag: string, dflt: number, ctx: EvaluationContext): Promise<{ value: unknown }> | { value: unknown };
  resolveObjectEvaluation(flag: string, dflt: never, ctx: EvaluationContext): Promise<{ value: unknown }> | { value: unknown };
}

/** Runs one evaluation with one targeting key through the provider's typed method. */
export async function evaluateCase(provider: CaseProvider, e: CaseEvaluation, targetingKey = e.targetingKey): Promise<unknown> {
  const ctx = { targetingKey, ...e.attributes } as EvaluationContext;
  switch (e.type) {
    case "BOOLEAN":
      return (await provider.resolveBooleanEvaluation(e.flag, e.default as boolean, ctx)).value;
    case "STRING":
      return (await provider.resolveStringEvaluation(e.flag, e.default as string, ctx)).value;
    case "INTEGER":
    case "NUMERIC":
      return (await provider.resolveNumberEvaluation(e.flag, e.default as number, ctx)).value;
    case "JSON":
      return (await provider.resolveObjectEvaluation(e.flag, e.default as never, ctx)).value;
  }
}

/** Marks a path that does not exist (distinct from `null` and `undefined` values). */
export const ABSENT: unique symbol = Symbol("absent");

/**
 * A root to resolve paths over: collections by name (a name may carry one
 * dotted prefix, as the README's `sidecar.exposures`), and for each
 * collection with filters, a predicate `(item, name, value)`. A filter
 * `[a=x|y,b=z]` keeps an item when, for every clause, the predicate holds
 * for one of its alternatives (`""` is the empty string).
 */
export interface CaseRoot {
  collections: Record<string, unknown[]>;
  filter?: (collection: string, item: unknown, name: string, value: string | undefined) => boolean;
  /**
   * For a collection of containers (e.g. `exposure_payloads`, whose filter
   * "keeps only payloads holding a matching event"): the members the filter
   * looks at. A container is kept when one member passes every clause.
   */
  membersOf?: (collection: string, item: unknown) => readonly unknown[];
}

/** A resolved path: one value, or the elements of a `[*]` projection. */
export interface Resolved {
  values: unknown[];
  projected: boolean;
}

const SEGMENT = /^(?:\[(\d+)\]|\[\*\]|\.([A-Za-z_][A-Za-z0-9_]*)|\["((?:[^"\\]|\\.)*)"\]|\[([a-z_]+(?:=[^\]]*)?)\])/;

/** `name=a|b,other=c` → a predicate over one item: every clause holds for one of its alternatives. */
function filterOf(root: CaseRoot, collection: string, text: string): (item: unknown) => boolean {
  const clauses = text.split(",").map((clause) => {
    const eq = clause.indexOf("=");
    if (eq < 0) return { name: clause, alternatives: [undefined] };
    return { name: clause.slice(0, eq), alternatives: clause.slice(eq + 1).split("|").map((v) => (v === '""' ? "" : v)) };
  });
  const passes = (member: unknown) =>
    clauses.every(({ name, alternatives }) => alternatives.some((value) => root.filter?.(collection, member, name, value) ?? false));
  const membersOf = root.membersOf;
  return membersOf === undefined ? passes : (item) => membersOf(collection, item).some(passes);
}

/** Resolves a README path over `root`. */
export function resolvePath(root: CaseRoot, path: string): Resolved {
  const keys = /^keys\((.*)\)$/.exec(path);
  if (keys !== null) {
    const inner = resolvePath(root, keys[1]!);
    const toKeys = (v: unknown) => (typeof v === "object" && v !== null && !Array.isArray(v) ? Object.keys(v) : ABSENT);
    return { values: inner.values.map(toKeys), projected: inner.projected };
  }
  const head = /^([a-z_]+)(\.[a-z_]+)?/.exec(path);
  const collection = head === null ? undefined : [head[0], head[1]!].find((name) => Object.hasOwn(root.collections, name));
  if (collection === undefined) throw new Error(`unsupported path ${path}`);
  let rest = path.slice(collection.length);
  let values: unknown[] = [root.collections[collection]];
  let projected = false;
  let beforeIndex = true; // filters apply to the collection itself, before any index or field
  while (rest !== "") {
    const s = SEGMENT.exec(rest);
    if (s === null) throw new Error(`unsupported path segment ${rest} in ${path}`);
    rest = rest.slice(s[0].length);
    if (s[4] !== undefined) {
      if (!beforeIndex) throw new Error(`a filter applies to a collection, not to ${path.slice(0, path.length - rest.length)}`);
      const keep = filterOf(root, collection, s[4]);
      values = values.map((list) => (Array.isArray(list) ? list.filter(keep) : list));
      continue;
    }
    beforeIndex = false;
    if (s[0] === "[*]") {
      values = values.flatMap((v) => (Array.isArray(v) ? v : []));
      projected = true;
    } else if (s[1] !== undefined) {
      values = values.map((v) => (Array.isArray(v) && Number(s[1]) < v.length ? v[Number(s[1])] : ABSENT));
    } else {
      const name = s[2] ?? JSON.parse(`"${s[3]}"`) as string;
      values = values.map((v) => {
        if (typeof v !== "object" || v === null || Array.isArray(v)) return ABSENT;
        return Object.hasOwn(v, name) ? (v as Record<string, unknown>)[name] : ABSENT;
      });
    }
  }
  return { values, projected };
}

function jsonType(v: unknown): string {
  if (v === ABSENT) return "absent";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number" && Number.isInteger(v)) return "integer";
  return v === null ? "null" : typeof v;
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case "==":
      return a === b;
    case "<=":
      return a <= b;
    case ">=":
      return a >= b;
    case ">":
      return a > b;
    case "<":
      return a < b;
    default:
      throw new Error(`unknown op ${op}`);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function hasKeyDeep(v: unknown, key: string): boolean {
  const stack = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x !== "object" || x === null) continue;
    if (!Array.isArray(x) && Object.hasOwn(x, key)) return true;
    stack.push(...Object.values(x));
  }
  return false;
}

function sizeOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (typeof v === "object" && v !== null) return Object.keys(v).length;
  return 0;
}

/** Does one element satisfy the expectation (the element-wise kinds)? */
function holds(e: Expectation, v: unknown, other: unknown): boolean {
  switch (e.kind) {
    case "equals":
      return deepEqual(v, e.value);
    case "not_equals":
      return v === ABSENT || !deepEqual(v, e.value);
    case "present":
      return v !== ABSENT;
    case "absent":
      return v === ABSENT;
    case "absent_deep":
      return !hasKeyDeep(v, e.key!);
    case "contains":
      return (e.values ?? []).every((x) =>
        Array.isArray(v) ? v.some((y) => deepEqual(x, y)) : typeof v === "object" && v !== null && Object.hasOwn(v, x as string)
      );
    case "count":
      return compare(sizeOf(v), e.op!, e.value as number);
    case "length":
      return typeof v === "string" && compare([...v].length, e.op!, e.value as number);
    case "compare":
      return typeof v === "number" && compare(v, e.op!, (e.other !== undefined ? other : e.value) as number);
    case "type":
      return jsonType(v) === e.value;
    case "matches":
      return typeof v === "string" && new RegExp(e.value as string).test(v);
    case "one_of":
      return (e.value as unknown[]).some((x) => deepEqual(x, v));
    case "lowercase":
      return typeof v === "string" && (v === "" || v === v.toLowerCase());
    case "excludes_text":
      return (e.values as string[]).every((t) => !JSON.stringify(v).includes(t));
    default:
      throw new Error(`expectation kind ${e.kind} is not element-wise`);
  }
}

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (x === ABSENT ? "<absent>" : typeof x === "bigint" ? `${x}n` : x));

/**
 * Checks one expectation; returns a failure message, or `undefined` when it
 * passes. `payloadOf(item)` names the payload an item came in (for
 * `unique` with `scope: "per_payload"`); `identityOf(item)` the fields the
 * `by` projection reads.
 */
export function checkExpectation(
  root: CaseRoot,
  e: Expectation,
  options: { payloadOf?: (item: unknown) => unknown; projectionOf?: (item: unknown) => Record<string, unknown> } = {},
): string | undefined {
  if (e.when !== undefined && checkExpectation(root, e.when, options) !== undefined) return undefined;
  const { values, projected } = resolvePath(root, e.path);
  const fail = (got: unknown) => `${e.kind} ${e.path} ${e.op ?? ""} ${show(e.value ?? e.values ?? e.key ?? e.by)}: got ${show(got)}`;
  if (e.kind === "sum") {
    let total = 0;
    for (const v of projected ? values : [values[0]]) if (typeof v === "number" && Number.isInteger(v)) total += v;
    return compare(total, e.op!, e.value as number) ? undefined : fail(total);
  }
  if (e.kind === "unique") {
    const list = values[0];
    if (!Array.isArray(list)) return fail(list);
    const seen = new Set<string>();
    for (const item of list) {
      const projection = options.projectionOf?.(item) ?? (item as Record<string, unknown>);
      const identity = show([options.payloadOf?.(item) ?? 0, (e.by ?? []).map((k) => projection[k] ?? null)]);
      if (seen.has(identity)) return fail(`duplicate ${identity}`);
      seen.add(identity);
    }
    return undefined;
  }
  const others = e.other === undefined ? undefined : resolvePath(root, e.other).values;
  // A `[*]` projection is checked element by element only with `each` or `any`; without them the check
  // applies to the whole list (README: "Without each, the check applies to the whole list").
  const elementWise = e.each === true || e.any === true;
  let items = elementWise ? values : [projected ? values : values[0]];
  let otherItems = others === undefined ? [] : elementWise ? others : [others[0]];
  if (e.optional === true) {
    const keep = items.map((v) => v !== ABSENT && v !== null);
    items = items.filter((_, i) => keep[i]);
    otherItems = otherItems.filter((_, i) => keep[i]);
  }
  if (e.kind === "count" && !elementWise) return holds(e, items[0], undefined) ? undefined : fail(sizeOf(items[0]));
  const results = items.map((v, i) => holds(e, v, otherItems[i]));
  const ok = e.any === true ? results.some(Boolean) : results.every(Boolean);
  return ok ? undefined : fail(elementWise ? items : items[0]);
}
