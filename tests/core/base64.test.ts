/** base64: agrees with the platform's btoa/atob, and rejects malformed input with a FlagpostError naming the field. */
import { describe, expect, test } from "bun:test";
import { decodeBase64, encodeBase64 } from "../../src/core/base64.ts";
import { FlagpostError } from "../../src/core/errors.ts";

describe("base64", () => {
  test("matches the platform's btoa for every length 0..64", () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      const expected = btoa(String.fromCharCode(...bytes));
      expect(encodeBase64(bytes)).toBe(expected);
      expect([...decodeBase64(expected)]).toEqual([...bytes]);
    }
  });
  test("rejects bad length, bad characters, misplaced padding and non-canonical bits", () => {
    for (const bad of ["abc", "ab=c", "a===", "ZA-U", "ZAgUAg=h", "ZB=="]) {
      expect(() => decodeBase64(bad)).toThrow(FlagpostError);
    }
    try {
      decodeBase64("abc", "ffe_flags_enc");
      throw new Error("unreachable");
    } catch (e) {
      expect(e).toBeInstanceOf(FlagpostError);
      expect((e as FlagpostError).code).toBe("invalid_encoding");
      expect((e as FlagpostError).field).toBe("ffe_flags_enc");
      expect((e as FlagpostError).message).toContain("multiple of 4");
    }
  });
});
