/**
 * A `ScopeStore` on top of `AsyncLocalStorage`, for the runtimes that have
 * it: Node, Bun, Deno, and workerd with `nodejs_compat`. Reached through
 * `globalThis.process.getBuiltinModule("node:async_hooks")` (or a global
 * `AsyncLocalStorage`), never a static import, so bundles for runtimes
 * without it still load; there the store is `undefined` and scopes are
 * passed explicitly.
 *
 * @module
 */
import type { RequestScope } from "../lifecycle/request-scope.ts";
import type { ScopeStore } from "../lifecycle/scope-store.ts";

interface AsyncLocalStorageLike<T> {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
}
type AsyncLocalStorageClass = new <T>() => AsyncLocalStorageLike<T>;

function findAsyncLocalStorage(): AsyncLocalStorageClass | undefined {
  const g = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
    AsyncLocalStorage?: unknown;
  };
  try {
    const mod = g.process?.getBuiltinModule?.("node:async_hooks") as { AsyncLocalStorage?: unknown } | undefined;
    if (typeof mod?.AsyncLocalStorage === "function") return mod.AsyncLocalStorage as AsyncLocalStorageClass;
  } catch {
    // No such builtin here: fall through to the global.
  }
  return typeof g.AsyncLocalStorage === "function" ? g.AsyncLocalStorage as AsyncLocalStorageClass : undefined;
}

/**
 * A scope store backed by `AsyncLocalStorage`, or `undefined` where the
 * runtime has none (workerd without `nodejs_compat`): then pass the scope
 * explicitly (`flagpost.hook({ scope })`, `recordEvaluation(record, scope)`).
 *
 * @example
 * ```ts
 * import { createFlagpost } from "flagpost";
 * import { asyncLocalScopeStore } from "flagpost/node";
 * const flagpost = createFlagpost({ scopeStore: asyncLocalScopeStore() });
 * console.log(flagpost.currentScope()); // undefined outside a request
 * ```
 */
export function asyncLocalScopeStore(): ScopeStore | undefined {
  const AsyncLocalStorage = findAsyncLocalStorage();
  if (AsyncLocalStorage === undefined) return undefined;
  const storage = new AsyncLocalStorage<RequestScope>();
  return {
    run: (scope, fn) => storage.run(scope, fn),
    current: () => storage.getStore(),
  };
}
