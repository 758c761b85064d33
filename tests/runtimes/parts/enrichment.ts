/**
 * Span enrichment on every runtime: the same sequence of evaluations gives
 * the same three tag strings (SHA-256 through each runtime's Web Crypto,
 * raw UTF-8 JSON, ids ≥ 2^32, a surrogate pair at the 64-character cut),
 * two interleaved accumulators stay apart, the gate creates nothing when off,
 * and decodeSpanTags inverts the tags.
 */
import type { EvaluationRecord } from "../../../mod.ts";
import { evaluationRecord } from "../../support/records.ts";
import type { ScenarioPart } from "../types.ts";

function record(o: Partial<EvaluationRecord>): EvaluationRecord {
  return evaluationRecord({
    flagKey: "flag",
    allocationKey: "allocation",
    serialId: undefined,
    targetingKey: undefined,
    attributes: {},
    ...o,
  });
}

const missing = (flagKey: string, value: unknown) =>
  record({ flagKey, variant: undefined, value, reason: "ERROR", errorCode: "FLAG_NOT_FOUND", allocationKey: undefined, doLog: false });

/** The evaluations of one request, in order. */
const SEQUENCE: EvaluationRecord[] = [
  record({ serialId: 130, targetingKey: "user-123" }),
  record({ serialId: 100, targetingKey: "user-123" }),
  record({ serialId: 128, targetingKey: "user-123" }),
  record({ serialId: 108, targetingKey: "user-123" }),
  record({ serialId: 2 ** 32, targetingKey: "alice" }),
  record({ serialId: 200, targetingKey: "alice", doLog: false }),
  record({ serialId: 0, targetingKey: "日本語" }),
  record({ serialId: 7, targetingKey: "" }),
  missing("unicode", "héllo-wörld-☃-日本語-Ω"),
  missing("object", { a: "/x" }),
  missing("emoji", "a".repeat(63) + "😀tail"),
  missing("long", "x".repeat(100)),
  missing("unicode", "second value loses"),
];

export const part: ScenarioPart = {
  name: "enrichment",

  async run({ modules: { flagpost } }) {
    const out: Record<string, unknown> = {};
    const { SpanEnrichment, resolveConfig, decodeSpanTags } = flagpost;
    out["gate.off"] = SpanEnrichment.forConfig(resolveConfig({})) === undefined;
    const config = resolveConfig({ DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED: "true" });
    const enrichment = SpanEnrichment.forConfig(config);
    if (enrichment === undefined) throw new Error("gate on created nothing");
    for (const r of SEQUENCE) enrichment.add(r);
    const tags = await enrichment.toTags();
    out["tags"] = tags;
    out["tags.idempotent"] = (await enrichment.toTags()) === tags;
    out["decoded"] = decodeSpanTags(tags);

    // Two requests interleaved in one isolate, each with its own accumulator.
    const a = new SpanEnrichment();
    const b = new SpanEnrichment();
    for (let i = 0; i < 4; i++) {
      a.add(record({ serialId: 10 + i, targetingKey: "alice" }));
      await Promise.resolve();
      b.add(record({ serialId: 20 + i, targetingKey: "user-123" }));
    }
    const [ta, tb] = await Promise.all([a.toTags(), b.toTags()]);
    out["interleaved"] = [decodeSpanTags(ta), decodeSpanTags(tb)];
    out["fresh"] = await new SpanEnrichment().toTags();
    return out;
  },

  expected(inputs) {
    const hash = (key: string) => inputs.spanEnrichment.subjectHashes.find((h) => h.key === key)!.sha256;
    const user = hash("user-123");
    const alice = hash("alice");
    const nihongo = hash("日本語");
    return {
      "gate.off": true,
      tags: {
        // ids 0, 7, 100, 108, 128, 130, 200, 2^32
        ffe_flags_enc: "AAddCBQCRrj+//8P", // checked with an independent Python encoder
        ffe_subjects_enc: `{"${user}":"ZAgUAg==","${alice}":"gICAgBA=","${nihongo}":"AA=="}`,
        ffe_runtime_defaults: `{"unicode":"héllo-wörld-☃-日本語-Ω","object":"{\\"a\\":\\"/x\\"}","emoji":"${"a".repeat(63)}","long":"${
          "x".repeat(64)
        }"}`,
      },
      "tags.idempotent": true,
      decoded: {
        serialIds: [0, 7, 100, 108, 128, 130, 200, 2 ** 32],
        subjects: { [user]: [100, 108, 128, 130], [alice]: [2 ** 32], [nihongo]: [0] },
        runtimeDefaults: { unicode: "héllo-wörld-☃-日本語-Ω", object: '{"a":"/x"}', emoji: "a".repeat(63), long: "x".repeat(64) },
      },
      interleaved: [
        { serialIds: [10, 11, 12, 13], subjects: { [alice]: [10, 11, 12, 13] }, runtimeDefaults: {} },
        { serialIds: [20, 21, 22, 23], subjects: { [user]: [20, 21, 22, 23] }, runtimeDefaults: {} },
      ],
      fresh: {},
    };
  },
};
