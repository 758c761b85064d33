/**
 * InvalidFlagError: the message names the path of the bad field, and parseConfiguration keeps it per flag
 * (the flag becomes PARSE_ERROR with that message; the error never escapes).
 */
import { describe, expect, test } from "bun:test";
import { InvalidFlagError } from "../../src/ufc/invalid.ts";
import { parseConfiguration } from "../../src/ufc/mod.ts";
import { configOf, stringFlag } from "./helpers.ts";

describe("InvalidFlagError", () => {
  test("prefixes the reason with the field path, and keeps the path", () => {
    const e = new InvalidFlagError("allocations[0].splits", "expected an array");
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("InvalidFlagError");
    expect(e.path).toBe("allocations[0].splits");
    expect(e.message).toBe("allocations[0].splits: expected an array");
  });
  test("an empty path gives the bare reason", () => {
    const e = new InvalidFlagError("", "expected an object");
    expect(e.path).toBe("");
    expect(e.message).toBe("expected an object");
  });
  test("parseConfiguration does not throw it: the flag is kept invalid with the error's message", () => {
    const good = stringFlag("good", [{ key: "all", splits: [{ variationKey: "on", shards: [] }] }]);
    const config = parseConfiguration(configOf({ bad: { ...good, key: "bad", allocations: "nope" }, good }));
    expect(config.invalidFlags).toHaveLength(1);
    expect(config.invalidFlags[0]!.key).toBe("bad");
    expect(config.invalidFlags[0]!.message).toBe(new InvalidFlagError("allocations", "expected an array").message);
  });
});
