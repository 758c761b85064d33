import { describe, expect, test } from "bun:test";
import { resolveConfig } from "../../src/core/config.ts";
import type { EvaluationRecord } from "../../src/core/evaluation.ts";
import { StatsRegistry } from "../../src/core/stats.ts";
import { isWellFormedText } from "../../src/core/text.ts";
import { decodeSpanTags } from "../../src/enrichment/decode-span-tags.ts";
import { SPAN_ENRICHMENT_DROPPED, SPAN_ENRICHMENT_TRUNCATED, SpanEnrichment } from "../../src/enrichment/span-enrichment.ts";
import { SPAN_ENRICHMENT_LIMITS } from "../../src/enrichment/tags.ts";
import { ddTraceTags } from "./_dd-trace-reference.ts";
import { match, runtimeDefault } from "./_records.ts";
import { createHash } from "node:crypto";

/** sha256 hex with node:crypto: an implementation independent of the one under test. */
const sha = (key: string) => createHash("sha256").update(key, "utf8").digest("hex");

async function tagsOf(records: readonly EvaluationRecord[], stats?: StatsRegistry) {
  const enrichment = new SpanEnrichment(stats === undefined ? {} : { stats });
  for (const r of records) enrichment.add(r);
  return { ...(await enrichment.toTags()) };
}

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

describe("SpanEnrichment rules", () => {
  test("nothing added → no tags at all", async () => {
    expect(await tagsOf([])).toEqual({});
    expect(new SpanEnrichment().isEmpty).toBe(true);
  });

  test("serial ids of every evaluation; subjects only for doLog with a non-empty key (same bytes as dd-trace-js)", async () => {
    const records = [match(130), match(100), match(128, "user-123"), match(108, "other"), match(200, "nolog", false), match(5, "")];
    const tags = await tagsOf(records);
    expect(tags).toEqual(ddTraceTags(records));
    const decoded = decodeSpanTags(tags);
    expect(decoded.serialIds).toEqual([5, 100, 108, 128, 130, 200]);
    expect(decoded.subjects).toEqual({ [sha("user-123")]: [100, 128, 130], [sha("other")]: [108] });
    expect(Object.keys(JSON.parse(tags.ffe_subjects_enc!))).toEqual([sha("user-123"), sha("other")]); // first-seen order
  });

  test("serial id 0 is an id; no targeting key means no subject", async () => {
    const tags = await tagsOf([match(0, null)]);
    expect(tags).toEqual({ ffe_flags_enc: "AA==" });
  });

  test("doLog false everywhere → ffe_subjects_enc absent, not {}", async () => {
    const tags = await tagsOf([match(200, "user-no-log", false)]);
    expect("ffe_subjects_enc" in tags).toBe(false);
    expect(decodeSpanTags(tags).serialIds).toEqual([200]);
  });

  test("a record without a variant records a runtime default, first value per flag wins", async () => {
    const records = [runtimeDefault("a", "first"), runtimeDefault("a", "second"), runtimeDefault("b", 3), runtimeDefault("c", false)];
    const tags = await tagsOf(records);
    expect(tags.ffe_runtime_defaults).toBe('{"a":"first","b":"3","c":"false"}');
    expect(tags).toEqual(ddTraceTags(records));
    expect("ffe_flags_enc" in tags).toBe(false);
  });

  test("a record with a serial id but no variant is not a default (dd-trace-js's else-if)", async () => {
    const record = { ...match(7), variant: undefined };
    expect(await tagsOf([record])).toEqual(ddTraceTags([record]));
    expect((await tagsOf([record])).ffe_runtime_defaults).toBeUndefined();
  });

  test("unicode, object, array, null and undefined defaults: exact strings, raw UTF-8 and unescaped /", async () => {
    const records = [
      runtimeDefault("unicode", "héllo-wörld-☃-日本語-Ω"),
      runtimeDefault("object", { a: "/x" }),
      runtimeDefault("array", [1, "/", { b: null }]),
      runtimeDefault("null", null),
      runtimeDefault("undefined", undefined),
    ];
    const tags = await tagsOf(records);
    expect(tags.ffe_runtime_defaults).toBe(
      '{"unicode":"héllo-wörld-☃-日本語-Ω","object":"{\\"a\\":\\"/x\\"}","array":"[1,\\"/\\",{\\"b\\":null}]","null":"null","undefined":"undefined"}',
    );
    expect(tags).toEqual(ddTraceTags(records));
    expect(decodeSpanTags(tags).runtimeDefaults).toEqual({
      unicode: "héllo-wörld-☃-日本語-Ω",
      object: '{"a":"/x"}',
      array: '[1,"/",{"b":null}]',
      null: "null",
      undefined: "undefined",
    });
    // Raw UTF-8 on the wire: no \u escapes.
    expect(tags.ffe_runtime_defaults!.includes("\\u")).toBe(false);
  });

  test("toTags is idempotent, cheap on a second call, and refreshed by a new entry", async () => {
    const enrichment = new SpanEnrichment();
    enrichment.add(match(1, "alice"));
    const first = enrichment.toTags();
    expect(enrichment.toTags()).toBe(first); // same promise: nothing hashed or encoded again
    expect(await first).toEqual(await enrichment.toTags());
    enrichment.add(match(1, "alice")); // duplicate: nothing changes
    expect(enrichment.toTags()).toBe(first);
    enrichment.add(match(2, "alice"));
    const second = enrichment.toTags();
    expect(second).not.toBe(first);
    expect(decodeSpanTags(await second).subjects).toEqual({ [sha("alice")]: [1, 2] });
  });

  test("an add() racing toTags() does not leak into the pending result", async () => {
    const enrichment = new SpanEnrichment();
    enrichment.add(match(1, "alice"));
    const pending = enrichment.toTags();
    enrichment.add(match(2, "bob"));
    expect(decodeSpanTags(await pending)).toEqual({ serialIds: [1], subjects: { [sha("alice")]: [1] }, runtimeDefaults: {} });
    expect(decodeSpanTags(await enrichment.toTags()).serialIds).toEqual([1, 2]);
  });
});

describe("one accumulator per root span", () => {
  test("two interleaved accumulators never see each other's entries; a fresh one starts empty", async () => {
    const a = new SpanEnrichment();
    const b = new SpanEnrichment();
    const recordsA = [match(1, "alice"), runtimeDefault("fa", "x"), match(3, "alice")];
    const recordsB = [match(2, "bob"), runtimeDefault("fb", "y"), match(4, "carol")];
    for (let i = 0; i < 3; i++) {
      a.add(recordsA[i]!);
      await Promise.resolve(); // interleave across microtasks, as two requests in one isolate do
      b.add(recordsB[i]!);
    }
    const [tagsA, tagsB] = await Promise.all([a.toTags(), b.toTags()]);
    expect(tagsA).toEqual(await tagsOf(recordsA));
    expect(tagsB).toEqual(await tagsOf(recordsB));
    expect(decodeSpanTags(tagsA).serialIds).toEqual([1, 3]);
    expect(decodeSpanTags(tagsB).serialIds).toEqual([2, 4]);
    const fresh = new SpanEnrichment();
    expect(fresh.isEmpty).toBe(true);
    expect(await fresh.toTags()).toEqual({});
  });

  test("caps are per accumulator: one span at its caps does not limit the next", async () => {
    const full = new SpanEnrichment();
    for (const id of range(250)) full.add(match(id));
    const next = new SpanEnrichment();
    next.add(match(999));
    expect(decodeSpanTags(await next.toTags()).serialIds).toEqual([999]);
  });
});

describe("gate", () => {
  test("off by default: forConfig creates nothing", () => {
    expect(SpanEnrichment.forConfig(resolveConfig({}))).toBeUndefined();
    expect(SpanEnrichment.forConfig(resolveConfig({ DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED: "false" }))).toBeUndefined();
  });
  test("on: forConfig creates an empty accumulator that uses the given stats", () => {
    const stats = new StatsRegistry();
    const config = resolveConfig({ DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED: "true" });
    const enrichment = SpanEnrichment.forConfig(config, { stats });
    expect(enrichment).toBeInstanceOf(SpanEnrichment);
    expect(enrichment!.isEmpty).toBe(true);
    expect(enrichment!.stats).toBe(stats);
  });
  test("off: the documented caller pattern `enrichment?.add(record)` never reads the record", () => {
    const enrichment = SpanEnrichment.forConfig({ spanEnrichmentEnabled: false });
    let reads = 0;
    const record = new Proxy(match(1), {
      get(target, key) {
        reads++;
        return Reflect.get(target, key);
      },
    });
    enrichment?.add(record);
    expect(reads).toBe(0);
  });
});

describe("limits at N−1, N and N+1 match dd-trace-js", () => {
  const L = SPAN_ENRICHMENT_LIMITS;

  for (const n of [L.maxSerialIds - 1, L.maxSerialIds, L.maxSerialIds + 1]) {
    test(`${n} serial ids (cap ${L.maxSerialIds}), no subjects`, async () => {
      const stats = new StatsRegistry();
      const records = range(n).map((id) => match(id, null));
      const tags = await tagsOf(records, stats);
      expect(tags).toEqual(ddTraceTags(records));
      expect(decodeSpanTags(tags).serialIds).toEqual(range(Math.min(n, L.maxSerialIds)));
      expect(stats.get(SPAN_ENRICHMENT_DROPPED, "serial_id_limit")).toBe(Math.max(0, n - L.maxSerialIds));
    });
  }

  for (const n of [L.maxSubjects - 1, L.maxSubjects, L.maxSubjects + 1]) {
    test(`${n} subjects (cap ${L.maxSubjects})`, async () => {
      const stats = new StatsRegistry();
      const records = range(n, 0).map((i) => match(108, `subject-${String(i).padStart(3, "0")}`));
      const tags = await tagsOf(records, stats);
      expect(tags).toEqual(ddTraceTags(records));
      const kept = range(Math.min(n, L.maxSubjects), 0).map((i) => sha(`subject-${String(i).padStart(3, "0")}`));
      expect(Object.keys(decodeSpanTags(tags).subjects)).toEqual(kept);
      expect(stats.get(SPAN_ENRICHMENT_DROPPED, "subject_limit")).toBe(Math.max(0, n - L.maxSubjects));
    });
  }

  for (const n of [L.maxIdsPerSubject - 1, L.maxIdsPerSubject, L.maxIdsPerSubject + 1]) {
    test(`${n} ids for one subject (cap ${L.maxIdsPerSubject}); the global list keeps all`, async () => {
      const stats = new StatsRegistry();
      const records = range(n).map((id) => match(id, "single-subject-limit-test"));
      const tags = await tagsOf(records, stats);
      expect(tags).toEqual(ddTraceTags(records));
      const decoded = decodeSpanTags(tags);
      expect(decoded.serialIds).toEqual(range(n));
      expect(decoded.subjects[sha("single-subject-limit-test")]).toEqual(range(Math.min(n, L.maxIdsPerSubject)));
      expect(stats.get(SPAN_ENRICHMENT_DROPPED, "subject_id_limit")).toBe(Math.max(0, n - L.maxIdsPerSubject));
    });
  }

  for (const n of [L.maxRuntimeDefaults - 1, L.maxRuntimeDefaults, L.maxRuntimeDefaults + 1]) {
    test(`${n} runtime defaults (cap ${L.maxRuntimeDefaults})`, async () => {
      const stats = new StatsRegistry();
      const records = range(n, 0).map((i) => runtimeDefault(`nonexistent-flag-${i}`, `default-${i}`));
      const tags = await tagsOf(records, stats);
      expect(tags).toEqual(ddTraceTags(records));
      expect(Object.keys(decodeSpanTags(tags).runtimeDefaults)).toEqual(
        range(Math.min(n, L.maxRuntimeDefaults), 0).map((i) => `nonexistent-flag-${i}`),
      );
      expect(stats.get(SPAN_ENRICHMENT_DROPPED, "runtime_default_limit")).toBe(Math.max(0, n - L.maxRuntimeDefaults));
    });
  }

  for (const n of [L.maxDefaultValueLength - 1, L.maxDefaultValueLength, L.maxDefaultValueLength + 1]) {
    test(`a default value of ${n} characters (cap ${L.maxDefaultValueLength})`, async () => {
      const stats = new StatsRegistry();
      const records = [runtimeDefault("long", "x".repeat(n))];
      const tags = await tagsOf(records, stats);
      expect(tags).toEqual(ddTraceTags(records));
      expect(decodeSpanTags(tags).runtimeDefaults.long).toBe("x".repeat(Math.min(n, L.maxDefaultValueLength)));
      expect(stats.get(SPAN_ENRICHMENT_TRUNCATED)).toBe(n > L.maxDefaultValueLength ? 1 : 0);
    });
  }

  test("duplicates at a cap are not drops (an id or subject already kept stays free)", async () => {
    const stats = new StatsRegistry();
    const records = [...range(200).map((id) => match(id, null)), match(5, "alice"), match(5, "alice")];
    const tags = await tagsOf(records, stats);
    expect(decodeSpanTags(tags).subjects).toEqual({ [sha("alice")]: [5] });
    expect(stats.get(SPAN_ENRICHMENT_DROPPED)).toBe(0);
  });
});

describe("the three dd-trace-js defects (tests dd-trace-js fails)", () => {
  test("a subject is not given an id that the 200 cap refused", async () => {
    const records = [...range(200).map((id) => match(id, null)), match(201, "late-user")];
    const check = (tags: Record<string, string>) => {
      const decoded = decodeSpanTags(tags);
      const all = new Set(decoded.serialIds);
      return Object.values(decoded.subjects).flat().every((id) => all.has(id));
    };
    const ours = await tagsOf(records);
    expect(check(ours)).toBe(true);
    expect(ours.ffe_subjects_enc).toBeUndefined();
    // dd-trace-js records the subject with id 201, which ffe_flags_enc does not hold.
    expect(check(ddTraceTags(records))).toBe(false);
  });

  test("truncation never splits a surrogate pair (an emoji straddling positions 63–64)", async () => {
    const value = "a".repeat(63) + "😀" + "tail"; // the emoji's halves are code units 63 and 64
    const records = [runtimeDefault("emoji", value)];
    const ours = decodeSpanTags(await tagsOf(records)).runtimeDefaults.emoji!;
    expect(ours).toBe("a".repeat(63));
    expect(isWellFormedText(ours)).toBe(true);
    // dd-trace-js keeps half the emoji, which JSON.stringify writes as an escaped lone surrogate.
    const theirs = ddTraceTags(records).ffe_runtime_defaults!;
    expect(theirs.includes("\\ud83d")).toBe(true);
    expect(isWellFormedText(JSON.parse(theirs).emoji)).toBe(false);
    // An emoji that ends exactly at 64 is kept whole.
    const fits = "a".repeat(62) + "😀" + "tail";
    expect(decodeSpanTags(await tagsOf([runtimeDefault("emoji", fits)])).runtimeDefaults.emoji).toBe("a".repeat(62) + "😀");
  });

  test("serial ids at or above 2^32 encode correctly", async () => {
    const ids = [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 40, Number.MAX_SAFE_INTEGER];
    const records = ids.map((id) => match(id, "big"));
    const ours = decodeSpanTags(await tagsOf(records));
    expect(ours.serialIds).toEqual(ids);
    expect(ours.subjects[sha("big")]).toEqual(ids);
    expect(decodeSpanTags(await tagsOf([match(2 ** 32, null)]))).toEqual({ serialIds: [2 ** 32], subjects: {}, runtimeDefaults: {} });
    // dd-trace-js writes 2^32 as "gAA=" (it decodes to 0).
    const theirs = ddTraceTags([match(2 ** 32, null)]);
    expect(theirs.ffe_flags_enc).toBe("gAA=");
    expect(decodeSpanTags(theirs).serialIds).toEqual([0]);
  });
});

describe("add() never throws; every input is kept or counted", () => {
  test("malformed records are counted as invalid", async () => {
    const stats = new StatsRegistry();
    const enrichment = new SpanEnrichment({ stats });
    const bad: unknown[] = [
      { ...match(1), serialId: -1 },
      { ...match(1), serialId: 1.5 },
      { ...match(1), serialId: Number.NaN },
      { ...match(1), serialId: "7" },
      { ...match(1), serialId: 2 ** 53 },
      { ...runtimeDefault("f", 1), flagKey: 42 },
      runtimeDefault("bigint", { n: 1n }),
      runtimeDefault(
        "cycle",
        (() => {
          const o: Record<string, unknown> = {};
          o.self = o;
          return o;
        })(),
      ),
      runtimeDefault("tojson", { toJSON: () => undefined }),
      null,
      undefined,
      42,
    ];
    for (const r of bad) expect(() => enrichment.add(r as EvaluationRecord)).not.toThrow();
    expect(stats.get(SPAN_ENRICHMENT_DROPPED, "invalid")).toBe(bad.length);
    expect(await enrichment.toTags()).toEqual({});
  });

  test("a throwing getter on the record is contained", () => {
    const stats = new StatsRegistry();
    const enrichment = new SpanEnrichment({ stats });
    const record = Object.defineProperty({ ...match(1) }, "serialId", {
      get() {
        throw new Error("boom");
      },
    });
    expect(() => enrichment.add(record)).not.toThrow();
    expect(stats.get(SPAN_ENRICHMENT_DROPPED, "invalid")).toBe(1);
  });

  test("invariant: every evaluation is represented in the tags or counted under a reason", async () => {
    const stats = new StatsRegistry();
    const enrichment = new SpanEnrichment({ stats });
    const records: EvaluationRecord[] = [];
    for (let i = 0; i < 400; i++) records.push(match(i % 230, `user-${i % 13}`, i % 3 !== 0));
    for (let i = 0; i < 9; i++) records.push(runtimeDefault(`missing-${i}`, i));
    for (const r of records) enrichment.add(r);
    const decoded = decodeSpanTags(await enrichment.toTags());
    const ids = new Set(decoded.serialIds);
    const hashed = new Map(range(13, 0).map((i) => [sha(`user-${i}`), `user-${i}`]));
    const subjectIds = new Map(Object.entries(decoded.subjects).map(([h, list]) => [hashed.get(h)!, new Set(list)]));
    let unrepresented = 0;
    for (const r of records) {
      if (r.serialId === undefined) {
        if (!(r.flagKey in decoded.runtimeDefaults)) unrepresented++;
        continue;
      }
      if (!ids.has(r.serialId)) unrepresented++;
      else if (r.doLog && !subjectIds.get(r.targetingKey!)?.has(r.serialId)) unrepresented++;
    }
    // Each unrepresented evaluation was counted once (duplicates of a dropped entry are counted again, as drops).
    expect(unrepresented).toBe(stats.get(SPAN_ENRICHMENT_DROPPED));
    expect(unrepresented).toBeGreaterThan(0);
  });
});

describe("differential: random traffic gives dd-trace-js's exact tags", () => {
  test("500 seeded spans", async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let span = 0; span < 500; span++) {
      const records: EvaluationRecord[] = [];
      const n = Math.floor(random() * 260);
      for (let i = 0; i < n; i++) {
        const roll = random();
        if (roll < 0.1) {
          records.push(
            runtimeDefault(`flag-${Math.floor(random() * 8)}`, random() < 0.5 ? "x".repeat(Math.floor(random() * 80)) : { v: i }),
          );
        } else {
          // Stay below the 200 cap for subject-bearing ids, where dd-trace-js's defect would differ on purpose.
          const id = Math.floor(random() * (random() < 0.5 ? 300 : 2 ** 31));
          records.push(match(id, `u${Math.floor(random() * 14)}`, random() < 0.6 && n < 150));
        }
      }
      expect(await tagsOf(records)).toEqual(ddTraceTags(records));
    }
  });
});
