import { describe, expect, test } from "bun:test";
import { exposureEvent, exposureFromRecord, wireEvent } from "../../src/exposures/event.ts";
import { record, T0 } from "./helpers.ts";

describe("exposureFromRecord", () => {
  test("a logged evaluation becomes the wire event", () => {
    expect(exposureFromRecord(record())).toEqual({
      timestamp: T0,
      allocation: { key: "beta-users" },
      flag: { key: "new-checkout" },
      variant: { key: "on" },
      subject: { id: "user-1", attributes: { plan: "pro" } },
      serial_id: 42,
    });
  });

  test("not logged: doLog false, no variant, no allocation", () => {
    expect(exposureFromRecord(record({ doLog: false }))).toEqual({ status: "not_logged", reason: "do_log_false" });
    expect(exposureFromRecord(record({ variant: undefined }))).toEqual({ status: "not_logged", reason: "no_variant" });
    expect(exposureFromRecord(record({ allocationKey: undefined }))).toEqual({ status: "not_logged", reason: "no_allocation" });
    // A truthy non-boolean doLog is not "true".
    expect(exposureFromRecord(record({ doLog: 1 as unknown as boolean }))).toMatchObject({ status: "not_logged" });
  });

  test('an empty or absent targeting key is the subject id ""', () => {
    expect(exposureFromRecord(record({ targetingKey: "" }))).toMatchObject({ subject: { id: "" } });
    expect(exposureFromRecord(record({ targetingKey: undefined }))).toMatchObject({ subject: { id: "" } });
  });

  test("serial id 0 is kept; none is absent", () => {
    expect(exposureFromRecord(record({ serialId: 0 }))).toMatchObject({ serial_id: 0 });
    expect((exposureFromRecord(record({ serialId: undefined })) as { serial_id?: number }).serial_id).toBeUndefined();
  });

  const invalidCases: Array<[string, Partial<Parameters<typeof record>[0]>, string]> = [
    ["empty flag key", { flagKey: "" }, "flag_key"],
    ["non-string flag key", { flagKey: 7 as unknown as string }, "flag_key"],
    ["empty allocation key", { allocationKey: "" }, "allocation_key"],
    ["empty variant key", { variant: "" }, "variant_key"],
    ["lone surrogate in a flag key", { flagKey: "f\uD800" }, "flag_key"],
    ["fractional timestamp", { timestamp: T0 + 0.5 }, "timestamp"],
    ["timestamp in seconds", { timestamp: 1_700_000_000 }, "timestamp"],
    ["NaN timestamp", { timestamp: NaN }, "timestamp"],
    ["non-string targeting key", { targetingKey: 12 as unknown as string }, "subject_id"],
    ["fractional serial id", { serialId: 1.5 }, "serial_id"],
    ["serial id beyond i32", { serialId: 2 ** 31 }, "serial_id"],
    ["array attributes", { attributes: [] as unknown as Record<string, unknown> }, "attributes"],
    ["function attribute", { attributes: { f: () => 1 } }, "attribute_function"],
    ["symbol attribute", { attributes: { s: Symbol("x") } }, "attribute_symbol"],
    ["bigint attribute", { attributes: { b: 1n } }, "attribute_bigint"],
    ["NaN attribute", { attributes: { n: NaN } }, "attribute_non_finite"],
    ["Infinity deep inside", { attributes: { a: [{ b: -Infinity }] } }, "attribute_non_finite"],
    ["lone surrogate value", { attributes: { s: "a\uDC00b" } }, "attribute_lone_surrogate"],
    ["lone surrogate key", { attributes: { ["k\uD83D"]: 1 } }, "attribute_lone_surrogate"],
    ["Date", { attributes: { d: new Date(0) } }, "attribute_not_plain"],
    ["Map", { attributes: { m: new Map() } }, "attribute_not_plain"],
    ["array hole", { attributes: { a: [1, , 3] } }, "attribute_undefined"],
    ["undefined in array", { attributes: { a: [undefined] } }, "attribute_undefined"],
  ];
  test.each(invalidCases)("invalid: %s", (_name, over, reason) => {
    const out = exposureFromRecord(record(over));
    expect(out).toMatchObject({ status: "invalid", reason });
    expect((out as { detail: string }).detail).toMatch(/: /);
  });

  test("cycles are rejected; a shared (acyclic) reference is fine", () => {
    const cyclic: Record<string, unknown> = { a: {} };
    (cyclic.a as Record<string, unknown>).back = cyclic;
    expect(exposureFromRecord(record({ attributes: cyclic }))).toMatchObject({ status: "invalid", reason: "attribute_cycle" });
    const shared = { x: 1 };
    expect(exposureFromRecord(record({ attributes: { a: shared, b: [shared, shared] } }))).toMatchObject({
      subject: { attributes: { a: shared, b: [shared, shared] } },
    });
  });

  test("nesting is bounded (no stack overflow on hostile depth)", () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(exposureFromRecord(record({ attributes: deep }))).toMatchObject({ status: "invalid", reason: "attribute_too_deep" });
  });

  test("undefined properties are absent (as in JSON); null, nested objects, well-formed astral characters are kept", () => {
    const attributes = { u: undefined, n: null, nested: { list: [1, "two", true, null] }, emoji: "😀", obj: Object.create(null) };
    expect(exposureFromRecord(record({ attributes }))).toMatchObject({ subject: { attributes } });
  });

  test("symbol keys and non-enumerable properties are not JSON and are not looked at (as JSON.stringify)", () => {
    const attributes: Record<string, unknown> = { [Symbol("k")]: () => 1, plan: "pro" };
    Object.defineProperty(attributes, "hidden", { value: () => 1, enumerable: false });
    expect(exposureFromRecord(record({ attributes }))).toMatchObject({ subject: { attributes: { plan: "pro" } } });
  });

  test("never throws for hostile input", () => {
    const throwing = {
      get flagKey(): string {
        throw new Error("x");
      },
      doLog: true,
      variant: "v",
      allocationKey: "a",
    };
    expect(exposureFromRecord(throwing as never)).toMatchObject({ status: "invalid", reason: "record" });
    expect(exposureFromRecord(undefined as never)).toMatchObject({ status: "invalid", reason: "record" });
    const attrGetter = {
      get boom(): string {
        throw new Error("x");
      },
    };
    expect(exposureFromRecord(record({ attributes: attrGetter }))).toMatchObject({ status: "invalid", reason: "record" });
  });
});

describe("wireEvent (what the writer builds at flush from the fields it queued)", () => {
  test("is exposureEvent of the record: wire key order, attributes {} when absent, serial_id omitted when none", () => {
    const r = record({ serialId: undefined, attributes: undefined as unknown as Record<string, unknown> });
    const event = wireEvent(T0, "beta-users", "new-checkout", "on", "user-1", undefined, undefined);
    expect(JSON.stringify(event)).toBe(JSON.stringify(exposureEvent(r)));
    expect(JSON.stringify(event)).toBe(
      `{"timestamp":${T0},"allocation":{"key":"beta-users"},"flag":{"key":"new-checkout"},"variant":{"key":"on"},"subject":{"id":"user-1","attributes":{}}}`,
    );
    expect(Object.keys(wireEvent(T0, "a", "f", "v", "", { x: 1 }, 0))).toEqual([
      "timestamp",
      "allocation",
      "flag",
      "variant",
      "subject",
      "serial_id",
    ]);
  });
});
