/**
 * Exposures on every runtime: the same evaluations, recorded by
 * `ExposureWriter` and delivered to an in-process mock agent, give the same
 * add() statuses (dedupe A→B→A, serial id none ↔ 0, not logged, invalid),
 * the same bytes on the wire (non-ASCII subjects, `serial_id` 0, `{}`
 * attributes, empty subject id), a permanent 500 that drops the batch and
 * takes it back out of the dedupe cache so the same exposure is sent again,
 * a size cap that splits a flush, and the same counters.
 */
import type { EvaluationRecord } from "../../../src/core/evaluation.ts";
import { evaluationRecord, T0 } from "../../support/records.ts";
import type { ScenarioPart } from "../types.ts";

const EVP = "/evp_proxy/v2/api/v2/exposures";

const base = evaluationRecord({ variant: "A", value: "a" });

function records(): EvaluationRecord[] {
  return [
    base,
    { ...base, timestamp: T0 + 1 }, // duplicate
    { ...base, variant: "B" },
    { ...base, variant: "A" }, // A→B→A: logged again
    { ...base, targetingKey: "bob", serialId: undefined },
    { ...base, targetingKey: "bob", serialId: 0 }, // none → 0: logged again
    { ...base, targetingKey: "日本語-ユーザー", attributes: { name: "Zoë — 😀", tags: ["x", 1, null] } },
    { ...base, targetingKey: "", attributes: {} },
    { ...base, targetingKey: "carol", doLog: false },
    { ...base, targetingKey: "carol", variant: undefined, allocationKey: undefined },
    { ...base, targetingKey: "dave", attributes: { big: 10n } },
  ];
}

export const part: ScenarioPart = {
  name: "exposures",

  async run({ modules: { flagpost, mockAgent } }) {
    const out: Record<string, unknown> = {};
    const agent = mockAgent.createMockAgent();
    const stats = new flagpost.StatsRegistry();
    const env = { DD_SERVICE: "shop", DD_ENV: "prod", DD_VERSION: "1.0", DD_TRACE_AGENT_URL: "http://agent.test:8126" };
    const writer = new flagpost.ExposureWriter(flagpost.resolveConfig(env), { fetch: agent.fetch, stats });
    out["add"] = records().map((r) => {
      const { status, reason } = writer.add(r);
      return reason === undefined ? status : `${status}:${reason}`;
    });
    const first = await writer.flush();
    out["flush.first"] = { sent: first.sent, requests: first.requests, dropped: first.dropped };

    // A permanent 500 (every attempt): dropped, counted, and forgotten by the dedupe cache.
    agent.faults.add({ path: EVP, status: 500, times: 3 });
    writer.add({ ...base, targetingKey: "erin" });
    const failed = await writer.flush();
    out["flush.failed"] = { sent: failed.sent, retried: failed.retried, dropped: failed.dropped };
    out["add.again"] = writer.add({ ...base, targetingKey: "erin" }).status;
    const again = await writer.flush();
    out["flush.again"] = { sent: again.sent, dropped: again.dropped };

    // A small payload cap splits one flush into several requests.
    const small = new flagpost.ExposureWriter(flagpost.resolveConfig(env, { limits: { maxExposurePayloadBytes: 1024 } }), {
      fetch: agent.fetch,
    });
    for (let i = 0; i < 20; i++) small.add({ ...base, targetingKey: `user-${i}`, flagKey: "split" });
    const split = await small.flush();
    out["flush.split"] = { sent: split.sent, requests: split.requests };

    const requests = (await (await agent.fetch("http://agent.test/test/session/requests")).json()) as Array<
      { path: string; status: number; headers: Record<string, string>; body: string }
    >;
    const accepted = requests.filter((r) => r.path === EVP && r.status === 202);
    const decode = (b64: string) => new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
    out["wire.first"] = decode(accepted[0]!.body);
    out["wire.headers"] = [accepted[0]!.headers["content-type"], accepted[0]!.headers["x-datadog-evp-subdomain"]];
    out["wire.statuses"] = requests.filter((r) => r.path === EVP).map((r) => r.status);
    out["wire.split"] = accepted.slice(2).map((r) => {
      const body = decode(r.body);
      return [new TextEncoder().encode(body).byteLength <= 1024, (JSON.parse(body) as { exposures: unknown[] }).exposures.length];
    });
    out["stats"] = stats.snapshot();
    out["writer"] = writer.stats();
    return out;
  },

  expected() {
    const event = (subject: string, variant: string, attributes: unknown, serial?: number) =>
      `{"timestamp":${T0},"allocation":{"key":"beta"},"flag":{"key":"checkout"},"variant":{"key":"${variant}"},"subject":{"id":${
        JSON.stringify(subject)
      },"attributes":${JSON.stringify(attributes)}}${serial === undefined ? "" : `,"serial_id":${serial}`}}`;
    return {
      "add": [
        "queued",
        "duplicate",
        "queued",
        "queued",
        "queued",
        "queued",
        "queued",
        "queued",
        "not_logged:do_log_false",
        "not_logged:no_variant",
        "invalid:attribute_bigint",
      ],
      "flush.first": { sent: 7, requests: 1, dropped: {} },
      "flush.failed": { sent: 0, retried: 2, dropped: { http_500: 1 } },
      "add.again": "queued",
      "flush.again": { sent: 1, dropped: {} },
      "flush.split": { sent: 20, requests: 4 }, // ~165-byte events + a 73-byte envelope: 5 per 1 KiB body
      "wire.first": `{"context":{"service":"shop","env":"prod","version":"1.0"},"exposures":[${
        [
          event("alice", "A", { plan: "pro" }, 7),
          event("alice", "B", { plan: "pro" }, 7),
          event("alice", "A", { plan: "pro" }, 7),
          event("bob", "A", { plan: "pro" }),
          event("bob", "A", { plan: "pro" }, 0),
          event("日本語-ユーザー", "A", { name: "Zoë — 😀", tags: ["x", 1, null] }, 7),
          event("", "A", {}, 7),
        ].join(",")
      }]}`,
      "wire.headers": ["application/json", "event-platform-intake"],
      "wire.statuses": [202, 500, 500, 500, 202, 202, 202, 202, 202],
      "wire.split": [[true, 5], [true, 5], [true, 5], [true, 5]],
      "stats": {
        "exposures.added": { "": 13 },
        "exposures.dropped": { http_500: 1 },
        "exposures.duplicate": { "": 1 },
        "exposures.invalid": { attribute_bigint: 1 },
        "exposures.not_logged": { do_log_false: 1, no_variant: 1 },
        "exposures.requests": { "": 3 },
        "exposures.sent": { "": 8 },
      },
      "writer": {
        added: 13,
        duplicate: 1,
        notLogged: 2,
        invalid: 1,
        sent: 8,
        dropped: { http_500: 1 },
        queued: 0,
        inFlight: 0,
        cacheSize: 5,
      },
    };
  },
};
