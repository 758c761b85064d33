/**
 * Core on every runtime: configuration resolution, the span-enrichment codec
 * vectors, SHA-256 through Web Crypto, and the transport against the
 * harness's loopback server (success, retry after 503, error body cap,
 * per-attempt timeout, credentials as a Basic header).
 */
// Internals (not in the public API) come from the sources: on Node they are bundled into the entry.
import { sha256Hex } from "../../../src/core/sha256.ts";
import { decodeUleb128, encodeUleb128 } from "../../../src/core/varint.ts";
import { OTLP_RETRY_POLICY } from "../../../src/transport/retry.ts";
import { outcomeReason, sendWithRetry } from "../../../src/transport/sender.ts";
import type { ScenarioPart } from "../types.ts";

export const part: ScenarioPart = {
  name: "core",

  async run({ modules: { flagpost }, inputs }) {
    const out: Record<string, unknown> = {};
    const { resolveConfig, FlagpostError } = flagpost;

    const defaults = resolveConfig({});
    out["config.defaults"] = {
      agentUrl: defaults.agentUrl,
      otlp: defaults.otlpMetrics.endpoint,
      site: defaults.site,
      enrichment: defaults.spanEnrichmentEnabled,
      metrics: defaults.metricsEnabled,
    };
    const custom = resolveConfig({
      DD_SERVICE: "shop",
      DD_TRACE_AGENT_URL: "http://user:p%40ss@agent.local:9126/ignored?q=1",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/",
      OTEL_EXPORTER_OTLP_HEADERS: "api-key=abc, x-team=flags%20team",
      DD_METRICS_OTEL_ENABLED: "YES",
    });
    out["config.custom"] = {
      service: custom.service,
      agentUrl: custom.agentUrl,
      auth: custom.agentHeaders.Authorization,
      otlp: custom.otlpMetrics.endpoint,
      headers: { ...custom.otlpMetrics.headers },
      metrics: custom.metricsEnabled,
    };
    const printed = JSON.parse(JSON.stringify(resolveConfig({ DD_API_KEY: "abcd1234secretkey" }, { agentUrl: "http://u:pw@agent:8126" })));
    out["config.printed"] = { apiKey: printed.apiKey, agentHeaders: printed.agentHeaders };
    const rejections: Record<string, unknown> = {};
    for (
      const env of [{ DD_TRACE_AGENT_PORT: "70000" }, { DD_TRACE_AGENT_URL: "unix:///var/run/apm.sock" }, {
        OTEL_EXPORTER_OTLP_TIMEOUT: "soon",
      }]
    ) {
      try {
        resolveConfig(env);
        rejections[Object.keys(env)[0]!] = "accepted";
      } catch (e) {
        rejections[Object.keys(env)[0]!] = e instanceof FlagpostError ? [e.code, e.field] : String(e);
      }
    }
    out["config.rejections"] = rejections;

    out["vectors.serialIds.encode"] = inputs.spanEnrichment.serialIds.map((v) => flagpost.encodeSerialIds(v.ids));
    out["vectors.serialIds.decode"] = inputs.spanEnrichment.serialIds.map((v) => flagpost.decodeSerialIds(v.encoded));
    out["vectors.sha256"] = await Promise.all(inputs.spanEnrichment.subjectHashes.map((v) => sha256Hex(v.key)));
    out["varint.maxSafe"] = (() => {
      const bytes: number[] = [];
      encodeUleb128(Number.MAX_SAFE_INTEGER, bytes);
      return [bytes.length, decodeUleb128(Uint8Array.from(bytes), 0).value === Number.MAX_SAFE_INTEGER];
    })();

    const base = inputs.loopbackUrl;
    const policy = { ...OTLP_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000 };
    const pick = (o: Awaited<ReturnType<typeof sendWithRetry>>) => ({
      ok: o.ok,
      status: o.status ?? null,
      attempts: o.attempts,
      reason: outcomeReason(o),
    });
    out["transport.ok"] = pick(await sendWithRetry({ url: `${base}/ok`, body: "x" }, policy));
    out["transport.retryAfter503"] = pick(
      await sendWithRetry({ url: `${base}/flaky/${Math.random().toString(36).slice(2)}`, body: "x" }, policy),
    );
    const failed = await sendWithRetry({ url: `${base}/status/500`, body: "x" }, policy);
    out["transport.500"] = { ...pick(failed), detailBytes: new TextEncoder().encode(failed.errorDetail ?? "").length };
    out["transport.timeout"] = pick(
      await sendWithRetry({ url: `${base}/hang`, body: "x" }, { ...policy, maxAttempts: 1, timeoutMs: 150 }),
    );
    const echo = await sendWithRetry(
      { url: `${base}/echo`, method: "PUT", headers: { ...custom.agentHeaders, "Content-Type": "application/json" }, body: '{"a":1}' },
      policy,
      { readResponse: true },
    );
    const echoed = JSON.parse(echo.responseText ?? "{}");
    out["transport.echo"] = { method: echoed.method, auth: echoed.headers?.authorization, body: echoed.body };
    return out;
  },

  expected(inputs) {
    return {
      "config.defaults": {
        agentUrl: "http://localhost:8126",
        otlp: "http://localhost:4318/v1/metrics",
        site: "datadoghq.com",
        enrichment: false,
        metrics: false,
      },
      "config.custom": {
        service: "shop",
        agentUrl: "http://agent.local:9126",
        auth: `Basic ${btoa("user:p@ss")}`,
        otlp: "http://collector:4318/v1/metrics",
        headers: { "api-key": "abc", "x-team": "flags team" },
        metrics: true,
      },
      "config.printed": { apiKey: "***", agentHeaders: { Authorization: "***" } },
      "config.rejections": {
        DD_TRACE_AGENT_PORT: ["invalid_config", "DD_TRACE_AGENT_PORT"],
        DD_TRACE_AGENT_URL: ["invalid_config", "DD_TRACE_AGENT_URL"],
        OTEL_EXPORTER_OTLP_TIMEOUT: ["invalid_config", "OTEL_EXPORTER_OTLP_TIMEOUT"],
      },
      "vectors.serialIds.encode": inputs.spanEnrichment.serialIds.map((v) => v.encoded),
      "vectors.serialIds.decode": inputs.spanEnrichment.serialIds.map((v) => [...new Set(v.ids)].sort((a, b) => a - b)),
      "vectors.sha256": inputs.spanEnrichment.subjectHashes.map((v) => v.sha256),
      "varint.maxSafe": [8, true],
      "transport.ok": { ok: true, status: 200, attempts: 1, reason: "" },
      "transport.retryAfter503": { ok: true, status: 200, attempts: 2, reason: "" },
      "transport.500": { ok: false, status: 500, attempts: 1, reason: "http_500", detailBytes: 256 },
      "transport.timeout": { ok: false, status: null, attempts: 1, reason: "timeout" },
      "transport.echo": { method: "PUT", auth: `Basic ${btoa("user:p@ss")}`, body: '{"a":1}' },
    };
  },
};
