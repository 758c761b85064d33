import { describe, expect, test } from "bun:test";
import { sha256WordsSync } from "../../src/core/sha256.ts";
import { JsonByteWriter, subjectText, writeFlagEvaluationRow } from "../../src/flagevaluations/_row-bytes.ts";
import type { FlagEvaluationEntry } from "../../src/flagevaluations/aggregator.ts";
import { flagEvaluationRowJson } from "../../src/flagevaluations/payload.ts";

const TEXTS = [
  "checkout",
  "",
  "Zoë — 日本",
  'say "hi"',
  "back\\slash",
  "tab\tnew\nline\u0000",
  "😀 emoji",
  "\u007f\u0080\u07ff\u0800\uffff",
];

function pick<T>(values: readonly T[]): T {
  return values[Math.floor(Math.random() * values.length)]!;
}

function randomEntry(): FlagEvaluationEntry {
  const degraded = Math.random() < 0.2;
  const consent = Math.random() < 0.3;
  const first = Math.floor(Math.random() * 2 ** 41);
  return {
    flagKey: pick(TEXTS.filter((t) => t !== "")),
    variant: pick([undefined, ...TEXTS]),
    allocation: pick([undefined, ...TEXTS]),
    runtimeDefault: Math.random() < 0.3,
    error: pick([undefined, "GENERAL", "FLAG_NOT_FOUND"]),
    targetingKey: pick([undefined, ...TEXTS]),
    context: consent && Math.random() < 0.5 ? [["country", pick(TEXTS)], ["age", 42], ["pro", true]] : undefined,
    degraded,
    consent,
    count: pick([0, 1, 9, 10, 99, 100, 12_345, Number.MAX_SAFE_INTEGER]),
    first,
    last: first + Math.floor(Math.random() * 1e6),
  };
}

describe("writeFlagEvaluationRow", () => {
  test("writes exactly the UTF-8 bytes of flagEvaluationRowJson (escapes, non-ASCII, context, degraded)", () => {
    const encoder = new TextEncoder();
    for (let i = 0; i < 2_000; i++) {
      const entry = randomEntry();
      const timestamp = pick([0, 7, 1_764_000_000_000]);
      const subject = pick([undefined, "", `sha256_${"ab".repeat(32)}`, sha256WordsSync(pick(TEXTS)), ...TEXTS]);
      const out = new JsonByteWriter(1); // grows from a tiny buffer
      out.ascii("[");
      writeFlagEvaluationRow(out, entry, timestamp, `{"timestamp":${timestamp},"flag":{"key":`, subject);
      const expected = encoder.encode(`[${flagEvaluationRowJson(entry, timestamp, subjectText(subject))}`);
      expect(out.bytes.subarray(0, out.length)).toEqual(expected);
    }
  });
});

describe("subjectText", () => {
  test("a digest is written sha256_<lowercase hex>; text stays as is", () => {
    expect(subjectText(sha256WordsSync("alice"))).toBe("sha256_2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90");
    expect(subjectText("bob")).toBe("bob");
    expect(subjectText(undefined)).toBeUndefined();
  });
});

describe("JsonByteWriter", () => {
  test("integers print as String(n) does, including the unusual ones", () => {
    for (
      const n of [
        0,
        1,
        9,
        10,
        99,
        100,
        101,
        999_999,
        1_000_000,
        99_999_999,
        100_000_000,
        100_000_007,
        1_700_000_000_000,
        2 ** 53 - 1,
        -1,
        -1234,
        1.5,
        1e21,
      ]
    ) {
      const out = new JsonByteWriter(0);
      out.integer(n);
      expect(new TextDecoder().decode(out.bytes.subarray(0, out.length))).toBe(String(n));
    }
  });

  test("strings print as JSON.stringify does", () => {
    for (const text of [...TEXTS, "\ud800 lone", "x".repeat(1_000)]) {
      const out = new JsonByteWriter(0);
      out.jsonString(text);
      expect(new TextDecoder().decode(out.bytes.subarray(0, out.length))).toBe(JSON.stringify(text));
    }
  });
});
