/**
 * Which JavaScript runtime is sending, for the agent's
 * `Datadog-Meta-Lang-Interpreter` / `Datadog-Meta-Lang-Version` headers,
 * read from `navigator.userAgent` ("Deno/2.1.4", "Bun/1.2.0",
 * "Node.js/22", "Cloudflare-Workers") so that no runtime global (`Deno`,
 * `Bun`, `process`) is touched. Node 20 has no `navigator` at all, and it
 * is the only supported runtime without one.
 *
 * @module
 */

/** flagpost's version, sent as `Datadog-Meta-Tracer-Version` (kept equal to package.json's by a test). */
export const TRACER_VERSION = "0.1.0";

/** A runtime's name as the agent headers carry it, and its version when known. */
export interface RuntimeInfo {
  /** `deno`, `bun`, `node`, `workerd`, or the user agent's product name otherwise. */
  readonly interpreter: string;
  /** e.g. `2.1.4`; `""` when the runtime does not say. */
  readonly version: string;
}

/** Reads the runtime from a user agent string (`undefined` when there is no `navigator`). */
export function runtimeFromUserAgent(userAgent: string | undefined): RuntimeInfo {
  if (userAgent === undefined) return { interpreter: "node", version: "" };
  if (userAgent.startsWith("Cloudflare-Workers")) return { interpreter: "workerd", version: "" };
  const match = /^([A-Za-z.]+)\/(\S+)/.exec(userAgent);
  if (match === null) return { interpreter: userAgent.split(/[\s/]/)[0]?.toLowerCase() || "unknown", version: "" };
  const product = match[1]!;
  const version = match[2]!.replace(/^v/, "");
  if (product === "Deno") return { interpreter: "deno", version };
  if (product === "Bun") return { interpreter: "bun", version };
  if (product === "Node.js") return { interpreter: "node", version };
  return { interpreter: product.toLowerCase(), version };
}

/** The current runtime (read on call, never at import). */
export function detectRuntime(): RuntimeInfo {
  const nav = (globalThis as { navigator?: { userAgent?: unknown } }).navigator;
  const ua = nav === undefined ? undefined : typeof nav.userAgent === "string" ? nav.userAgent : "";
  return runtimeFromUserAgent(ua);
}
