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

/**
 * flagpost's version, sent as `Datadog-Meta-Tracer-Version` (kept equal to package.json's by a test).
 *
 * @example
 * ```ts
 * // (fragment) internal: the trace exporter's header
 * headers["Datadog-Meta-Tracer-Version"] = TRACER_VERSION;
 * ```
 */
export const TRACER_VERSION = "0.1.0";

/**
 * A runtime's name as the agent headers carry it, and its version when known.
 *
 * @example
 * ```ts
 * import { resolveConfig, type RuntimeInfo, TraceExporter } from "flagpost";
 * // Node 20 has no navigator.userAgent: a Node adapter can say which version runs.
 * const runtime: RuntimeInfo = { interpreter: "node", version: "20.11.1" };
 * const exporter = new TraceExporter(resolveConfig({}), { runtime });
 * console.log(exporter.version); // undefined until the agent's /info answered
 * ```
 */
export interface RuntimeInfo {
  /** `deno`, `bun`, `node`, `workerd`, or the user agent's product name otherwise. */
  readonly interpreter: string;
  /** e.g. `2.1.4`; `""` when the runtime does not say. */
  readonly version: string;
}

/**
 * Reads the runtime from a user agent string (`undefined` when there is no `navigator`).
 *
 * @example
 * ```ts
 * // (fragment) internal
 * runtimeFromUserAgent("Deno/2.1.4"); // { interpreter: "deno", version: "2.1.4" }
 * ```
 */
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

/**
 * The current runtime (read on call, never at import).
 *
 * @example
 * ```ts
 * // (fragment) internal
 * detectRuntime(); // { interpreter: "bun", version: "1.4.5" } under Bun
 * ```
 */
export function detectRuntime(): RuntimeInfo {
  const nav = (globalThis as { navigator?: { userAgent?: unknown } }).navigator;
  const ua = nav === undefined ? undefined : typeof nav.userAgent === "string" ? nav.userAgent : "";
  return runtimeFromUserAgent(ua);
}
