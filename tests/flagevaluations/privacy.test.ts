import { describe, expect, test } from "bun:test";
import {
  ALLOWED_ERROR_CODES,
  hashedTargetingKey,
  optionalKey,
  protectedErrorCode,
  wellFormedKey,
} from "../../src/flagevaluations/privacy.ts";
import { spanEnrichmentVectors } from "../support/data.ts";

describe("privacy rules", () => {
  test("error codes: allow-listed ones pass, anything else is GENERAL, absence is no error", () => {
    for (const code of ALLOWED_ERROR_CODES) expect(protectedErrorCode(code)).toBe(code);
    expect(ALLOWED_ERROR_CODES.length).toBe(8);
    for (const code of ["flag_not_found", "my error: user@example.com", 42, {}]) expect(protectedErrorCode(code)).toBe("GENERAL");
    for (const none of [undefined, null, ""]) expect(protectedErrorCode(none)).toBeUndefined();
  });

  test("targeting keys hash as sha256_<hex of UTF-8>; the empty key stays empty", async () => {
    for (const { key, sha256 } of spanEnrichmentVectors().subjectHashes) {
      expect(await hashedTargetingKey(key)).toBe(key === "" ? "" : `sha256_${sha256}`);
    }
    expect(await hashedTargetingKey("alice")).toBe("sha256_2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90");
    expect(await hashedTargetingKey("")).toBe("");
  });

  test("optional dimensions drop empty and malformed text; keys keep the empty string", () => {
    expect([optionalKey("on"), optionalKey(""), optionalKey("\ud800"), optionalKey(1)]).toEqual(["on", undefined, undefined, undefined]);
    expect([wellFormedKey(""), wellFormedKey("k"), wellFormedKey("\udfff"), wellFormedKey(null)]).toEqual(["", "k", undefined, undefined]);
  });
});
