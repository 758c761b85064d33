/** FlagpostError carries code, field and cause; describeValue renders bad input safely for messages. */
import { describe, expect, test } from "bun:test";
import { describeValue, FlagpostError } from "../../src/core/errors.ts";

describe("FlagpostError", () => {
  test("carries code, field, cause and a name", () => {
    const cause = new Error("root");
    const e = new FlagpostError("invalid_argument", "span.name: must be a non-empty string", { field: "span.name", cause });
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.code, e.field, e.cause]).toEqual(["FlagpostError", "invalid_argument", "span.name", cause]);
  });
  test("describeValue quotes strings and cuts long values", () => {
    expect(describeValue("a")).toBe('"a"');
    expect(describeValue(3)).toBe("3");
    expect(describeValue(10n)).toBe("10n");
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue("x".repeat(200)).length).toBe(80);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe("[object Object]");
  });
});
