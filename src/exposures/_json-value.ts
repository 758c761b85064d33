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

/** Nesting deeper than this is rejected (`attribute_too_deep`). */
export const MAX_ATTRIBUTE_DEPTH = 64;

/** Why a value is not plain JSON: a stable code (for stats) and the path that broke it (for logs). */
export interface JsonValueProblem {
  readonly code: string;
  readonly path: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `s` has no lone surrogate (uses `String.prototype.isWellFormed` where the runtime has it). */
export function isWellFormedString(s: string): boolean {
  const native = (s as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  return typeof native === "function" ? native.call(s) : !LONE_SURROGATE.test(s);
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks that `value` is an object of plain JSON values. Returns the first
 * problem found, or `undefined` when the value serializes to exactly what
 * it holds. `undefined` properties are allowed (they are absent in JSON);
 * `undefined` array elements and holes are not (JSON would turn them into
 * `null`).
 */
export function findJsonValueProblem(value: unknown, root: string): JsonValueProblem | undefined {
  // Ancestors of the node being visited, to tell a cycle from a shared reference.
  const ancestors: object[] = [];
  const visit = (v: unknown, path: string, depth: number): JsonValueProblem | undefined => {
    switch (typeof v) {
      case "string":
        return isWellFormedString(v) ? undefined : { code: "attribute_lone_surrogate", path };
      case "number":
        return Number.isFinite(v) ? undefined : { code: "attribute_non_finite", path };
      case "boolean":
        return undefined;
      case "function":
        return { code: "attribute_function", path };
      case "symbol":
        return { code: "attribute_symbol", path };
      case "bigint":
        return { code: "attribute_bigint", path };
      case "undefined":
        return { code: "attribute_undefined", path };
    }
    if (v === null) return undefined;
    const o = v as object;
    if (depth >= MAX_ATTRIBUTE_DEPTH) return { code: "attribute_too_deep", path };
    if (ancestors.includes(o)) return { code: "attribute_cycle", path };
    ancestors.push(o);
    try {
      if (Array.isArray(o)) {
        for (let i = 0; i < o.length; i++) {
          const p = visit(o[i], `${path}[${i}]`, depth + 1);
          if (p !== undefined) return p;
        }
        return undefined;
      }
      if (!isPlainObject(o)) return { code: "attribute_not_plain", path };
      const record = o as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!isWellFormedString(key)) return { code: "attribute_lone_surrogate", path: `${path}[key]` };
        const child = record[key];
        if (child === undefined) continue;
        const p = visit(child, `${path}.${key}`, depth + 1);
        if (p !== undefined) return p;
      }
      if (Object.getOwnPropertySymbols(record).length > 0) return { code: "attribute_symbol", path };
      return undefined;
    } finally {
      ancestors.pop();
    }
  };
  return visit(value, root, 0);
}
