import { describe, expect, test } from "bun:test";
import { flagpostErrorOf } from "../support/errors.ts";
import { decodeSpanTags } from "../../src/enrichment/decode-span-tags.ts";
import { SpanEnrichment } from "../../src/enrichment/span-enrichment.ts";
import { match } from "./_records.ts";

const SUBJECT = "de2176a6d99ec8259b004528b3aac7da3bad59e151ca0567f39706a079c03632";

const rejection = (tags: Record<string, unknown>) => flagpostErrorOf(() => decodeSpanTags(tags));

describe("decodeSpanTags", () => {
  test("decodes the three tags and ignores other meta", () => {
    expect(decodeSpanTags({
      "http.method": "GET",
      ffe_flags_enc: "ZAgUAg==",
      ffe_subjects_enc: `{"${SUBJECT}":"bBQC"}`,
      ffe_runtime_defaults: '{"nonexistent-flag":"my-default","o":"{\\"a\\":\\"/x\\"}"}',
    })).toEqual({
      serialIds: [100, 108, 128, 130],
      subjects: { [SUBJECT]: [108, 128, 130] },
      runtimeDefaults: { "nonexistent-flag": "my-default", o: '{"a":"/x"}' },
    });
  });

  test("absent tags decode to empty values", () => {
    expect(decodeSpanTags({})).toEqual({ serialIds: [], subjects: {}, runtimeDefaults: {} });
  });

  test("inverts the accumulator", async () => {
    const e = new SpanEnrichment();
    e.add(match(2 ** 33, "multi-flag-user"));
    expect(decodeSpanTags(await e.toTags())).toEqual({ serialIds: [2 ** 33], subjects: { [SUBJECT]: [2 ** 33] }, runtimeDefaults: {} });
  });

  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["bad base64", { ffe_flags_enc: "Z!==" }, "ffe_flags_enc", /invalid base64 character/],
    ["base64 of the wrong length", { ffe_flags_enc: "ZAg" }, "ffe_flags_enc", /multiple of 4/],
    ["a truncated varint", { ffe_flags_enc: "gA==" }, "ffe_flags_enc", /truncated/],
    ["a tag that is not a string", { ffe_flags_enc: 100 }, "ffe_flags_enc", /must be a string/],
    ["subjects that are not JSON", { ffe_subjects_enc: "{oops" }, "ffe_subjects_enc", /is not JSON/],
    ["subjects that are a JSON array", { ffe_subjects_enc: "[]" }, "ffe_subjects_enc", /must be a JSON object/],
    ["a subject key that is not a SHA-256", { ffe_subjects_enc: '{"user-1":"AQ=="}' }, "ffe_subjects_enc", /not a lowercase hex SHA-256/],
    ["an uppercase subject key", { ffe_subjects_enc: `{"${SUBJECT.toUpperCase()}":"AQ=="}` }, "ffe_subjects_enc", /lowercase hex/],
    ["a subject value that is not a string", { ffe_subjects_enc: `{"${SUBJECT}":[1]}` }, "ffe_subjects_enc", /encoded id string/],
    [
      "a subject value with a truncated varint",
      { ffe_subjects_enc: `{"${SUBJECT}":"gA=="}` },
      "ffe_subjects_enc",
      /de2176a6d99e….*truncated/,
    ],
    [
      "an over-long varint (would decode to NaN)",
      { ffe_flags_enc: btoa(String.fromCharCode(...new Array(199).fill(0x80), 0x00)) },
      "ffe_flags_enc",
      /^ffe_flags_enc: over-long varint at byte 0: more than 8 bytes/,
    ],
    [
      "a subject value with an over-long varint",
      { ffe_subjects_enc: `{"${SUBJECT}":"${btoa(String.fromCharCode(0x01, ...new Array(199).fill(0x80), 0x00))}"}` },
      "ffe_subjects_enc",
      /de2176a6d99e…: over-long varint at byte 1: more than 8 bytes/,
    ],
    ["defaults that are not JSON", { ffe_runtime_defaults: "nope" }, "ffe_runtime_defaults", /is not JSON/],
    ["defaults that are JSON null", { ffe_runtime_defaults: "null" }, "ffe_runtime_defaults", /must be a JSON object/],
    [
      "a default that is not a string",
      { ffe_runtime_defaults: '{"f":true}' },
      "ffe_runtime_defaults",
      /value of flag "f" must be a string/,
    ],
  ];
  for (const [name, tags, field, message] of cases) {
    test(`rejects ${name}, naming the tag`, () => {
      const e = rejection(tags);
      expect(e.code).toBe("invalid_encoding");
      expect(e.field).toBe(field);
      expect(e.message.startsWith(`${field}: `)).toBe(true);
      expect(e.message).toMatch(message);
    });
  }

  test("input that is not an object is invalid_argument", () => {
    for (const bad of [null, "ffe_flags_enc=ZA==", [], 3]) {
      expect(rejection(bad as unknown as Record<string, unknown>).code).toBe("invalid_argument");
    }
  });
});
