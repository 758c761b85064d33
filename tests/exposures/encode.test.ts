import { describe, expect, test } from "bun:test";
import { flagpostErrorOf } from "../support/errors.ts";
import { encodeExposureContext, encodeExposurePayload } from "../../src/exposures/encode.ts";
import { type ExposureEvent, exposureEvent } from "../../src/exposures/event.ts";
import { generateRecords } from "../../bench/_records.ts";

const decode = (bytes: Uint8Array) => new TextDecoder("utf-8", { fatal: true }).decode(bytes);

const event = (over: Partial<ExposureEvent> = {}): ExposureEvent => ({
  timestamp: 1_700_000_000_000,
  allocation: { key: "alloc" },
  flag: { key: "flag" },
  variant: { key: "on" },
  subject: { id: "user", attributes: { plan: "pro" } },
  ...over,
});

describe("encodeExposurePayload", () => {
  test("the exact body of the design", () => {
    const body = encodeExposurePayload({ service: "svc", env: "prod", version: "1" }, [
      event({ serial_id: 0 }),
      event({ subject: { id: "" } }),
    ]);
    expect(decode(body)).toBe(
      '{"context":{"service":"svc","env":"prod","version":"1"},"exposures":[' +
        '{"timestamp":1700000000000,"allocation":{"key":"alloc"},"flag":{"key":"flag"},"variant":{"key":"on"},' +
        '"subject":{"id":"user","attributes":{"plan":"pro"}},"serial_id":0},' +
        '{"timestamp":1700000000000,"allocation":{"key":"alloc"},"flag":{"key":"flag"},"variant":{"key":"on"},' +
        '"subject":{"id":"","attributes":{}}}]}',
    );
  });

  test("empty or absent context fields are omitted", () => {
    expect(encodeExposureContext({})).toBe("{}");
    expect(encodeExposureContext({ service: "", env: "e", version: undefined })).toBe('{"env":"e"}');
    expect(JSON.parse(decode(encodeExposurePayload({ version: "2" }, [])))).toEqual({ context: { version: "2" }, exposures: [] });
  });

  test("byte-identical to JSON.stringify + TextEncoder of the same (key-ordered) objects, on generated traffic", () => {
    const events: ExposureEvent[] = generateRecords(1000)
      .filter((r) => r.doLog && r.variant !== undefined && r.allocationKey !== undefined)
      .map(exposureEvent);
    const context = { service: 'svc/ä "q"', env: "prod", version: "1.0" };
    const ours = encodeExposurePayload(context, events);
    const floor = new TextEncoder().encode(JSON.stringify({ context, exposures: events }));
    expect(ours).toEqual(floor);
  });

  test("escapes and non-ASCII survive a JSON.parse round trip", () => {
    const tricky = event({
      flag: { key: 'a"b\\c\n\u0001' },
      subject: { id: "Zoë — 日本 😀 </script>", attributes: { 'k"ey': ["\u2028", { deep: -0.5e-7 }] } },
    });
    const parsed = JSON.parse(decode(encodeExposurePayload({ service: "s" }, [tricky])));
    expect(parsed.exposures[0].flag.key).toBe('a"b\\c\n\u0001');
    expect(parsed.exposures[0].subject).toEqual(tricky.subject);
  });

  const bad: Array<[string, () => unknown, string]> = [
    ["context not an object", () => encodeExposurePayload(null as never, []), "context"],
    ["context.env not a string", () => encodeExposurePayload({ env: 1 as unknown as string }, []), "context.env"],
    ["events not an array", () => encodeExposurePayload({}, {} as never), "events"],
    ["empty flag key", () => encodeExposurePayload({}, [event(), event({ flag: { key: "" } })]), "events[1].flag.key"],
    ["timestamp not an integer", () => encodeExposurePayload({}, [event({ timestamp: 1.5 })]), "events[0].timestamp"],
    [
      "subject id not a string",
      () => encodeExposurePayload({}, [event({ subject: { id: 1 as unknown as string } })]),
      "events[0].subject.id",
    ],
    ["serial id not an integer", () => encodeExposurePayload({}, [event({ serial_id: 0.5 })]), "events[0].serial_id"],
    [
      "function attribute",
      () => encodeExposurePayload({}, [event({ subject: { id: "u", attributes: { a: { f: () => 1 } } } })]),
      "events[0].subject.attributes.a.f",
    ],
  ];
  test.each(bad)("rejects, naming the field: %s", (_name, run, field) => {
    const error = flagpostErrorOf(run);
    expect(error.code).toBe("invalid_argument");
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });
});
