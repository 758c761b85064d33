/** The shared server entry: flagpost/bun, /deno and /node re-export the same functions from one list, so they cannot drift apart. */
import { describe, expect, test } from "bun:test";
import * as entry from "../../src/adapters/_server-entry.ts";
import * as bun from "../../src/adapters/bun/mod.ts";
import * as deno from "../../src/adapters/deno/mod.ts";
import * as node from "../../src/adapters/node/mod.ts";
import { createServerFlagpost, flagpostHandler } from "../../src/adapters/_server-lifecycle.ts";

describe("server entry", () => {
  test("exports createFlagpost (the server flavour), flagpostHandler and asyncLocalScopeStore", () => {
    expect(Object.keys(entry).sort()).toEqual(["asyncLocalScopeStore", "createFlagpost", "flagpostHandler"]);
    expect(entry.createFlagpost).toBe(createServerFlagpost);
    expect(entry.flagpostHandler).toBe(flagpostHandler);
  });
  for (const [name, mod] of Object.entries({ bun, deno, node })) {
    test(`flagpost/${name} re-exports every one of them, the same functions`, () => {
      for (const [key, value] of Object.entries(entry)) expect((mod as Record<string, unknown>)[key]).toBe(value);
    });
  }
});
