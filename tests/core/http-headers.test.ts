import { describe, expect, test } from "bun:test";
import { FlagpostError } from "../../src/core/errors.ts";
import { checkRequestHeader, checkRequestHeaders, FORBIDDEN_REQUEST_HEADERS, isSecretHeaderName } from "../../src/core/http-headers.ts";

function rejection(fn: () => unknown): FlagpostError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FlagpostError) return e;
    throw e;
  }
  throw new Error("expected a FlagpostError");
}

describe("checkRequestHeader", () => {
  test("CR, LF, NUL and other controls in a value are refused, naming the field and header", () => {
    for (const value of ["a\r\nHost: evil", "a\nb", "a\0b", "a\x7fb"]) {
      const e = rejection(() => checkRequestHeader("OTEL_EXPORTER_OTLP_HEADERS", "x-team", value));
      expect(e.code).toBe("invalid_config");
      expect(e.field).toBe("OTEL_EXPORTER_OTLP_HEADERS");
      expect(e.message).toContain("header x-team has a control character");
    }
    checkRequestHeader("f", "x-team", "tab\tis fine");
  });

  test("the headers fetch and the protocol own are refused in any case", () => {
    for (const name of FORBIDDEN_REQUEST_HEADERS) {
      for (const spelled of [name, name.toUpperCase()]) {
        expect(rejection(() => checkRequestHeader("f", spelled, "1")).message).toContain("cannot be configured");
      }
    }
  });

  test("a secret value is never quoted in the message", () => {
    const e = rejection(() => checkRequestHeader("headers", "DD-API-KEY", "supersecret\n", "invalid_argument"));
    expect(e.code).toBe("invalid_argument");
    expect(e.message).not.toContain("supersecret");
  });

  test("names must be HTTP tokens", () => {
    expect(rejection(() => checkRequestHeader("f", "bad name", "v")).message).toContain("is not a valid HTTP token");
  });
});

describe("checkRequestHeaders / isSecretHeaderName", () => {
  test("copies a valid record; refuses a non-object", () => {
    expect(checkRequestHeaders("h", { a: "1" })).toEqual({ a: "1" });
    expect(checkRequestHeaders("h", undefined)).toEqual({});
    expect(rejection(() => checkRequestHeaders("h", "a=1" as unknown as Record<string, string>)).field).toBe("h");
  });

  test("secret header names", () => {
    expect(["Authorization", "DD-API-KEY", "x-client-token", "cookie", "x-secret"].every(isSecretHeaderName)).toBe(true);
    expect(isSecretHeaderName("content-type")).toBe(false);
  });
});
