/** The exposure payload validator (mock-agent/decode/exposures.ts); how the intake records its problems is in handlers/evp.test.ts. */
import { describe, expect, test } from "bun:test";
import { validateExposurePayload } from "../../../mock-agent/decode/exposures.ts";
import { EXPOSURE } from "../helpers.ts";

describe("validateExposurePayload: serial_id", () => {
  const exposure = (over: Record<string, unknown>) => ({
    context: { service: "s" },
    exposures: [{
      timestamp: 1_700_000_000_000,
      allocation: { key: "a" },
      flag: { key: "f" },
      variant: { key: "v" },
      subject: { id: "u", attributes: {} },
      ...over,
    }],
  });
  test("an integer serial_id (0 included) is part of the wire format; anything else is named", () => {
    expect(validateExposurePayload(exposure({ serial_id: 0 }))).toEqual([]);
    expect(validateExposurePayload(exposure({ serial_id: 340132 }))).toEqual([]);
    expect(validateExposurePayload(exposure({ serial_id: "7" }))).toEqual([
      "exposures[0].serial_id: must be an integer when present, got string",
    ]);
    expect(validateExposurePayload(exposure({ serial_id: 1.5 }))).toEqual([
      "exposures[0].serial_id: must be an integer when present, got number",
    ]);
  });
});

describe("validateExposurePayload", () => {
  test("validateExposurePayload names each field and rule", () => {
    expect(validateExposurePayload([])).toEqual(["payload: must be a JSON object, got array"]);
    expect(validateExposurePayload({ context: {}, exposures: [] })).toEqual(["exposures: must not be empty"]);
    expect(validateExposurePayload({ context: {}, exposures: [{ ...EXPOSURE, flag: { key: "" }, variant: {} }] })).toEqual([
      "exposures[0].flag.key: must not be empty",
      "exposures[0].variant.key: must be a string, got undefined",
    ]);
    expect(validateExposurePayload({ context: { service: "s" }, exposures: [{ ...EXPOSURE, subject: { id: "", attributes: {} } }] }))
      .toEqual([]);
  });
});
