/**
 * Where the current request scope is found when no scope is passed
 * explicitly. Core code never reaches for `AsyncLocalStorage` itself (it is a
 * Node API, absent from workerd without compatibility flags): the runtime
 * adapters build a `ScopeStore` on top of it where it exists and hand it to
 * `createFlagpost({ scopeStore })`. Without a store, every API still takes
 * the scope as an explicit argument.
 *
 * @module
 */
import type { RequestScope } from "./request-scope.ts";

/**
 * Binds a request scope to the asynchronous work started inside `run`, so
 * hooks and providers deep in the call stack find it with `current()`.
 *
 * @example
 * ```ts
 * import type { RequestScope, ScopeStore } from "flagpost";
 * // A store that only works for synchronous code, for illustration:
 * let active: RequestScope | undefined;
 * const store: ScopeStore = {
 *   run(scope, fn) {
 *     const before = active;
 *     active = scope;
 *     try {
 *       return fn();
 *     } finally {
 *       active = before;
 *     }
 *   },
 *   current: () => active,
 * };
 * console.log(store.current()); // undefined
 * ```
 */
export interface ScopeStore {
  /** Runs `fn` with `scope` as the current scope of everything it starts, synchronous or not. */
  run<T>(scope: RequestScope, fn: () => T): T;
  /** The scope of the running request, if any. */
  current(): RequestScope | undefined;
}
