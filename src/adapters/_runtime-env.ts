/**
 * The environment record of the running process (Node, Bun, Deno), read
 * once when an adapter creates its flagpost instance — never at import.
 * Workers have no process environment: their adapter reads the worker's
 * `env` binding instead (`stringVariables`).
 *
 * @module
 */
import type { EnvRecord } from "../core/config.ts";

/**
 * The process environment: Deno's `Deno.env` (an empty record without
 * `--allow-env`), else `process.env`, else `{}`.
 */
export function processEnv(): EnvRecord {
  const g = globalThis as {
    Deno?: { env?: { toObject?: () => Record<string, string> } };
    process?: { env?: Record<string, string | undefined> };
  };
  try {
    const fromDeno = g.Deno?.env?.toObject?.();
    if (fromDeno !== undefined) return fromDeno;
  } catch {
    return {}; // no --allow-env: configure through options instead
  }
  return g.process?.env ?? {};
}

/**
 * The string-valued entries of a worker's `env` (variables and secrets;
 * bindings such as KV namespaces are objects and are left out).
 */
export function stringVariables(env: unknown): EnvRecord {
  const out: Record<string, string> = {};
  if (env === null || typeof env !== "object") return out;
  for (const [key, value] of Object.entries(env)) if (typeof value === "string") out[key] = value;
  return out;
}
