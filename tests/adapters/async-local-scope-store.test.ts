/**
 * The AsyncLocalStorage-backed scope store: found through process.getBuiltinModule (no static
 * import), keeps each async chain's scope across awaits, and is absent — not an error — where the
 * runtime has no AsyncLocalStorage (then scopes are passed explicitly).
 */
import { describe, expect, test } from "bun:test";
import { createFlagpost } from "../../mod.ts";
import { asyncLocalScopeStore } from "../../src/adapters/node/mod.ts";

describe("asyncLocalScopeStore", () => {
  test("each async chain sees its own scope across awaits", async () => {
    const store = asyncLocalScopeStore()!;
    const flagpost = createFlagpost({ scopeStore: store });
    const scopes = Array.from({ length: 50 }, (_, i) => flagpost.startRequest({ name: "n", resource: String(i) }));
    const seen = await Promise.all(scopes.map((scope) =>
      store.run(scope, async () => {
        await new Promise((r) => setTimeout(r, Math.random() * 5));
        await Promise.resolve();
        return store.current() === scope;
      })
    ));
    expect(seen.every(Boolean)).toBe(true);
    expect(store.current()).toBeUndefined();
  });

  test("undefined where there is no AsyncLocalStorage (no getBuiltinModule, no global)", () => {
    const proc = globalThis.process as unknown as { getBuiltinModule?: unknown };
    const original = proc.getBuiltinModule;
    try {
      proc.getBuiltinModule = undefined;
      expect(asyncLocalScopeStore()).toBeUndefined();
      proc.getBuiltinModule = () => {
        throw new Error("no such module");
      };
      expect(asyncLocalScopeStore()).toBeUndefined();
    } finally {
      proc.getBuiltinModule = original;
    }
    expect(asyncLocalScopeStore()).toBeDefined();
  });
});
