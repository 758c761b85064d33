/**
 * Datadog's system-tests span-enrichment cases (tests/data/system-tests/,
 * signal "span_enrichment": 13 parametric + 5 unit), run against flagpost.
 *
 * Per case: flags are evaluated by `FlagpostProvider` (flagpost's UFC
 * evaluator) whose `onEvaluation` gives the real `EvaluationRecord`s; each
 * request is one root span with its own `SpanEnrichment` (created through the
 * gate from the case's env); every evaluation (in the root or, for
 * `evaluate_in: "child"`, with the child span active) adds to the root's
 * accumulator; the finished trace goes to an in-process mock agent as a
 * msgpack v0.4 payload written by @msgpack/msgpack; and the case's
 * expectations are checked over what the agent received (`/test/traces`)
 * by the shared interpreter (tests/support/system-tests.ts). Paths with the
 * span-enrichment functions (`decode(…)`, `json(…)`, `encode(…)`, …) are
 * evaluated here first. `derived` values (exact strings the Python test
 * does not assert) are checked separately and labelled as derived.
 */
import { describe, expect, test } from "bun:test";
import { encode } from "@msgpack/msgpack";
import { createMockAgent } from "../../mock-agent/mod.ts";
import { resolveConfig } from "../../src/core/config.ts";
import { decodeSerialIds, encodeSerialIds } from "../../src/enrichment/serial-ids.ts";
import { SpanEnrichment } from "../../src/enrichment/span-enrichment.ts";
import { FlagpostProvider } from "../../src/openfeature/provider.ts";
import {
  caseEnv,
  checkExpectation,
  evaluateCase,
  type Expectation,
  loadCases,
  type SystemTestCase,
  ufcOf,
} from "../support/system-tests.ts";
import { readDataJson } from "../support/data.ts";

interface SpanSpec {
  root: { name: string; service: string };
  child?: { name: string; service: string; parent: "root" };
  evaluate_in: "root" | "child";
}

const cases = loadCases("span_enrichment");
const sharedConfigs = readDataJson<{ configs: Record<string, { ufc: object }> }>("system-tests/cases.json").configs;

/** The case's UFC: `{"ref": name}` points into cases.json's shared configs; the other forms are the shared reader's. */
const configOf = (config: unknown) =>
  typeof config === "object" && config !== null && "ref" in config ? sharedConfigs[(config as { ref: string }).ref]!.ufc : ufcOf(config);

interface Observed {
  traces: Array<Array<Record<string, unknown>>>;
  root_span: Record<string, unknown> | undefined;
}

/** Runs the case's requests and returns what the mock agent received. */
async function run(c: SystemTestCase): Promise<Observed> {
  const config = resolveConfig(caseEnv(c));
  let active: SpanEnrichment | undefined; // the accumulator of the root span being served
  const initial = configOf(c.config);
  const provider = new FlagpostProvider({
    ...(initial === undefined ? {} : { configuration: initial }),
    onEvaluation: (record) => active?.add(record),
  });
  const agent = createMockAgent();
  let spanId = 1n;
  const traces: unknown[][] = [];
  for (const [i, request] of c.requests.entries()) {
    const span = request.span as SpanSpec;
    // One root span → one accumulator, made through the gate.
    const enrichment = SpanEnrichment.forConfig(config);
    if (enrichment === undefined) throw new Error(`${c.id}: the case's env must enable span enrichment`);
    const traceId = BigInt(1000 + i);
    const root = { span_id: spanId++, parent_id: 0n, ...span.root };
    const spans: Array<{ span_id: bigint; parent_id: bigint; name: string; service: string }> = [root];
    if (span.child !== undefined) spans.push({ span_id: spanId++, parent_id: root.span_id, ...span.child });
    // Whether the root or its child is active, evaluations go to the root span's accumulator.
    active = enrichment;
    for (const e of request.evaluations) await evaluateCase(provider, e);
    active = undefined;
    const rootMeta = { ...(await enrichment.toTags()) };
    const now = BigInt(Date.now()) * 1_000_000n;
    traces.push(spans.map((s) => ({
      trace_id: traceId,
      span_id: s.span_id,
      parent_id: s.parent_id,
      name: s.name,
      service: s.service,
      resource: s.name,
      start: now,
      duration: 1000n,
      error: 0,
      meta: s === root ? rootMeta : {},
      metrics: {},
      type: "custom",
    })));
  }
  const res = await agent.app.fetch(
    new Request("http://agent.test/v0.4/traces", {
      method: "PUT",
      headers: { "content-type": "application/msgpack", "x-datadog-trace-count": String(traces.length) },
      body: encode(traces, { useBigInt64: true }) as Uint8Array<ArrayBuffer>,
    }),
  );
  expect(res.status).toBe(200);
  const received = (await (await agent.app.fetch(new Request("http://agent.test/test/traces"))).json()) as Observed["traces"];
  const root = (received[0] ?? []).find((s) => s.parent_id === 0 || s.parent_id === "0" || s.parent_id === null);
  return { traces: received, root_span: root };
}

/**
 * Evaluates a path of the README's span-enrichment forms: names with dots
 * (`root_span.meta.ffe_flags_enc`), `["key"]` indexes, JSON literals and the
 * functions `decode`, `json`, `keys`, `encode`, `sorted`, `deltas`.
 * `undefined` means absent.
 */
function valueAt(path: string, observed: Observed | undefined): unknown {
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(`path ${JSON.stringify(path)} at ${pos}: ${why}`);
  };
  const expr = (): unknown => {
    let value: unknown;
    const call = /^(decode|json|keys|encode|deltas|sorted)\(/.exec(path.slice(pos));
    if (call !== null) {
      pos += call[0].length;
      const arg = expr();
      if (path[pos++] !== ")") fail("expected )");
      value = arg === undefined ? undefined : apply(call[1]!, arg);
    } else if (path[pos] === "[" || path[pos] === '"') {
      const m = /^(\[[^\]]*\]|"(?:[^"\\]|\\.)*")/.exec(path.slice(pos)) ?? fail("bad literal");
      pos += m[0].length;
      value = JSON.parse(m[0]);
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(path.slice(pos)) ?? fail("bad name");
      pos += m[0].length;
      value = observed;
      for (const part of m[0].split(".")) {
        value = value === undefined || value === null ? undefined : (value as Record<string, unknown>)[part];
      }
    }
    while (path.startsWith('["', pos)) {
      const m = /^\["((?:[^"\\]|\\.)*)"\]/.exec(path.slice(pos)) ?? fail("bad index");
      pos += m[0].length;
      value = value === undefined ? undefined : (value as Record<string, unknown>)[JSON.parse(`"${m[1]}"`)];
    }
    return value;
  };
  const value = expr();
  if (pos !== path.length) fail("trailing text");
  return value;
}

function apply(fn: string, arg: unknown): unknown {
  switch (fn) {
    case "decode":
      return decodeSerialIds(arg as string);
    case "json":
      return typeof arg === "string" ? JSON.parse(arg) : arg;
    case "keys":
      return Object.keys(arg as object);
    case "encode":
      return encodeSerialIds(arg as number[]);
    case "sorted":
      return [...(arg as number[])].sort((a, b) => a - b);
    case "deltas":
      return (arg as number[]).map((v, i, a) => v - (i === 0 ? 0 : a[i - 1]!));
  }
  throw new Error(`unknown function ${fn}`);
}

/**
 * Checks one expectation with the shared interpreter: the path's value is
 * computed here and handed over as the single element of a collection `v`
 * (an empty one when absent), so every kind and modifier means what the
 * README says.
 */
function check(x: Expectation, observed: Observed | undefined): string | undefined {
  const values: unknown[] = [];
  const bind = (e: Expectation): Expectation => {
    const value = valueAt(e.path, observed);
    const name = `value_${String.fromCharCode(97 + values.length)}`; // the shared paths name collections [a-z_]+
    values.push(value);
    return { ...e, path: `${name}[0]`, ...(e.when === undefined ? {} : { when: bind(e.when) }) };
  };
  const bound = bind(x);
  const collections = Object.fromEntries(values.map((v, i) => [`value_${String.fromCharCode(97 + i)}`, v === undefined ? [] : [v]]));
  return checkExpectation({ collections }, bound);
}

describe("system-tests span_enrichment cases", () => {
  test("18 cases: 13 parametric, 5 unit, none gated", () => {
    expect(cases.length).toBe(18);
    expect(cases.filter((c) => c.harness === "parametric").length).toBe(13);
    expect(cases.filter((c) => c.harness === "unit").length).toBe(5);
    expect(cases.filter((c) => c.gated !== undefined).length).toBe(0);
  });

  test("the checker is not vacuous: a wrong value or a missing tag fails", () => {
    const observed: Observed = { traces: [[{}]], root_span: { meta: { ffe_flags_enc: "ZA==" } } };
    expect(check({ kind: "contains", path: "decode(root_span.meta.ffe_flags_enc)", values: [100] }, observed)).toBeUndefined();
    expect(check({ kind: "contains", path: "decode(root_span.meta.ffe_flags_enc)", values: [101] }, observed)).toBeDefined();
    expect(check({ kind: "present", path: "root_span.meta.ffe_subjects_enc" }, observed)).toBeDefined();
    expect(check({ kind: "absent", path: "root_span.meta.ffe_subjects_enc" }, observed)).toBeUndefined();
    const when = { kind: "present", path: "root_span.meta.ffe_subjects_enc" };
    expect(check({ kind: "count", path: "keys(json(root_span.meta.ffe_subjects_enc))", value: 0, op: "==", when }, observed))
      .toBeUndefined();
  });

  for (const c of cases) {
    test(`${c.id} (${c.harness})`, async () => {
      const observed = c.harness === "unit" ? undefined : await run(c);
      const failures = c.expect.map((x) => check(x, observed)).filter((f) => f !== undefined);
      expect(failures).toEqual([]);
    });
    if (c.derived !== undefined) {
      test(`${c.id}: derived byte-identity values (not asserted by system-tests)`, async () => {
        const observed = c.harness === "unit" ? undefined : await run(c);
        for (const d of c.derived as Array<{ path: string; value: unknown }>) {
          // A derived JSON object is compared parsed; the exact tag strings are pinned by the accumulator tests.
          expect(valueAt(d.path, observed), `derived ${d.path}`).toEqual(d.value);
        }
      });
    }
  }
});
