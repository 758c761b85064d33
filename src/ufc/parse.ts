/**
 * `parseConfiguration`: a UFC document (JSON text or object) compiled flag by
 * flag. Regexes are translated and compiled, versions parsed, date windows
 * turned into numbers, full-range shards dropped and every served result
 * precomputed, so that evaluation does no parsing at all.
 *
 * A flag that is malformed (wrong shape, unknown operator, untranslatable
 * regex, variation value of the wrong type, unknown `variationKey`,
 * `totalShards` 0, non-numeric comparison value, …) is kept as an invalid
 * entry: evaluating it gives the default value with ERROR / PARSE_ERROR, and
 * it never spoils the other flags. Unknown fields are ignored.
 *
 * The checks are done in the native evaluator's order: the shape of the whole
 * flag (conditions included) first, then `enabled` (a disabled flag is
 * DISABLED even if its variations are wrong), then variation values and the
 * variation keys the splits refer to.
 *
 * @module
 */
import { FlagpostError } from "../core/errors.ts";
import { InvalidFlagError } from "./invalid.ts";
import type {
  CompiledAllocation,
  CompiledConfiguration,
  CompiledFlagEntry,
  CompiledShard,
  CompiledSplit,
  EvaluationReason,
  EvaluationResult,
  FlagValue,
  InvalidFlag,
  Predicate,
  VariationType,
} from "./model.ts";
import { compileCondition } from "./operators.ts";

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectRecord(value: unknown, path: string): Json {
  if (!isRecord(value)) throw new InvalidFlagError(path, "expected an object");
  return value;
}

function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new InvalidFlagError(path, "expected an array");
  return value;
}

function expectString(value: unknown, path: string): string {
  if (typeof value !== "string") throw new InvalidFlagError(path, "expected a string");
  return value;
}

function expectU32(value: unknown, path: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > 0xffffffff) {
    throw new InvalidFlagError(path, `expected an integer in [${min}, 4294967295]`);
  }
  return value;
}

const RFC3339 = "^(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?(?:([Zz])|([+-])(\\d{2}):?(\\d{2}))$";

/**
 * Parses an RFC 3339 timestamp into epoch milliseconds, keeping sub-millisecond
 * digits as a fraction. `undefined` when the text is not a valid timestamp.
 *
 * @example
 * ```ts
 * import { parseTimestamp } from "./parse.ts"; // internal: not exported from "flagpost/ufc"
 * console.log(parseTimestamp("2002-10-31T09:00:00.594321Z")); // 1036054800594.321
 * ```
 */
export function parseTimestamp(text: string): number | undefined {
  const m = new RegExp(RFC3339).exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (year < 100) ms = new Date(ms).setUTCFullYear(year);
  if (m[7] !== undefined) ms += Number(`0.${m[7]}`) * 1000;
  if (m[8] === undefined) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60_000;
    if (Number(m[10]) > 23 || Number(m[11]) > 59) return undefined;
    ms += m[9] === "-" ? offset : -offset;
  }
  return ms;
}

function optionalTimestamp(value: unknown, path: string, absent: number): number {
  if (value === undefined || value === null) return absent;
  if (typeof value !== "string") throw new InvalidFlagError(path, "expected an RFC 3339 timestamp");
  const ms = parseTimestamp(value);
  if (ms === undefined) throw new InvalidFlagError(path, `invalid RFC 3339 timestamp ${JSON.stringify(value)}`);
  return ms;
}

const VARIATION_TYPES: readonly string[] = ["BOOLEAN", "INTEGER", "NUMERIC", "STRING", "JSON"];

/** Freezes a JSON value and everything in it, iteratively: no nesting depth can overflow the stack. */
function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const child of Object.values(v)) if (typeof child === "object" && child !== null) pending.push(child);
    }
  }
  return value;
}

/** serde_json's recursion limit, which the native evaluator parses configurations with. */
const JSON_NEST_LIMIT = 128;

/** Nesting depth of a JSON value (a scalar is 0), measured iteratively. */
function jsonDepth(value: unknown): number {
  let max = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth + 1 > max) max = depth + 1;
    if (max > JSON_NEST_LIMIT) return max;
    for (const child of Object.values(v)) if (typeof child === "object" && child !== null) pending.push([child, depth + 1]);
  }
  return max;
}

/** INTEGER values are what the native evaluator reads as `i64`; JSON numbers past 2^53 arrive rounded, so ±2^63 bound the range. */
const I64_BOUND = 2 ** 63;

function variationValue(type: VariationType, value: unknown, path: string): FlagValue {
  switch (type) {
    case "BOOLEAN":
      if (typeof value === "boolean") return value;
      break;
    case "STRING":
      if (typeof value === "string") return value;
      break;
    case "INTEGER":
      if (typeof value === "number" && Number.isInteger(value) && value >= -I64_BOUND && value <= I64_BOUND) return value;
      break;
    case "NUMERIC":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      break;
    case "JSON": {
      // A private, frozen copy: served results are shared, and the caller's object stays theirs.
      let copy: unknown;
      try {
        const text = JSON.stringify(value);
        copy = text === undefined ? undefined : JSON.parse(text);
      } catch {
        throw new InvalidFlagError(path, "JSON value cannot be copied (cyclic, BigInt, or nested too deeply for this runtime)");
      }
      if (copy === undefined) break;
      if (jsonDepth(copy) > JSON_NEST_LIMIT) {
        throw new InvalidFlagError(path, `JSON value nested deeper than ${JSON_NEST_LIMIT} levels (the native evaluator's limit)`);
      }
      return deepFreeze(copy as FlagValue);
    }
  }
  throw new InvalidFlagError(path, `value does not match variationType ${type}`);
}

interface SplitShape {
  variationKey: string;
  serialId: number | undefined;
  shards: CompiledShard[];
  hasShards: boolean;
}

interface AllocationShape {
  key: string;
  startAt: number;
  endAt: number;
  rules: Predicate[][];
  splits: SplitShape[];
  doLog: boolean;
}

function shapeShard(raw: unknown, path: string): CompiledShard | undefined {
  const shard = expectRecord(raw, path);
  const salt = expectString(shard.salt, `${path}.salt`);
  const totalShards = expectU32(shard.totalShards, `${path}.totalShards`, 1);
  const ranges: number[] = [];
  let full = false;
  expectArray(shard.ranges, `${path}.ranges`).forEach((r, k) => {
    const range = expectRecord(r, `${path}.ranges[${k}]`);
    const start = expectU32(range.start, `${path}.ranges[${k}].start`, 0);
    const end = expectU32(range.end, `${path}.ranges[${k}].end`, 0);
    if (start === 0 && end === totalShards) full = true;
    ranges.push(start, end);
  });
  // A shard with a range covering every bucket cannot exclude anyone: it needs no hashing
  // (and no targeting key), exactly as the native evaluator drops it.
  return full ? undefined : { salt, totalShards, ranges };
}

function shapeSplit(raw: unknown, path: string): SplitShape {
  const split = expectRecord(raw, path);
  const rawShards = expectArray(split.shards, `${path}.shards`);
  const variationKey = expectString(split.variationKey, `${path}.variationKey`);
  let serialId: number | undefined;
  if (split.serialId !== undefined && split.serialId !== null) {
    const id = split.serialId;
    if (typeof id !== "number" || !Number.isInteger(id) || id < -0x80000000 || id > 0x7fffffff) {
      throw new InvalidFlagError(`${path}.serialId`, "expected a 32-bit signed integer");
    }
    serialId = id;
  }
  const shards: CompiledShard[] = [];
  rawShards.forEach((s, k) => {
    const shard = shapeShard(s, `${path}.shards[${k}]`);
    if (shard !== undefined) shards.push(shard);
  });
  return { variationKey, serialId, shards, hasShards: rawShards.length > 0 };
}

function shapeAllocation(raw: unknown, path: string): AllocationShape {
  const allocation = expectRecord(raw, path);
  const key = expectString(allocation.key, `${path}.key`);
  const rules: Predicate[][] = [];
  if (allocation.rules !== undefined && allocation.rules !== null) {
    expectArray(allocation.rules, `${path}.rules`).forEach((r, k) => {
      const rule = expectRecord(r, `${path}.rules[${k}]`);
      const conditions = expectArray(rule.conditions, `${path}.rules[${k}].conditions`);
      rules.push(conditions.map((c, j) => compileCondition(c, `${path}.rules[${k}].conditions[${j}]`)));
    });
  }
  const startAt = optionalTimestamp(allocation.startAt, `${path}.startAt`, -Infinity);
  const endAt = optionalTimestamp(allocation.endAt, `${path}.endAt`, Infinity);
  const splits = expectArray(allocation.splits, `${path}.splits`).map((s, k) => shapeSplit(s, `${path}.splits[${k}]`));
  let doLog = true;
  if (allocation.doLog !== undefined) {
    if (typeof allocation.doLog !== "boolean") throw new InvalidFlagError(`${path}.doLog`, "expected a boolean");
    doLog = allocation.doLog;
  }
  return { key, startAt, endAt, rules, splits, doLog };
}

/**
 * The reason an allocation serves a split with, decided at parse time:
 * rules → TARGETING_MATCH; a date window with one split and no significant
 * shard → DEFAULT; one split with an empty `shards` list → STATIC; otherwise
 * SPLIT.
 */
function reasonFor(allocation: AllocationShape, split: SplitShape): EvaluationReason {
  if (allocation.rules.length > 0) return "TARGETING_MATCH";
  const windowed = allocation.startAt !== -Infinity || allocation.endAt !== Infinity;
  if (windowed && allocation.splits.length === 1 && split.shards.length === 0) return "DEFAULT";
  if (allocation.splits.length === 1 && !split.hasShards) return "STATIC";
  return "SPLIT";
}

function compileFlag(mapKey: string, raw: unknown): CompiledFlagEntry {
  try {
    const flag = expectRecord(raw, "");
    const key = expectString(flag.key, "key");
    if (typeof flag.enabled !== "boolean") throw new InvalidFlagError("enabled", "expected a boolean");
    const variationType = flag.variationType;
    if (typeof variationType !== "string" || !VARIATION_TYPES.includes(variationType)) {
      throw new InvalidFlagError("variationType", `unknown variation type ${JSON.stringify(variationType)}`);
    }
    const rawVariations = expectRecord(flag.variations, "variations");
    const variations: Array<{ key: string; value: unknown; path: string }> = [];
    for (const [name, v] of Object.entries(rawVariations)) {
      const path = `variations.${name}`;
      const variation = expectRecord(v, path);
      if (!("value" in variation) || variation.value === undefined) throw new InvalidFlagError(`${path}.value`, "missing");
      variations.push({ key: expectString(variation.key, `${path}.key`), value: variation.value, path });
    }
    const allocations = expectArray(flag.allocations, "allocations").map((a, k) => shapeAllocation(a, `allocations[${k}]`));

    if (!flag.enabled) return { kind: "disabled", key: mapKey };

    const values = new Map<string, FlagValue>();
    for (const v of variations) values.set(v.key, variationValue(variationType as VariationType, v.value, `${v.path}.value`));

    const compiled: CompiledAllocation[] = allocations.map((allocation, k) => {
      const splits: CompiledSplit[] = allocation.splits.map((split, j) => {
        if (!values.has(split.variationKey)) {
          throw new InvalidFlagError(`allocations[${k}].splits[${j}].variationKey`, `no variation ${JSON.stringify(split.variationKey)}`);
        }
        const result: EvaluationResult = {
          value: values.get(split.variationKey)!,
          variant: split.variationKey,
          allocationKey: allocation.key,
          reason: reasonFor(allocation, split),
          ...(split.serialId === undefined ? {} : { serialId: split.serialId }),
          doLog: allocation.doLog,
        };
        return { shards: split.shards, result: Object.freeze(result) };
      });
      return { key: allocation.key, startAt: allocation.startAt, endAt: allocation.endAt, rules: allocation.rules, splits };
    });
    return { kind: "flag", key, variationType: variationType as VariationType, allocations: compiled };
  } catch (e) {
    if (e instanceof InvalidFlagError) return { kind: "invalid", key: mapKey, message: e.message };
    // Anything else (a hostile object's getter, an engine limit) still spoils only this flag.
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { kind: "invalid", key: mapKey, message: `unexpected error while compiling: ${message.slice(0, 200)}` };
  }
}

/**
 * Compiles a UFC configuration (JSON text or an already parsed object).
 *
 * Throws `FlagpostError` (`invalid_config`) only when the document itself is
 * unusable (not JSON, not an object, no `flags` object); a malformed flag is
 * kept as invalid for its key alone (see `invalidFlags`).
 *
 * @example
 * ```ts
 * import { evaluateFlag, parseConfiguration } from "flagpost/ufc";
 * const text = JSON.stringify({ flags: { broken: { key: "broken" } } }); // e.g. await (await fetch(url)).text()
 * const config = parseConfiguration(text);
 * for (const bad of config.invalidFlags) console.warn(bad.key, bad.message);
 * evaluateFlag(config, "new-checkout", "boolean", false, { targetingKey: "user-1" });
 * ```
 */
export function parseConfiguration(json: string | object): CompiledConfiguration {
  let document: unknown = json;
  if (typeof json === "string") {
    try {
      document = JSON.parse(json);
    } catch (e) {
      throw new FlagpostError("invalid_config", `UFC configuration is not valid JSON: ${(e as Error).message}`, {
        field: "configuration",
        cause: e,
      });
    }
  }
  if (!isRecord(document)) throw new FlagpostError("invalid_config", "UFC configuration must be a JSON object", { field: "configuration" });
  if (!isRecord(document.flags)) {
    throw new FlagpostError("invalid_config", "UFC configuration must have a `flags` object", { field: "flags" });
  }
  const flags = new Map<string, CompiledFlagEntry>();
  const invalidFlags: InvalidFlag[] = [];
  for (const [key, raw] of Object.entries(document.flags)) {
    const entry = compileFlag(key, raw);
    flags.set(key, entry);
    if (entry.kind === "invalid") invalidFlags.push(entry);
  }
  const environment = isRecord(document.environment) && typeof document.environment.name === "string"
    ? document.environment.name
    : undefined;
  return {
    createdAt: typeof document.createdAt === "string" ? document.createdAt : undefined,
    environment,
    observeFullEvaluationData: document.observeFullEvaluationData === true,
    flags,
    invalidFlags,
  };
}
