/** Each condition operator, with the native evaluator's coercions. */
import { describe, expect, test } from "bun:test";
import { compileCondition } from "../../src/ufc/operators.ts";
import type { ConditionOperator, UfcCondition } from "../../src/ufc/model.ts";

const check = (operator: ConditionOperator, value: UfcCondition["value"], attribute: unknown, key?: string) => {
  const predicate = compileCondition({ attribute: "x", operator, value }, "c");
  return predicate(attribute === undefined ? {} : { x: attribute }, key);
};

describe("MATCHES / NOT_MATCHES", () => {
  test("unanchored search on strings", () => {
    expect(check("MATCHES", "@example\\.com", "alice@example.com")).toBe(true);
    expect(check("MATCHES", "^test", "a test")).toBe(false);
    expect(check("NOT_MATCHES", "^test", "a test")).toBe(true);
  });
  test("numbers and booleans are matched in their string form", () => {
    expect(check("MATCHES", "^42$", 42)).toBe(true);
    expect(check("MATCHES", "^1000000000000000000000$", 1e21)).toBe(true);
    expect(check("MATCHES", "true", true)).toBe(true);
    expect(check("NOT_MATCHES", "false", true)).toBe(true);
  });
  test("missing, null and object attributes match neither", () => {
    for (const v of [undefined, null, { a: 1 }, [1]]) {
      expect(check("MATCHES", ".*", v)).toBe(false);
      expect(check("NOT_MATCHES", "x", v)).toBe(false);
    }
  });
  test("a one-element array is accepted as the pattern", () => {
    expect(check("MATCHES", ["^a"], "abc")).toBe(true);
  });
});

describe("ONE_OF / NOT_ONE_OF", () => {
  test("exact string membership", () => {
    expect(check("ONE_OF", ["US", "Canada"], "US")).toBe(true);
    expect(check("ONE_OF", ["US", "Canada"], "us")).toBe(false);
    expect(check("NOT_ONE_OF", ["US", "Canada"], "France")).toBe(true);
    expect(check("NOT_ONE_OF", ["US"], "US")).toBe(false);
  });
  test("numbers compare in plain decimal, booleans as true/false", () => {
    expect(check("ONE_OF", ["1"], 1)).toBe(true);
    expect(check("ONE_OF", ["1"], 1.0)).toBe(true);
    expect(check("ONE_OF", ["1.5"], 1.5)).toBe(true);
    expect(check("ONE_OF", ["0.0000001"], 1e-7)).toBe(true);
    expect(check("ONE_OF", ["123456789"], 123456789)).toBe(true);
    expect(check("ONE_OF", ["true"], true)).toBe(true);
    expect(check("ONE_OF", ["true"], 1)).toBe(false);
    expect(check("ONE_OF", ["True"], true)).toBe(false);
  });
  test("missing or null attributes match neither ONE_OF nor NOT_ONE_OF", () => {
    expect(check("ONE_OF", ["null"], null)).toBe(false);
    expect(check("NOT_ONE_OF", ["x"], undefined)).toBe(false);
    expect(check("NOT_ONE_OF", ["x"], null)).toBe(false);
  });
  test("large lists (Set-backed) behave the same", () => {
    const values = Array.from({ length: 50 }, (_, i) => `v${i}`);
    expect(check("ONE_OF", values, "v42")).toBe(true);
    expect(check("ONE_OF", values, "v50")).toBe(false);
    expect(check("NOT_ONE_OF", values, "v50")).toBe(true);
  });
});

describe("GT / GTE / LT / LTE", () => {
  test("numbers", () => {
    expect(check("GT", 10, 11)).toBe(true);
    expect(check("GT", 10, 10)).toBe(false);
    expect(check("GTE", 10, 10)).toBe(true);
    expect(check("LT", 10, 9.5)).toBe(true);
    expect(check("LT", 10, 10)).toBe(false);
    expect(check("LTE", 10, 10)).toBe(true);
  });
  test("numeric strings are parsed strictly", () => {
    expect(check("GT", 10, "11")).toBe(true);
    expect(check("GT", 10, "1e2")).toBe(true);
    expect(check("GT", 10, " 11")).toBe(false);
    expect(check("GT", 10, "0x20")).toBe(false);
    expect(check("GT", -1, "")).toBe(false);
    expect(check("LT", 10, "abc")).toBe(false);
  });
  test("booleans, null, missing never compare", () => {
    expect(check("GTE", 0, true)).toBe(false);
    expect(check("GTE", 0, null)).toBe(false);
    expect(check("LTE", 0, undefined)).toBe(false);
  });
  test("NaN compares false", () => {
    expect(check("GTE", 0, "nan")).toBe(false);
    expect(check("LT", 0, "nan")).toBe(false);
    expect(check("GT", 0, "inf")).toBe(true);
  });
});

describe("IS_NULL", () => {
  test("true matches missing and null", () => {
    expect(check("IS_NULL", true, undefined)).toBe(true);
    expect(check("IS_NULL", true, null)).toBe(true);
    expect(check("IS_NULL", true, 0)).toBe(false);
    expect(check("IS_NULL", true, "")).toBe(false);
  });
  test("false matches any present value", () => {
    expect(check("IS_NULL", false, 0)).toBe(true);
    expect(check("IS_NULL", false, { a: 1 })).toBe(true);
    expect(check("IS_NULL", false, null)).toBe(false);
    expect(check("IS_NULL", false, undefined)).toBe(false);
  });
});

describe("SEMVER_*", () => {
  test.each(
    [
      ["SEMVER_EQ", "1.2.3", "1.2.3", true],
      ["SEMVER_EQ", "1.2.3", "1.2.3+build.42", true],
      ["SEMVER_EQ", "1.2.3", "1.2.4", false],
      ["SEMVER_NEQ", "1.2.3", "1.2.4", true],
      ["SEMVER_NEQ", "1.2.3", "1.2.3+b", false],
      ["SEMVER_LT", "2.0.0", "1.9.9", true],
      ["SEMVER_LT", "1.0.0", "1.0.0-alpha", true],
      ["SEMVER_LT", "2.0.0", "2.0.0", false],
      ["SEMVER_LTE", "2.0.0", "2.0.0", true],
      ["SEMVER_GT", "1.0.0", "1.0.1", true],
      ["SEMVER_GT", "1.0.0", "1.0.0", false],
      ["SEMVER_GTE", "1.0.0", "1.0.0", true],
      ["SEMVER_GTE", "1.0.0", "0.9.9", false],
      ["SEMVER_GT", "1.9.0", "1.10.0", true],
    ] as const,
  )("%s %s vs %s → %s", (op, comparand, attribute, want) => {
    expect(check(op, comparand, attribute)).toBe(want);
  });
  test("invalid or non-string attributes never match, even SEMVER_NEQ", () => {
    expect(check("SEMVER_NEQ", "1.0.0", "v1.0.0")).toBe(false);
    expect(check("SEMVER_NEQ", "1.0.0", "1.2")).toBe(false);
    expect(check("SEMVER_NEQ", "1.0.0", 1)).toBe(false);
    expect(check("SEMVER_GTE", "1.0.0", undefined)).toBe(false);
  });
});

describe("compile-time rejection (PARSE_ERROR for the flag)", () => {
  test.each([
    [{ attribute: "x", operator: "NOT_A_REAL_OPERATOR", value: "a" }, /unknown operator/],
    [{ attribute: "x", operator: "GT", value: "10" }, /expects a number/],
    [{ attribute: "x", operator: "GT", value: ["10"] }, /expects a number/],
    [{ attribute: "x", operator: "ONE_OF", value: "US" }, /array of strings/],
    [{ attribute: "x", operator: "ONE_OF", value: [1, 2] }, /array of strings/],
    [{ attribute: "x", operator: "IS_NULL", value: "true" }, /boolean/],
    [{ attribute: "x", operator: "MATCHES", value: 1 }, /expects a string/],
    [{ attribute: "x", operator: "MATCHES", value: "(?=x)" }, /value/],
    [{ attribute: "x", operator: "SEMVER_EQ", value: "1.0" }, /semantic version/],
    [{ attribute: 1, operator: "IS_NULL", value: true }, /attribute/],
    [{ attribute: "x", operator: "IS_NULL", value: null }, /value/],
    ["not an object", /object/],
  ])("%j", (raw, message) => {
    expect(() => compileCondition(raw, "c")).toThrow(message);
  });
});

describe("attribute lookup", () => {
  test("inherited names are not attributes", () => {
    const p = compileCondition({ attribute: "constructor", operator: "IS_NULL", value: true }, "c");
    expect(p({}, undefined)).toBe(true);
    expect(p({ constructor: "x" }, undefined)).toBe(false);
  });
  test("id reads the targeting key only when id is absent; null id stays null", () => {
    const p = compileCondition({ attribute: "id", operator: "IS_NULL", value: true }, "c");
    expect(p({}, "alice")).toBe(false);
    expect(p({}, undefined)).toBe(true);
    expect(p({ id: null }, "alice")).toBe(true);
  });
});
