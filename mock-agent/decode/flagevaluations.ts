/**
 * Schema validation of EVP `flagevaluation` payloads
 * (`POST .../api/v2/flagevaluation`) against the wire facts of dd-trace-js
 * 6.21 (`flag-evaluation-payload.js`, `flag-evaluation-pii.js`):
 * `{"context":{"service","env"?,"version"?},"flagEvaluations":[row…]}`, a
 * row being `timestamp`, `flag{key}`, `first_evaluation`,
 * `last_evaluation`, `evaluation_count`, and optionally
 * `runtime_default_used: true`, `variant{key}`, `allocation{key}`,
 * `error{message}` (an allow-listed OpenFeature code), `targeting_key`
 * (`sha256_<64 hex>`, `""`, or a raw key only with consent) and
 * `context{evaluation{…scalars}}`.
 *
 * The agent reports, never rejects, what departs from the schema: a
 * developer sees every problem of a payload at once. Work is bounded: at
 * most {@link MAX_REPORTED_PROBLEMS} problems are kept per payload.
 *
 * @module
 */

import { ALLOWED_ERROR_CODES } from "../../src/flagevaluations/privacy.ts";

/** Problems kept per payload; the rest are counted in one last line. */
export const MAX_REPORTED_PROBLEMS = 100;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function keyed(v: unknown): boolean {
  return isObject(v) && typeof v.key === "string" && v.key !== "";
}

/**
 * Lists every way `payload` departs from the `flagevaluation` schema, as
 * `<path>: <rule>` (empty when it conforms). Never throws.
 *
 * @example
 * ```ts
 * import { validateFlagEvaluationPayload } from "flagpost/mock-agent";
 * console.log(validateFlagEvaluationPayload({ context: { service: "svc" }, flagEvaluations: [] })); // []
 * ```
 */
export function validateFlagEvaluationPayload(payload: unknown): string[] {
  const problems: string[] = [];
  let extra = 0;
  const problem = (text: string) => {
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(text);
    else extra++;
  };
  if (!isObject(payload)) return [`payload: required object, got ${payload === null ? "null" : typeof payload}`];
  if (!isObject(payload.context)) problem("context: required object");
  else if (typeof payload.context.service !== "string") problem("context.service: required string");
  const rows = payload.flagEvaluations;
  if (!Array.isArray(rows)) return [...problems, "flagEvaluations: required array"];
  for (let i = 0; i < rows.length; i++) {
    const row: unknown = rows[i];
    const at = `flagEvaluations[${i}]`;
    if (!isObject(row)) {
      problem(`${at}: required object`);
      continue;
    }
    for (const field of ["timestamp", "first_evaluation", "last_evaluation", "evaluation_count"]) {
      if (!Number.isSafeInteger(row[field])) problem(`${at}.${field}: required integer`);
    }
    if (Number.isSafeInteger(row.evaluation_count) && (row.evaluation_count as number) < 1) problem(`${at}.evaluation_count: must be ≥ 1`);
    if (
      Number.isSafeInteger(row.first_evaluation) && Number.isSafeInteger(row.last_evaluation) &&
      (row.first_evaluation as number) > (row.last_evaluation as number)
    ) problem(`${at}: first_evaluation after last_evaluation`);
    if (!keyed(row.flag)) problem(`${at}.flag.key: required non-empty string`);
    if ("runtime_default_used" in row && row.runtime_default_used !== true) problem(`${at}.runtime_default_used: only ever true`);
    for (const field of ["variant", "allocation"]) {
      if (field in row && !keyed(row[field])) problem(`${at}.${field}.key: non-empty string when present`);
    }
    if ("error" in row) {
      const message = isObject(row.error) ? row.error.message : undefined;
      if (typeof message !== "string" || !ALLOWED_ERROR_CODES.includes(message)) {
        problem(`${at}.error.message: an allow-listed OpenFeature error code`);
      }
    }
    if ("targeting_key" in row && typeof row.targeting_key !== "string") problem(`${at}.targeting_key: string when present`);
    const hasContext = "context" in row;
    if (hasContext) {
      const evaluation = isObject(row.context) ? row.context.evaluation : undefined;
      if (!isObject(evaluation)) problem(`${at}.context.evaluation: required object`);
      else {
        for (const [k, v] of Object.entries(evaluation)) {
          if (!(v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)))) {
            problem(`${at}.context.evaluation[${JSON.stringify(k.slice(0, 40))}]: scalar values only`);
          }
        }
      }
    }
    // A raw key travels only with consent, and consent is what also sends the context.
    const key = row.targeting_key;
    if (typeof key === "string" && key !== "" && !/^sha256_[0-9a-f]{64}$/.test(key) && !hasContext) {
      problem(`${at}.targeting_key: not sha256_<hex> (a raw key is only sent with observeFullEvaluationData)`);
    }
  }
  if (extra > 0) problems.push(`… ${extra} more problems`);
  return problems;
}

/** One-line summary for the request log: `3 rows / 12 evaluations`. */
export function summarizeFlagEvaluations(payload: unknown, problems: readonly string[]): string {
  const rows = isObject(payload) && Array.isArray(payload.flagEvaluations) ? payload.flagEvaluations : [];
  let evaluations = 0;
  for (const row of rows) if (isObject(row) && Number.isSafeInteger(row.evaluation_count)) evaluations += row.evaluation_count as number;
  return `${rows.length} row${rows.length === 1 ? "" : "s"} / ${evaluations} evaluation${evaluations === 1 ? "" : "s"}${
    problems.length > 0 ? `, ${problems.length} problem${problems.length === 1 ? "" : "s"}` : ""
  }`;
}
