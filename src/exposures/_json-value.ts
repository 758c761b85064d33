/**
 * The "plain JSON value" rule for exposure subject attributes, kept private
 * to the exposures folder.
 *
 * Exposures travel as JSON, and `JSON.stringify` silently *coerces* what is
 * not JSON: functions and symbols vanish, `NaN` becomes `null`, a `Date`
 * becomes a string, a lone surrogate becomes an escape that the intake
 * stores as garbage, and a bigint or a cycle throws. An experiment analysed
 * from coerced attributes is quietly wrong, so flagpost rejects such an
 * exposure (counted as `invalid`, naming the rule) instead of sending
 * something other than what the caller passed.
 *
 * The walk is iterative over ancestors only (a value shared by two branches
 * is not a cycle) and bounded in depth, so a hostile context costs time
 * linear in its size and never overflows the stack.
 *
 * @module
 */
import { isWellFormedText } from "../core/text.ts";

/** Nesting deeper than this is rejected (`attribute_too_deep`). */
export const MAX_ATTRIBUTE_DEPTH = 64;

/** Why a value is not plain JSON: a stable code (for stats) and the path that broke it (for logs). */
export interface JsonValueProblem {
  readonly code: string;
  readonly path: string;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Walk state: ancestors (to tell a cycle from a shared reference) and, on failure, the path back to the root. */
interface Walk {
  readonly ancestors: object[];
  readonly trail: string[];
}

function visit(v: unknown, depth: number, walk: Walk): string | undefined {
  switch (typeof v) {
    case "string":
      return isWellFormedText(v) ? undefined : "attribute_lone_surrogate";
    case "number":
      return Number.isFinite(v) ? undefined : "attribute_non_finite";
    case "boolean":
      return undefined;
    case "function":
      return "attribute_function";
    case "symbol":
      return "attribute_symbol";
    case "bigint":
      return "attribute_bigint";
    case "undefined":
      return "attribute_undefined";
  }
  if (v === null) return undefined;
  const o = v as object;
  if (depth >= MAX_ATTRIBUTE_DEPTH) return "attribute_too_deep";
  const { ancestors, trail } = walk;
  if (ancestors.includes(o)) return "attribute_cycle";
  let code: string | undefined;
  ancestors.push(o);
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      code = visit(o[i], depth + 1, walk);
      if (code !== undefined) {
        trail.push(`[${i}]`);
        break;
      }
    }
  } else if (!isPlainObject(o)) {
    code = "attribute_not_plain";
  } else {
    // Enumerable own string keys: exactly what JSON.stringify serializes (a plain object inherits none).
    for (const key in o) {
      if (!isWellFormedText(key)) {
        trail.push("[key]");
        code = "attribute_lone_surrogate";
        break;
      }
      const child = (o as Record<string, unknown>)[key];
      if (child === undefined) continue; // absent in JSON
      code = visit(child, depth + 1, walk);
      if (code !== undefined) {
        trail.push(`.${key}`);
        break;
      }
    }
  }
  ancestors.pop();
  return code;
}

/**
 * Checks that `value` is made of plain JSON values. Returns the first
 * problem found (its code and path under `root`), or `undefined` when the
 * value serializes to exactly what it holds. `undefined` properties are
 * allowed (they are absent in JSON); `undefined` array elements and holes
 * are not (JSON would turn them into `null`). Like `JSON.stringify`, only
 * enumerable string-keyed own properties are looked at (symbol keys and
 * non-enumerable properties are not part of JSON). A getter that throws
 * propagates: callers turn it into an `invalid` record, never a crash.
 */
export function findJsonValueProblem(value: unknown, root: string): JsonValueProblem | undefined {
  // Fast path, allocation-free: a plain object whose values are all well-formed primitives (most contexts).
  if (typeof value === "object" && value !== null && !Array.isArray(value) && isPlainObject(value)) {
    let flat = true;
    for (const key in value) {
      const child = (value as Record<string, unknown>)[key];
      const t = typeof child;
      if (
        !isWellFormedText(key) ||
        !(child === undefined || child === null || t === "boolean" || (t === "number" && Number.isFinite(child)) ||
          (t === "string" && isWellFormedText(child as string)))
      ) {
        flat = false;
        break;
      }
    }
    if (flat) return undefined;
  }
  const walk: Walk = { ancestors: [], trail: [] };
  const code = visit(value, 0, walk);
  if (code === undefined) return undefined;
  return { code, path: root + walk.trail.reverse().join("") };
}
