/**
 * What every server adapter entry (`flagpost/deno`, `flagpost/bun`,
 * `flagpost/node`) exports alike: one list, so the three entries cannot
 * drift apart. Each entry adds its runtime's `serve` (and shutdown hooks)
 * and re-exports this module.
 *
 * @module
 */
export { asyncLocalScopeStore } from "./_async-local-scope-store.ts";
export {
  createServerFlagpost as createFlagpost,
  type FlagpostFetchHandler,
  flagpostHandler,
  type ScopedHandler,
  type ServeOptions,
  type ServerLifecycleOptions,
  type ShutdownHookOptions,
} from "./_server-lifecycle.ts";
export type { RequestLifecycleOptions } from "./_request-lifecycle.ts";
