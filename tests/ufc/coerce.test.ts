/** Number coercion as the native evaluator does it: Rust f64 Display formatting and strict str::parse::<f64>. */
import { describe, expect, test } from "bun:test";
import { formatNumber, parseNumberStrict } from "../../src/ufc/coerce.ts";

describe("formatNumber (Rust f64 Display)", () => {
  test.each([
    [0, "0"],
    [-0, "-0"],
    [1, "1"],
    [-1.5, "-1.5"],
    [123456789, "123456789"],
    [1e21, "1000000000000000000000"],
    [1.5e22, "15000000000000000000000"],
    [1e-7, "0.0000001"],
    [-2.5e-8, "-0.000000025"],
    [0.1, "0.1"],
    [NaN, "NaN"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
  ])("%p → %s", (n, s) => {
    expect(formatNumber(n)).toBe(s);
  });
});

describe("parseNumberStrict (Rust str::parse::<f64>)", () => {
  test.each([["1", 1], ["-1.5", -1.5], ["+2", 2], [".5", 0.5], ["5.", 5], ["1e3", 1000], ["1E-2", 0.01], ["inf", Infinity], [
    "-Infinity",
    -Infinity,
  ]])(
    "%s → %p",
    (s, n) => {
      expect(parseNumberStrict(s)).toBe(n);
    },
  );
  test("nan", () => {
    expect(parseNumberStrict("NaN")).toBeNaN();
  });
  test.each([[""], [" 1"], ["1 "], ["0x10"], ["1_000"], ["."], ["e5"], ["1e"], ["1e+"], ["--1"], ["Infinityx"], ["1,5"]])(
    "rejects %p",
    (s) => {
      expect(parseNumberStrict(s)).toBeUndefined();
    },
  );
});
