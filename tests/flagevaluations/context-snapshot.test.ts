import { describe, expect, test } from "bun:test";
import { CONTEXT_LIMITS, snapshotContext } from "../../src/flagevaluations/context-snapshot.ts";

describe("snapshotContext", () => {
  test("flattens nested records and lists under dotted paths, sorted, scalars only", () => {
    const { entries, omitted } = snapshotContext({
      plan: "pro",
      org: { id: 7, tags: ["a", "b"], active: true, parent: null },
      score: 1.5,
    });
    expect(entries).toEqual([
      ["org.active", true],
      ["org.id", 7],
      ["org.parent", null],
      ["org.tags.0", "a"],
      ["org.tags.1", "b"],
      ["plan", "pro"],
      ["score", 1.5],
    ]);
    expect([...omitted]).toEqual([]);
  });

  test("a valid Date becomes its ISO string; other objects, functions, bigints, symbols and non-finite numbers are left out", () => {
    const { entries, omitted } = snapshotContext({
      at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      bad: new Date(Number.NaN),
      map: new Map([["a", 1]]),
      fn: () => 1,
      big: 1n,
      sym: Symbol("s"),
      inf: Infinity,
      nan: Number.NaN,
    });
    expect(entries).toEqual([["at", "2026-01-02T03:04:05.000Z"]]);
    expect([...omitted]).toEqual(["unsupported_type"]);
  });

  test("getters are never called; targetingKey is not part of the context", () => {
    let called = false;
    const context = { targetingKey: "alice", plan: "pro" };
    Object.defineProperty(context, "secret", {
      enumerable: true,
      get() {
        called = true;
        return "x";
      },
    });
    const { entries, omitted } = snapshotContext(context);
    expect(called).toBe(false);
    expect(entries).toEqual([["plan", "pro"]]);
    expect(omitted.has("unsupported_type")).toBe(true);
  });

  test("values and keys over 256 characters, and lone surrogates, are left out, not truncated", () => {
    const { entries, omitted } = snapshotContext({
      ok: "x".repeat(CONTEXT_LIMITS.valueLength),
      long: "x".repeat(CONTEXT_LIMITS.valueLength + 1),
      ["k".repeat(CONTEXT_LIMITS.keyLength + 1)]: 1,
      lone: "a\ud800",
      ["\udc00"]: 2,
    });
    expect(entries.map(([k]) => k)).toEqual(["ok"]);
    expect([...omitted].sort()).toEqual(["invalid_encoding", "max_key_length", "max_value_length"]);
  });

  test("depth: four levels of containers below the root are read, a fifth is left out (as dd-trace-js)", () => {
    const { entries, omitted } = snapshotContext({ a: { b: { c: { d: { e: { f: 1 }, g: 3 }, x: 2 } } } });
    expect(entries).toEqual([["a.b.c.d.g", 3], ["a.b.c.x", 2]]);
    expect(omitted.has("max_depth")).toBe(true);
  });

  test("at most 256 fields; 100,000 fields or 100,000 levels cost bounded work and never recurse", () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 100_000; i++) wide[`f${String(i).padStart(6, "0")}`] = i;
    const w = snapshotContext(wide);
    expect(w.entries.length).toBe(CONTEXT_LIMITS.fields);
    expect(w.omitted.has("max_context_fields")).toBe(true);

    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 100_000; i++) deep = { n: deep };
    expect(snapshotContext({ deep }).entries).toEqual([]);
  });

  test("cycles are cut, shared (non-cyclic) objects are kept", () => {
    const shared = { v: 1 };
    const cyclic: Record<string, unknown> = { name: "c" };
    cyclic.self = cyclic;
    const { entries, omitted } = snapshotContext({ a: shared, b: shared, cyclic });
    expect(entries).toEqual([["a.v", 1], ["b.v", 1], ["cyclic.name", "c"]]);
    expect(omitted.has("cycle")).toBe(true);
  });

  test("a non-record context gives nothing", () => {
    expect(snapshotContext(undefined).entries).toEqual([]);
    expect([...snapshotContext([1, 2]).omitted]).toEqual(["unsupported_type"]);
  });
});
