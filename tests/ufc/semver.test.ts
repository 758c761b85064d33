/** Semver: strict SemVer 2.0.0 parsing and §11 precedence, as the SEMVER_* operators use them. */
import { describe, expect, test } from "bun:test";
import { compareSemver, parseSemver } from "../../src/ufc/semver.ts";

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
