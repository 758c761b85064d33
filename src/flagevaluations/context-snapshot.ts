/**
 * The evaluation context as flag-evaluation rows may carry it: flattened to
 * scalars under dotted paths, with the reference's bounds, and only ever
 * built when the configuration consents (`observeFullEvaluationData`).
 *
 * Why a snapshot and not the context itself: the context belongs to the
 * caller and may hold anything (getters, class instances, cycles, huge
 * strings). A row must only retain plain, bounded, well-formed data, and
 * building it must never call caller code or recurse without bound. The
 * limits are dd-trace-js 6.21's (`flag-evaluation-context.js`): 256 fields,
 * 256-character keys (the whole dotted path) and string values, 256 list
 * elements or object properties per container, depth 4. A value beyond a
 * bound is left out, never truncated, and the reason is reported.
 *
 * @module
 */
import { isWellFormedText } from "../core/text.ts";

/** A value a context field may keep. */
export type ContextScalar = string | number | boolean | null;

/** Bounds of a snapshot (dd-trace-js's values). */
export const CONTEXT_LIMITS: {
  readonly fields: number;
  readonly keyLength: number;
  readonly valueLength: number;
  readonly containerEntries: number;
  readonly depth: number;
} = Object.freeze({ fields: 256, keyLength: 256, valueLength: 256, containerEntries: 256, depth: 4 });

/** Why a part of a context was left out. */
export type ContextOmission =
  | "max_context_fields"
  | "max_key_length"
  | "max_value_length"
  | "max_container_entries"
  | "max_depth"
  | "invalid_encoding"
  | "unsupported_type"
  | "cycle";

/** A flattened context: entries sorted by key (a stable identity), and what was left out. */
export interface ContextSnapshot {
  readonly entries: ReadonlyArray<readonly [string, ContextScalar]>;
  readonly omitted: ReadonlySet<ContextOmission>;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

interface Frame {
  readonly container: Record<string, unknown> | unknown[];
  readonly prefix: string;
  readonly depth: number;
  readonly keys: string[] | undefined;
  readonly limit: number;
  index: number;
}

/**
 * Flattens `attributes` (the context without `targetingKey`) into at most
 * 256 scalar fields. Iterative (no recursion, whatever the nesting), reads
 * only own enumerable data properties (no getter is called), turns valid
 * `Date`s into ISO strings, and skips everything else with a reason.
 *
 * @example
 * ```ts
 * import { snapshotContext } from "./context-snapshot.ts";
 * const { entries } = snapshotContext({ plan: "pro", org: { id: 7, tags: ["a", "b"] } });
 * console.log(entries); // [["org.id", 7], ["org.tags.0", "a"], ["org.tags.1", "b"], ["plan", "pro"]]
 * ```
 */
export function snapshotContext(attributes: unknown): ContextSnapshot {
  const fields = new Map<string, ContextScalar>();
  const omitted = new Set<ContextOmission>();
  if (!isPlainRecord(attributes)) {
    if (attributes !== undefined && attributes !== null) omitted.add("unsupported_type");
    return { entries: [], omitted };
  }
  const frameOf = (container: Record<string, unknown> | unknown[], prefix: string, depth: number): Frame => {
    if (Array.isArray(container)) {
      const limit = Math.min(container.length, CONTEXT_LIMITS.containerEntries);
      if (container.length > limit) omitted.add("max_container_entries");
      return { container, prefix, depth, keys: undefined, limit, index: 0 };
    }
    let keys = Object.keys(container);
    if (depth === -1) keys = keys.filter((k) => k !== "targetingKey");
    if (keys.length > CONTEXT_LIMITS.containerEntries) {
      omitted.add(depth === -1 ? "max_context_fields" : "max_container_entries");
      keys = keys.slice(0, CONTEXT_LIMITS.containerEntries);
    }
    return { container, prefix, depth, keys, limit: keys.length, index: 0 };
  };
  const ancestors = new Set<object>([attributes]);
  const stack: Frame[] = [frameOf(attributes, "", -1)];
  // Every node visited costs one step; bounded whatever the shape.
  let budget = CONTEXT_LIMITS.fields * (CONTEXT_LIMITS.depth + 1);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.index >= frame.limit) {
      ancestors.delete(frame.container);
      stack.pop();
      continue;
    }
    if (fields.size >= CONTEXT_LIMITS.fields || budget-- <= 0) {
      omitted.add("max_context_fields");
      break;
    }
    const key = frame.keys === undefined ? String(frame.index) : frame.keys[frame.index]!;
    frame.index++;
    const path = frame.depth === -1 ? key : `${frame.prefix}.${key}`;
    if (path.length > CONTEXT_LIMITS.keyLength) {
      omitted.add("max_key_length");
      continue;
    }
    if (!isWellFormedText(path)) {
      omitted.add("invalid_encoding");
      continue;
    }
    const descriptor = Object.getOwnPropertyDescriptor(frame.container, key);
    if (descriptor === undefined || !descriptor.enumerable) continue;
    if (!("value" in descriptor)) {
      omitted.add("unsupported_type");
      continue;
    }
    let value: unknown = descriptor.value;
    if (typeof value === "string") {
      if (value.length > CONTEXT_LIMITS.valueLength) {
        omitted.add("max_value_length");
        continue;
      }
      if (!isWellFormedText(value)) {
        omitted.add("invalid_encoding");
        continue;
      }
    } else if (value instanceof Date) {
      const time = value.getTime();
      if (!Number.isFinite(time)) {
        omitted.add("unsupported_type");
        continue;
      }
      value = new Date(time).toISOString();
    } else if (value !== null && typeof value === "object") {
      if (!Array.isArray(value) && !isPlainRecord(value)) {
        omitted.add("unsupported_type");
        continue;
      }
      const depth = frame.depth + 1;
      if (depth >= CONTEXT_LIMITS.depth) {
        omitted.add("max_depth");
        continue;
      }
      if (ancestors.has(value)) {
        omitted.add("cycle");
        continue;
      }
      ancestors.add(value);
      stack.push(frameOf(value as Record<string, unknown> | unknown[], path, depth));
      continue;
    } else if (!(value === null || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value)))) {
      omitted.add("unsupported_type");
      continue;
    }
    fields.set(path, value as ContextScalar);
  }
  const entries = [...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { entries, omitted };
}
