/**
 * Semantic versions as the native evaluator reads them (SemVer 2.0.0, strict):
 * `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, no leading `v`, no leading zeros
 * in numeric parts, no whitespace. Precedence ignores build metadata and ranks
 * a pre-release below its release.
 *
 * @module
 */

/** A parsed semantic version. Numeric parts stay strings so any length compares exactly. */
export interface Semver {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly prerelease: readonly string[];
}

const U64_MAX = "18446744073709551615";

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isIdentifier(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
    if (!ok) return false;
  }
  return true;
}

function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function isVersionNumber(s: string): boolean {
  if (!isDigits(s)) return false;
  if (s.length > 1 && s.charCodeAt(0) === 48) return false;
  return compareDigits(s, U64_MAX) <= 0;
}

/**
 * Parses a version strictly; `undefined` when it is not valid SemVer 2.0.0.
 *
 * @example
 * ```ts
 * import { parseSemver } from "./semver.ts"; // internal: not exported from "flagpost/ufc"
 * parseSemver("1.2.3-beta.1+build.5"); // { major: "1", minor: "2", patch: "3", prerelease: ["beta", "1"] }
 * parseSemver("v1.2.3"); // undefined
 * ```
 */
export function parseSemver(text: string): Semver | undefined {
  let rest = text;
  const plus = rest.indexOf("+");
  if (plus !== -1) {
    const build = rest.slice(plus + 1).split(".");
    if (!build.every(isIdentifier)) return undefined;
    rest = rest.slice(0, plus);
  }
  let prerelease: string[] = [];
  const dash = rest.indexOf("-");
  if (dash !== -1) {
    prerelease = rest.slice(dash + 1).split(".");
    for (const id of prerelease) {
      if (!isIdentifier(id)) return undefined;
      if (isDigits(id) && id.length > 1 && id.charCodeAt(0) === 48) return undefined;
    }
    rest = rest.slice(0, dash);
  }
  const parts = rest.split(".");
  if (parts.length !== 3) return undefined;
  const [major, minor, patch] = parts as [string, string, string];
  if (!isVersionNumber(major) || !isVersionNumber(minor) || !isVersionNumber(patch)) return undefined;
  return { major, minor, patch, prerelease };
}

/**
 * SemVer precedence: negative, zero or positive. Build metadata never counts.
 *
 * @example
 * ```ts
 * import { compareSemver, parseSemver } from "./semver.ts"; // internal: not exported from "flagpost/ufc"
 * compareSemver(parseSemver("1.0.0-alpha")!, parseSemver("1.0.0")!); // < 0
 * ```
 */
export function compareSemver(a: Semver, b: Semver): number {
  const core = compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch);
  if (core !== 0) return core;
  const pa = a.prerelease;
  const pb = b.prerelease;
  if (pa.length === 0 || pb.length === 0) return pa.length === pb.length ? 0 : pa.length === 0 ? 1 : -1;
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    const xn = isDigits(x);
    const yn = isDigits(y);
    let c: number;
    if (xn && yn) c = compareDigits(x, y);
    else if (xn) c = -1;
    else if (yn) c = 1;
    else c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}
