/**
 * Fault injection: `POST /test/faults` registers a fault; the next `times`
 * requests whose path matches are answered with it. At most
 * {@link MAX_PENDING_FAULTS} faults are pending at once: registering more is
 * refused (`FaultLimitError`, answered 429 by the test API) rather than
 * growing without bound.
 *
 * @module
 */
import { describeValue, FlagpostError } from "../src/core/errors.ts";

/**
 * A fault as registered through `POST /test/faults` or `MockAgent.faults.add`.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const spec: FaultSpec = { path: "/v0.4/traces", status: 429, retryAfter: 1, times: 2 };
 * ```
 */
export interface FaultSpec {
  /** Request path to match exactly (`/v0.4/traces`), or a prefix ending with `*` (`/evp_proxy/*`). */
  path: string;
  /** Only match this method (any when absent). */
  method?: string;
  /** Answer with this status (100–599) and an empty body. */
  status?: number;
  /** `Retry-After` header to send with `status`: seconds (number) or an HTTP date (string). */
  retryAfter?: number | string;
  /** `Location` header to send with a 3xx `status` (an absolute http(s) URL): tests that clients never follow redirects. */
  location?: string;
  /** Wait this long (0–60,000 ms) before answering (or before processing normally when there is no other effect). */
  delayMs?: number;
  /** How many matching requests the fault applies to (default 1, up to 1,000,000). */
  times?: number;
  /** Drop the connection instead of answering: the client's `fetch` rejects. */
  dropConnection?: boolean;
}

/**
 * A registered fault and how many uses it has left.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const fault: Fault = agent.faults.add({ path: "/info", delayMs: 100 }); fault.remaining; // 1
 * ```
 */
export interface Fault {
  id: number;
  path: string;
  method: string | null;
  status: number | null;
  retryAfter: string | null;
  location: string | null;
  delayMs: number;
  dropConnection: boolean;
  times: number;
  remaining: number;
}

const KNOWN = new Set(["path", "method", "status", "retryAfter", "location", "delayMs", "times", "dropConnection"]);

/**
 * Faults pending at once, at most.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * MAX_PENDING_FAULTS; // 1000
 * ```
 */
export const MAX_PENDING_FAULTS = 1_000;

/**
 * Thrown by `FaultRegistry.add` when {@link MAX_PENDING_FAULTS} faults are already pending.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * try { agent.faults.add({ path: "/info", status: 500 }); } catch (e) { if (e instanceof FaultLimitError) e.message; }
 * ```
 */
export class FaultLimitError extends Error {
  constructor(max: number) {
    super(`${max} faults are already pending; clear some (DELETE /test/faults) before adding more`);
    this.name = "FaultLimitError";
  }
}

function bad(field: string, rule: string, value: unknown): never {
  throw new FlagpostError("invalid_argument", `fault.${field} ${rule}, got ${describeValue(value)}`, { field: `fault.${field}` });
}

function intIn(spec: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const v = spec[field];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) bad(field, `must be an integer from ${min} to ${max}`, v);
  return v as number;
}

/**
 * Checks a fault specification, throwing `FlagpostError` (`invalid_argument`,
 * naming the field and rule) when it is malformed.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * parseFaultSpec({ path: "/v0.4/traces", status: 503, retryAfter: 1, times: 2 });
 * parseFaultSpec({ path: "v0.4" }); // throws: fault.path must start with "/"
 * ```
 */
export function parseFaultSpec(input: unknown): FaultSpec {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new FlagpostError("invalid_argument", `fault must be a JSON object, got ${describeValue(input)}`, { field: "fault" });
  }
  const spec = input as Record<string, unknown>;
  for (const key of Object.keys(spec)) if (!KNOWN.has(key)) bad(key, `is not a known field (${[...KNOWN].join(", ")})`, spec[key]);
  const path = spec["path"];
  if (typeof path !== "string" || !path.startsWith("/") || path.length > 2048) bad("path", 'must be a string starting with "/"', path);
  const method = spec["method"];
  if (method !== undefined && (typeof method !== "string" || !/^[A-Za-z]{1,16}$/.test(method))) {
    bad("method", "must be an HTTP method name", method);
  }
  const status = intIn(spec, "status", 100, 599);
  const delayMs = intIn(spec, "delayMs", 0, 60_000);
  const times = intIn(spec, "times", 1, 1_000_000);
  const retryAfter = spec["retryAfter"];
  if (retryAfter !== undefined) {
    const ok = (typeof retryAfter === "number" && Number.isInteger(retryAfter) && retryAfter >= 0) ||
      (typeof retryAfter === "string" && retryAfter.length > 0 && retryAfter.length <= 64 && /^[\x20-\x7e]+$/.test(retryAfter));
    if (!ok) bad("retryAfter", "must be a non-negative integer (seconds) or an HTTP date string", retryAfter);
    if (status === undefined) bad("retryAfter", "needs a status to go with", retryAfter);
  }
  const location = spec["location"];
  if (location !== undefined) {
    if (typeof location !== "string" || !/^https?:\/\/[\x21-\x7e]{1,2040}$/.test(location)) {
      bad("location", "must be an absolute http(s) URL", location);
    }
    if (status === undefined || status < 300 || status > 399) bad("location", "needs a 3xx status to go with", location);
  }
  const drop = spec["dropConnection"];
  if (drop !== undefined && typeof drop !== "boolean") bad("dropConnection", "must be a boolean", drop);
  if (drop === true && status !== undefined) bad("status", "cannot be combined with dropConnection", status);
  if (status === undefined && drop !== true && delayMs === undefined) {
    throw new FlagpostError("invalid_argument", "fault needs at least one effect: status, delayMs or dropConnection", { field: "fault" });
  }
  const out: FaultSpec = { path: path as string };
  if (method !== undefined) out.method = (method as string).toUpperCase();
  if (status !== undefined) out.status = status;
  if (retryAfter !== undefined) out.retryAfter = retryAfter as number | string;
  if (location !== undefined) out.location = location as string;
  if (delayMs !== undefined) out.delayMs = delayMs;
  if (times !== undefined) out.times = times;
  if (drop === true) out.dropConnection = true;
  return out;
}

/**
 * The registry of pending faults. Faults match in registration order; each
 * match uses one of the fault's `times`, and a used-up fault is removed.
 *
 * @example
 * ```ts
 * // (fragment) with flagpost/mock-agent's names and an `agent` in scope
 * const faults = new FaultRegistry();
 * faults.add({ path: "/v1/metrics", status: 503, times: 2 });
 * faults.take("POST", "/v1/metrics")?.status; // 503
 * ```
 */
export class FaultRegistry {
  #faults: Fault[] = [];
  #nextId = 1;

  /** Registers a fault (validated with `parseFaultSpec`); throws `FaultLimitError` when {@link MAX_PENDING_FAULTS} are pending. */
  add(spec: FaultSpec): Fault {
    const s = parseFaultSpec(spec);
    if (this.#faults.length >= MAX_PENDING_FAULTS) throw new FaultLimitError(MAX_PENDING_FAULTS);
    const fault: Fault = {
      id: this.#nextId++,
      path: s.path,
      method: s.method ?? null,
      status: s.status ?? null,
      retryAfter: s.retryAfter === undefined ? null : String(s.retryAfter),
      location: s.location ?? null,
      delayMs: s.delayMs ?? 0,
      dropConnection: s.dropConnection === true,
      times: s.times ?? 1,
      remaining: s.times ?? 1,
    };
    this.#faults.push(fault);
    return fault;
  }

  /** Number of pending faults. */
  get size(): number {
    return this.#faults.length;
  }

  /** Pending faults, in matching order. */
  list(): Fault[] {
    return this.#faults.map((f) => ({ ...f }));
  }

  /** Removes every pending fault. */
  clear(): void {
    this.#faults = [];
  }

  /** True while a `dropConnection` fault is pending. */
  hasPendingDrop(): boolean {
    return this.#faults.some((f) => f.dropConnection);
  }

  /** Uses the first fault matching the request, if any. */
  take(method: string, path: string): Fault | undefined {
    const index = this.#faults.findIndex((f) =>
      (f.method === null || f.method === method.toUpperCase()) &&
      (f.path.endsWith("*") ? path.startsWith(f.path.slice(0, -1)) : f.path === path)
    );
    if (index < 0) return undefined;
    const fault = this.#faults[index]!;
    fault.remaining--;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    return { ...fault };
  }
}
