import { describe, expect, test } from "bun:test";
import type { FlagEvaluationEntry } from "../../src/flagevaluations/aggregator.ts";
import { encodeFlagEvaluationPayloads, flagEvaluationRowJson } from "../../src/flagevaluations/payload.ts";

const entry = (over: Partial<FlagEvaluationEntry> = {}): FlagEvaluationEntry => ({
  flagKey: "f",
  variant: "on",
  allocation: "a",
  runtimeDefault: false,
  error: undefined,
  targetingKey: "alice",
  context: undefined,
  degraded: false,
  consent: false,
  count: 2,
  first: 10,
  last: 20,
  ...over,
});
const CAPS = { maxEventBytes: 1024 * 1024 - 1024, maxPayloadBytes: 5 * 1024 * 1024 };
const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));

describe("flagEvaluationRowJson", () => {
  test("field order and omissions as dd-trace-js writes them", () => {
    expect(flagEvaluationRowJson(entry({ error: "GENERAL", runtimeDefault: true }), 99, "sha256_x")).toBe(
      '{"timestamp":99,"flag":{"key":"f"},"first_evaluation":10,"last_evaluation":20,"evaluation_count":2,' +
        '"runtime_default_used":true,"variant":{"key":"on"},"allocation":{"key":"a"},"error":{"message":"GENERAL"},"targeting_key":"sha256_x"}',
    );
    expect(JSON.parse(flagEvaluationRowJson(entry({ variant: undefined, allocation: undefined }), 1, undefined))).not.toHaveProperty(
      "variant",
    );
  });
  test("strings are JSON-escaped exactly as JSON.stringify escapes them", () => {
    const tricky = 'quote " backslash \\ newline \n tab \t nul \u0000 snow ☃ emoji 😀 slash /';
    const row = JSON.parse(flagEvaluationRowJson(entry({ flagKey: tricky, variant: tricky }), 1, tricky));
    expect([row.flag.key, row.variant.key, row.targeting_key]).toEqual([tricky, tricky, tricky]);
  });
  test("a context field named __proto__ is sent like any other field", () => {
    const e = entry({ consent: true, context: [["__proto__", "x"], ["plan", "pro"]] });
    const row = JSON.parse(flagEvaluationRowJson(e, 1, "k"));
    expect(Object.keys(row.context.evaluation)).toEqual(["__proto__", "plan"]);
    expect(Object.getOwnPropertyDescriptor(row.context.evaluation, "__proto__")?.value).toBe("x");
  });
  test("context only with consent; degraded rows carry neither subject nor context", () => {
    const consented = entry({ consent: true, context: [["plan", "pro"], ["n", 1]] });
    const parse = (e: FlagEvaluationEntry, key: string | undefined) => JSON.parse(flagEvaluationRowJson(e, 1, key));
    expect(parse(consented, "alice")).toMatchObject({ targeting_key: "alice", context: { evaluation: { plan: "pro", n: 1 } } });
    expect(parse({ ...consented, consent: false }, "sha")).not.toHaveProperty("context");
    const degraded = parse({ ...consented, degraded: true }, "alice");
    expect(degraded).not.toHaveProperty("targeting_key");
    expect(degraded).not.toHaveProperty("context");
  });
});

describe("encodeFlagEvaluationPayloads", () => {
  test("one body with the context and every row", () => {
    const { payloads, tooLarge } = encodeFlagEvaluationPayloads(
      { service: "shop", env: "prod" },
      [entry(), entry({ targetingKey: "bob", count: 1 })],
      7,
      (e) => `h(${e.targetingKey})`,
      CAPS,
    );
    expect(tooLarge).toEqual([]);
    expect(payloads.length).toBe(1);
    expect(payloads[0]!.evaluations).toBe(3);
    const body = decode(payloads[0]!.body);
    expect(body.context).toEqual({ service: "shop", env: "prod" });
    expect(body.flagEvaluations.map((r: { targeting_key: string }) => r.targeting_key)).toEqual(["h(alice)", "h(bob)"]);
  });

  test("bodies never exceed the payload cap; every row lands in exactly one body", () => {
    const entries = Array.from({ length: 500 }, (_, i) => entry({ targetingKey: `user-${i}-${"x".repeat(50)}`, count: i + 1 }));
    const caps = { maxEventBytes: 1000, maxPayloadBytes: 4_000 };
    const { payloads } = encodeFlagEvaluationPayloads({ service: "s" }, entries, 1, (e) => e.targetingKey, caps);
    expect(payloads.length).toBeGreaterThan(10);
    let rows = 0, evaluations = 0;
    for (const p of payloads) {
      expect(p.body.byteLength).toBeLessThanOrEqual(caps.maxPayloadBytes);
      const body = decode(p.body);
      rows += body.flagEvaluations.length;
      for (const r of body.flagEvaluations) evaluations += r.evaluation_count;
      expect(body.flagEvaluations.length).toBe(p.entries.length);
    }
    expect(rows).toBe(500);
    expect(evaluations).toBe((500 * 501) / 2);
  });

  test("a row over the event cap loses subject and context (degraded); if still too large it is refused", () => {
    const caps = { maxEventBytes: 300, maxPayloadBytes: 10_000 };
    const big = entry({ consent: true, targetingKey: "k".repeat(400), count: 4 });
    const hopeless = entry({ flagKey: "f".repeat(400), targetingKey: undefined, count: 3 });
    const { payloads, tooLarge, degradedEvaluations } = encodeFlagEvaluationPayloads(
      { service: "s" },
      [big, hopeless],
      1,
      (e) => e.targetingKey,
      caps,
    );
    expect(degradedEvaluations).toBe(4);
    expect(tooLarge).toEqual([hopeless]);
    const rows = decode(payloads[0]!.body).flagEvaluations;
    expect(rows.length).toBe(1);
    expect(rows[0]).not.toHaveProperty("targeting_key");
    expect(rows[0].evaluation_count).toBe(4);
  });

  test("UTF-8 sizes, not string lengths, bound a body", () => {
    const entries = Array.from({ length: 40 }, (_, i) => entry({ targetingKey: `日本語-${i}-${"☃".repeat(20)}` }));
    const caps = { maxEventBytes: 1000, maxPayloadBytes: 1_500 };
    const { payloads } = encodeFlagEvaluationPayloads({ service: "s" }, entries, 1, (e) => e.targetingKey, caps);
    for (const p of payloads) expect(p.body.byteLength).toBeLessThanOrEqual(1_500);
    expect(payloads.reduce((n, p) => n + p.entries.length, 0)).toBe(40);
  });
});
