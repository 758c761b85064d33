/** Sharding (md5), semver precedence, number formatting and strict number parsing. */
import { describe, expect, test } from "bun:test";
import { formatNumber, parseNumberStrict } from "../../src/ufc/coerce.ts";
import { compareSemver, parseSemver } from "../../src/ufc/semver.ts";
import { shardOf } from "../../src/ufc/shard.ts";

describe("shardOf", () => {
  test("first 4 bytes of md5('salt-key'), big-endian, modulo totalShards", () => {
    // md5("a-b") = 8ca2ed59… (computed with coreutils md5sum); 0x8ca2ed59 = 2359487833
    expect(shardOf("a", "b", 2 ** 32 - 1)).toBe(0x8ca2ed59);
    expect(shardOf("a", "b", 10000)).toBe(7833);
  });
  test("UTF-8 keys", () => {
    // md5("s-ñ" as UTF-8) = e84a926d… (md5sum)
    expect(shardOf("s", "ñ", 2 ** 32 - 1)).toBe(0xe84a926d);
    expect(shardOf("s", "ñ", 10000)).toBe(1261);
  });
  test("stays in range", () => {
    for (const k of ["", "alice", "bob", "😀"]) {
      const s = shardOf("salt", k, 7);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(7);
    }
  });
});

describe("semver", () => {
  test("strict parsing", () => {
    expect(parseSemver("1.2.3-beta.1+build.5")).toEqual({ major: "1", minor: "2", patch: "3", prerelease: ["beta", "1"] });
    for (
      const bad of [
        "v1.2.3",
        "1.2",
        "1.2.3.4",
        "01.2.3",
        "1.2.3-01",
        "1.2.3-",
        "1.2.3+",
        " 1.2.3",
        "1.2.3-a..b",
        "18446744073709551616.0.0",
      ]
    ) {
      expect(parseSemver(bad)).toBeUndefined();
    }
    expect(parseSemver("18446744073709551615.0.0")).toBeDefined();
    expect(parseSemver("1.2.3+001")).toBeDefined();
  });
  test("precedence (SemVer 2.0.0 §11), build ignored", () => {
    const order = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.10.0",
      "2.0.0",
    ];
    for (let i = 0; i + 1 < order.length; i++) {
      expect(compareSemver(parseSemver(order[i]!)!, parseSemver(order[i + 1]!)!)).toBeLessThan(0);
      expect(compareSemver(parseSemver(order[i + 1]!)!, parseSemver(order[i]!)!)).toBeGreaterThan(0);
    }
    expect(compareSemver(parseSemver("1.0.0+a")!, parseSemver("1.0.0+b")!)).toBe(0);
  });
});

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
