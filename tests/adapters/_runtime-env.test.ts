/** Runtime environment reading: the process's variables where the runtime has them, and only string values from a bindings object. */
import { describe, expect, test } from "bun:test";
import { processEnv, stringVariables } from "../../src/adapters/_runtime-env.ts";

describe("processEnv", () => {
  test("on Bun/Node it is process.env: a variable set there is read", () => {
    const key = "FLAGPOST_RUNTIME_ENV_TEST";
    process.env[key] = "on";
    try {
      expect(processEnv()[key]).toBe("on");
    } finally {
      delete process.env[key];
    }
  });
  test("prefers Deno.env when present, and is {} when Deno refuses access", () => {
    const g = globalThis as { Deno?: unknown };
    const had = "Deno" in g;
    const saved = g.Deno;
    try {
      g.Deno = { env: { toObject: () => ({ FROM: "deno" }) } };
      expect(processEnv()).toEqual({ FROM: "deno" });
      g.Deno = {
        env: {
          toObject: () => {
            throw new Error("Requires env access");
          },
        },
      };
      expect(processEnv()).toEqual({});
    } finally {
      if (had) g.Deno = saved;
      else delete g.Deno;
    }
  });
});

describe("stringVariables", () => {
  test("keeps only string values (Workers bindings also hold KV namespaces, secrets objects, numbers)", () => {
    expect(stringVariables({ DD_SERVICE: "shop", KV: { get() {} }, N: 3, EMPTY: "" })).toEqual({ DD_SERVICE: "shop", EMPTY: "" });
  });
  test("anything that is not an object gives {}", () => {
    for (const v of [undefined, null, "DD_SERVICE=shop", 3]) expect(stringVariables(v)).toEqual({});
  });
});
