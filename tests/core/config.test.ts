import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { agentEndpoint, agentlessExposuresUrl, DEFAULT_LIMITS, parseOtlpHeaders, resolveConfig } from "../../src/core/config.ts";
import { FlagpostError } from "../../src/core/errors.ts";

const root = join(import.meta.dirname, "../..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);

function rejection(fn: () => unknown): FlagpostError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FlagpostError) return e;
    throw new Error(`expected FlagpostError, got ${e}`);
  }
  throw new Error("expected a FlagpostError, nothing was thrown");
}

describe("resolveConfig defaults", () => {
  const c = resolveConfig({});
  test("agent and OTLP endpoints", () => {
    expect(c.agentUrl).toBe("http://localhost:8126");
    expect(c.agentHeaders).toEqual({});
    expect(c.otlpMetrics).toEqual({
      endpoint: "http://localhost:4318/v1/metrics",
      headers: {},
      timeoutMs: 10_000,
      protocol: "http/protobuf",
    });
  });
  test("identity, site, gates, caps", () => {
    expect([c.service, c.env, c.version, c.apiKey]).toEqual([undefined, undefined, undefined, undefined]);
    expect(c.site).toBe("datadoghq.com");
    expect(c.spanEnrichmentEnabled).toBe(false);
    expect(c.metricsEnabled).toBe(false);
    expect(c.flagEvaluationsEnabled).toBe(true);
    expect(c.tracesEnabled).toBe(true);
    expect(c.flushDeadlineMs).toBe(5_000);
    expect(c.limits).toEqual(DEFAULT_LIMITS);
    expect(c.limits.exposureCacheSize).toBe(65_536);
  });
  test("the result is frozen", () => {
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.otlpMetrics.headers)).toBe(true);
  });
});

describe("resolveConfig from the environment", () => {
  test("service, env, version, api key, site", () => {
    const c = resolveConfig({ DD_SERVICE: "shop", DD_ENV: "prod", DD_VERSION: "1.2.3", DD_API_KEY: "k", DD_SITE: "datadoghq.eu" });
    expect([c.service, c.env, c.version, c.apiKey, c.site]).toEqual(["shop", "prod", "1.2.3", "k", "datadoghq.eu"]);
    expect(agentlessExposuresUrl(c.site)).toBe("https://event-platform-intake.datadoghq.eu/api/v2/exposures");
  });
  test("empty strings count as unset", () => {
    const c = resolveConfig({ DD_SERVICE: "", DD_AGENT_HOST: " ", DD_SITE: "" });
    expect(c.service).toBeUndefined();
    expect(c.agentUrl).toBe("http://localhost:8126");
    expect(c.site).toBe("datadoghq.com");
  });
  test("DD_AGENT_HOST and DD_TRACE_AGENT_PORT build the agent URL and the OTLP host", () => {
    const c = resolveConfig({ DD_AGENT_HOST: "dd-agent", DD_TRACE_AGENT_PORT: "9000" });
    expect(c.agentUrl).toBe("http://dd-agent:9000");
    expect(c.otlpMetrics.endpoint).toBe("http://dd-agent:4318/v1/metrics");
  });
  test("an IPv6 agent host is bracketed", () => {
    const c = resolveConfig({ DD_AGENT_HOST: "::1" });
    expect(c.agentUrl).toBe("http://[::1]:8126");
    expect(c.otlpMetrics.endpoint).toBe("http://[::1]:4318/v1/metrics");
  });
  test("DD_TRACE_AGENT_URL wins over host/port; path and query are dropped", () => {
    const c = resolveConfig({ DD_TRACE_AGENT_URL: "https://agent.example:8443/some/path?x=1", DD_AGENT_HOST: "ignored" });
    expect(c.agentUrl).toBe("https://agent.example:8443");
    expect(agentEndpoint(c.agentUrl, "/v0.4/traces")).toBe("https://agent.example:8443/v0.4/traces");
  });
  test("credentials in the agent URL become a Basic Authorization header", () => {
    const c = resolveConfig({ DD_TRACE_AGENT_URL: "http://us%3Aer:p%40ss@agent:8126" });
    expect(c.agentUrl).toBe("http://agent:8126");
    expect(c.agentHeaders).toEqual({ Authorization: `Basic ${btoa("us:er:p@ss")}` });
  });
  test("OTLP metrics endpoint is taken verbatim", () => {
    const c = resolveConfig({
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://c:4318/custom",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://other:4318",
    });
    expect(c.otlpMetrics.endpoint).toBe("http://c:4318/custom");
  });
  test("OTLP base endpoint gets /v1/metrics, with or without a trailing slash", () => {
    expect(resolveConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }).otlpMetrics.endpoint).toBe("http://c:4318/v1/metrics");
    expect(resolveConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/otlp/" }).otlpMetrics.endpoint).toBe(
      "http://c:4318/otlp/v1/metrics",
    );
  });
  test("OTLP headers: generic, then metric-specific overriding", () => {
    const c = resolveConfig({ OTEL_EXPORTER_OTLP_HEADERS: "a=1,b=2", OTEL_EXPORTER_OTLP_METRICS_HEADERS: "B=3, c = x%2Cy " });
    expect(c.otlpMetrics.headers).toEqual({ a: "1", b: "3", c: "x,y" });
  });
  test("OTLP timeout: metric-specific first, then generic; 0 means default", () => {
    expect(resolveConfig({ OTEL_EXPORTER_OTLP_TIMEOUT: "2500" }).otlpMetrics.timeoutMs).toBe(2500);
    expect(resolveConfig({ OTEL_EXPORTER_OTLP_TIMEOUT: "2500", OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: "700" }).otlpMetrics.timeoutMs).toBe(
      700,
    );
    expect(resolveConfig({ OTEL_EXPORTER_OTLP_TIMEOUT: "0" }).otlpMetrics.timeoutMs).toBe(10_000);
  });
  test("booleans: true/1/yes and false/0/no in any case", () => {
    for (const v of ["true", "TRUE", "1", "yes", "Yes"]) {
      expect(resolveConfig({ DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED: v }).spanEnrichmentEnabled).toBe(true);
      expect(resolveConfig({ DD_METRICS_OTEL_ENABLED: v }).metricsEnabled).toBe(true);
    }
    for (const v of ["false", "0", "NO"]) expect(resolveConfig({ DD_METRICS_OTEL_ENABLED: v }).metricsEnabled).toBe(false);
  });
  test("overrides win over the environment", () => {
    const c = resolveConfig(
      { DD_SERVICE: "env-svc", DD_TRACE_AGENT_URL: "http://a:1" },
      {
        service: "code-svc",
        agentUrl: "http://b:2",
        metricsEnabled: true,
        limits: { maxQueuedExposures: 5 },
        otlpMetrics: { timeoutMs: 50 },
      },
    );
    expect([c.service, c.agentUrl, c.metricsEnabled, c.limits.maxQueuedExposures, c.otlpMetrics.timeoutMs]).toEqual([
      "code-svc",
      "http://b:2",
      true,
      5,
      50,
    ]);
    expect(c.limits.exposureCacheSize).toBe(65_536);
  });
});

describe("resolveConfig rejects bad values with invalid_config naming the variable and value", () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ DD_TRACE_AGENT_URL: "not a url" }, "DD_TRACE_AGENT_URL", /not a valid URL/],
    [{ DD_TRACE_AGENT_URL: "unix:///var/run/datadog/apm.socket" }, "DD_TRACE_AGENT_URL", /unix domain sockets/],
    [{ DD_TRACE_AGENT_URL: "ftp://agent" }, "DD_TRACE_AGENT_URL", /scheme ftp: is not supported/],
    [{ DD_TRACE_AGENT_PORT: "0" }, "DD_TRACE_AGENT_PORT", /1-65535/],
    [{ DD_TRACE_AGENT_PORT: "65536" }, "DD_TRACE_AGENT_PORT", /1-65535/],
    [{ DD_TRACE_AGENT_PORT: "80a" }, "DD_TRACE_AGENT_PORT", /1-65535/],
    [{ DD_AGENT_HOST: "bad host" }, "DD_AGENT_HOST", /must be a host name, an IPv4 address or an IPv6 address/],
    [
      { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "localhost:4318" },
      "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
      /scheme localhost: is not supported/,
    ],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "::" }, "OTEL_EXPORTER_OTLP_ENDPOINT", /not a valid URL/],
    [{ OTEL_EXPORTER_OTLP_TIMEOUT: "5s" }, "OTEL_EXPORTER_OTLP_TIMEOUT", /milliseconds/],
    [{ OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: "-1" }, "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", /milliseconds/],
    [{ OTEL_EXPORTER_OTLP_HEADERS: "novalue" }, "OTEL_EXPORTER_OTLP_HEADERS", /not key=value/],
    [{ OTEL_EXPORTER_OTLP_METRICS_HEADERS: "=x" }, "OTEL_EXPORTER_OTLP_METRICS_HEADERS", /not key=value/],
    [{ OTEL_EXPORTER_OTLP_HEADERS: "bad key=1" }, "OTEL_EXPORTER_OTLP_HEADERS", /not a valid HTTP token/],
    [{ OTEL_EXPORTER_OTLP_HEADERS: "k=%zz" }, "OTEL_EXPORTER_OTLP_HEADERS", /percent-encoding/],
    [{ DD_METRICS_OTEL_ENABLED: "maybe" }, "DD_METRICS_OTEL_ENABLED", /true\/1\/yes/],
    [{ DD_SITE: "datadoghq.com/evil" }, "DD_SITE", /host name/],
  ];
  for (const [env, field, rule] of cases) {
    const [name, value] = Object.entries(env)[0]!;
    test(`${name}=${JSON.stringify(value)}`, () => {
      const e = rejection(() => resolveConfig(env));
      expect(e.code).toBe("invalid_config");
      expect(e.field).toBe(field);
      expect(e.message).toContain(field);
      expect(e.message).toMatch(rule);
    });
  }
  test("the message quotes the rejected value", () => {
    expect(rejection(() => resolveConfig({ DD_TRACE_AGENT_PORT: "99999" })).message).toBe(
      'DD_TRACE_AGENT_PORT="99999": must be a port number 1-65535 (plain digits, no leading zeros or spaces)',
    );
  });
  test("bad overrides are named by their option path", () => {
    expect(rejection(() => resolveConfig({}, { limits: { maxQueuedExposures: 0 } })).field).toBe("limits.maxQueuedExposures");
    expect(rejection(() => resolveConfig({}, { flushDeadlineMs: Number.NaN })).field).toBe("flushDeadlineMs");
    expect(rejection(() => resolveConfig({}, { agentUrl: "unix:/tmp/s" })).field).toBe("agentUrl");
  });
  test("a non-object env and non-string values are rejected", () => {
    expect(rejection(() => resolveConfig(null as never)).field).toBe("env");
    expect(rejection(() => resolveConfig({ DD_SERVICE: 42 as never })).field).toBe("DD_SERVICE");
  });
});

describe("parseOtlpHeaders", () => {
  test("skips empty entries and trims", () => {
    expect(parseOtlpHeaders("H", " a=1 ,, b = 2 ,")).toEqual({ a: "1", b: "2" });
  });
  test("keeps = inside values", () => {
    expect(parseOtlpHeaders("H", "auth=Basic abc==")).toEqual({ auth: "Basic abc==" });
  });
});

describe("signal settings", () => {
  test("OTLP protocol: metrics-specific wins over the general one; grpc and unknown values are refused", () => {
    expect(resolveConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }).otlpMetrics.protocol).toBe("http/json");
    expect(
      resolveConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/protobuf" }).otlpMetrics
        .protocol,
    )
      .toBe("http/protobuf");
    expect(() => resolveConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toThrow(/grpc is not supported/);
    expect(() => resolveConfig({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "thrift" })).toThrow(/OTEL_EXPORTER_OTLP_METRICS_PROTOCOL/);
  });
  test("gates for flag-evaluation rows and traces", () => {
    expect(resolveConfig({ DD_FLAGGING_EVALUATION_COUNTS_ENABLED: "false" }).flagEvaluationsEnabled).toBe(false);
    expect(resolveConfig({ DD_FLAGGING_EVALUATION_COUNTS_ENABLED: "false" }, { flagEvaluationsEnabled: true }).flagEvaluationsEnabled).toBe(
      true,
    );
    expect(resolveConfig({ DD_TRACE_ENABLED: "0" }).tracesEnabled).toBe(false);
  });
  test("an exposure cache of 0 disables deduplication; negative caps are refused", () => {
    expect(resolveConfig({}, { limits: { exposureCacheSize: 0 } }).limits.exposureCacheSize).toBe(0);
    expect(() => resolveConfig({}, { limits: { exposureCacheSize: -1 } })).toThrow(/limits.exposureCacheSize/);
    expect(() => resolveConfig({}, { limits: { maxTracePayloadBytes: 0 } })).toThrow(/limits.maxTracePayloadBytes/);
  });
});

describe("secrets never appear in a rejection (issue 8, item 4)", () => {
  test("an agent URL with a password and a bad port: the password is masked, the user kept", () => {
    const e = rejection(() => resolveConfig({ DD_TRACE_AGENT_URL: "http://user:hunter2@agent:99999" }));
    expect(e.field).toBe("DD_TRACE_AGENT_URL");
    expect(e.message).toBe('DD_TRACE_AGENT_URL="http://user:***@agent:99999": is not a valid URL');
    expect(e.message).not.toContain("hunter2");
  });

  test("a long URL whose password sits past the 80-character cut is still masked", () => {
    const long = `http://user:${"p".repeat(70)}hunter2@agent:99999`;
    const e = rejection(() => resolveConfig({ DD_TRACE_AGENT_URL: long }));
    expect(e.message).not.toContain("hunter2");
    expect(e.message).not.toContain("pppp");
  });

  test("OTLP endpoints: credentials become a Basic Authorization header and leave the URL", () => {
    let c = resolveConfig({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "https://u:s3cr%40t@collector:4318/v1/metrics" });
    expect(c.otlpMetrics.endpoint).toBe("https://collector:4318/v1/metrics");
    expect(c.otlpMetrics.headers).toEqual({ Authorization: `Basic ${btoa("u:s3cr@t")}` });
    c = resolveConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://u:pw@collector:4318/" });
    expect(c.otlpMetrics.endpoint).toBe("http://collector:4318/v1/metrics");
    expect(c.otlpMetrics.headers.Authorization).toBe(`Basic ${btoa("u:pw")}`);
    c = resolveConfig({}, { otlpMetrics: { endpoint: "http://u:pw@collector:4318/v1/metrics" } });
    expect(c.otlpMetrics.endpoint).toBe("http://collector:4318/v1/metrics");
    // An explicit authorization header wins over the URL's credentials.
    c = resolveConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://u:pw@collector:4318", OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer t" });
    expect(c.otlpMetrics.headers).toEqual({ authorization: "Bearer t" });
    const e = rejection(() => resolveConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://u:hunter2@collector:0" }));
    expect(e.message).not.toContain("hunter2");
  });

  test("OTLP header lists are never quoted: they carry API keys", () => {
    for (const value of ["api-key=SECRETKEY123,broken", "api-key=SECRETKEY123,x=%0d%0aHost: evil", "api-key=SECRETKEY123,bad key=1"]) {
      const e = rejection(() => resolveConfig({ OTEL_EXPORTER_OTLP_HEADERS: value }));
      expect(e.field).toBe("OTEL_EXPORTER_OTLP_HEADERS");
      expect(e.message).not.toContain("SECRETKEY123");
    }
  });

  test("credentials with bad percent-encoding are an invalid_config FlagpostError, not a URIError (review M1)", () => {
    const agent = "http://u:hunter2%E0%A4%A@agent:8126";
    const cases: Array<[string, () => unknown, string]> = [
      ["DD_TRACE_AGENT_URL", () => resolveConfig({ DD_TRACE_AGENT_URL: agent }), "http://u:***@agent:8126"],
      [
        "DD_TRACE_AGENT_URL",
        () => resolveConfig({ DD_TRACE_AGENT_URL: "http://%E0%A4%A:hunter2@agent:8126" }),
        "http://%E0%A4%A:***@agent:8126",
      ],
      ["agentUrl", () => resolveConfig({}, { agentUrl: agent }), "http://u:***@agent:8126"],
      [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        () => resolveConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://u:hunter2%ZZ@collector:4318" }),
        "http://u:***@collector:4318",
      ],
      [
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        () => resolveConfig({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://u:hunter2%C0@collector:4318/v1/metrics" }),
        "http://u:***@collector:4318/v1/metrics",
      ],
      [
        "otlpMetrics.endpoint",
        () => resolveConfig({}, { otlpMetrics: { endpoint: "http://u:hunter2%C0@collector:4318/v1/metrics" } }),
        "http://u:***@collector:4318/v1/metrics",
      ],
    ];
    for (const [field, resolve, shown] of cases) {
      const e = rejection(resolve);
      expect(e.code).toBe("invalid_config");
      expect(e.field).toBe(field);
      expect(e.message).toBe(`${field}=${JSON.stringify(shown)}: credentials are not valid percent-encoding`);
      expect(e.message).not.toContain("hunter2");
    }
  });

  test("overrides that are not an object are invalid_config, not a TypeError", () => {
    for (const bad of [null, "agentUrl=http://agent:8126", 3]) {
      const e = rejection(() => resolveConfig({}, bad as unknown as Record<string, never>));
      expect(e.code).toBe("invalid_config");
      expect(e.field).toBe("overrides");
    }
  });

  test("an API key with control characters is refused without being shown", () => {
    const e = rejection(() => resolveConfig({ DD_API_KEY: "abc\ndef-secret" }));
    expect(e.field).toBe("DD_API_KEY");
    expect(e.message).not.toContain("secret");
  });
});

describe("strict values (issue 8, items 3 and 5)", () => {
  test("DD_AGENT_HOST: host names, IPv4 and IPv6 literals are accepted", () => {
    expect(resolveConfig({ DD_AGENT_HOST: "dd_agent.internal" }).agentUrl).toBe("http://dd_agent.internal:8126");
    expect(resolveConfig({ DD_AGENT_HOST: "10.0.0.7" }).agentUrl).toBe("http://10.0.0.7:8126");
    expect(resolveConfig({ DD_AGENT_HOST: "fd00::7" }).agentUrl).toBe("http://[fd00::7]:8126");
    expect(resolveConfig({ DD_AGENT_HOST: "[::1]" }).agentUrl).toBe("http://[::1]:8126");
  });

  test("DD_AGENT_HOST: anything that rewrites the URL is refused, naming the variable", () => {
    for (const host of ["evil.example/x?", "localhost#", "attacker@localhost", "a:b@localhost", "host:80", "[::1]:80", "h%2fx", "-bad"]) {
      const e = rejection(() => resolveConfig({ DD_AGENT_HOST: host }));
      expect(e.field).toBe("DD_AGENT_HOST");
      expect(e.message).toContain("must be a host name, an IPv4 address or an IPv6 address");
    }
    expect(rejection(() => resolveConfig({ DD_AGENT_HOST: "u:hunter2@localhost" })).message).not.toContain("hunter2");
  });

  test("ports: plain digits 1-65535, no leading zeros, signs or spaces", () => {
    for (const port of ["08126", "+8126", " 8126", "8126 ", "8_126", "1e3", "0x50"]) {
      expect(rejection(() => resolveConfig({ DD_TRACE_AGENT_PORT: port })).field).toBe("DD_TRACE_AGENT_PORT");
    }
    expect(resolveConfig({ DD_TRACE_AGENT_PORT: "65535" }).agentUrl).toBe("http://localhost:65535");
    expect(rejection(() => resolveConfig({ DD_TRACE_AGENT_URL: "http://agent:08126" })).message).toContain("port must be a port number");
    expect(rejection(() => resolveConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:0" })).field).toBe("OTEL_EXPORTER_OTLP_ENDPOINT");
  });

  test("OTLP headers with CR, LF or NUL, or naming a forbidden header, are refused where configured", () => {
    for (
      const value of [
        "x=a%0d%0aHost: evil",
        "x=a%0ab",
        "x=a%00b",
        "host=evil",
        "Content-Length=5",
        "transfer-encoding=chunked",
        "connection=close",
      ]
    ) {
      const e = rejection(() => resolveConfig({ OTEL_EXPORTER_OTLP_METRICS_HEADERS: value }));
      expect(e.code).toBe("invalid_config");
      expect(e.field).toBe("OTEL_EXPORTER_OTLP_METRICS_HEADERS");
    }
    expect(rejection(() => resolveConfig({}, { otlpMetrics: { headers: { "x-a": "1\r\n" } } })).field).toBe("otlpMetrics.headers");
    expect(rejection(() => resolveConfig({}, { otlpMetrics: { headers: { Host: "x" } } })).field).toBe("otlpMetrics.headers");
  });

  test("timeouts above 2^31 - 1 ms are refused (Node would turn them into 1 ms)", () => {
    expect(rejection(() => resolveConfig({ OTEL_EXPORTER_OTLP_TIMEOUT: "2147483648" })).field).toBe("OTEL_EXPORTER_OTLP_TIMEOUT");
    expect(rejection(() => resolveConfig({}, { otlpMetrics: { timeoutMs: 2 ** 31 } })).field).toBe("otlpMetrics.timeoutMs");
    expect(rejection(() => resolveConfig({}, { flushDeadlineMs: 2 ** 31 })).field).toBe("flushDeadlineMs");
    expect(resolveConfig({ OTEL_EXPORTER_OTLP_TIMEOUT: "2147483647" }).otlpMetrics.timeoutMs).toBe(2_147_483_647);
  });
});

describe("a resolved Config is safe to print (review M2)", () => {
  const KEY = "abcd1234secretkey";
  const env = {
    DD_API_KEY: KEY,
    DD_TRACE_AGENT_URL: "http://user:hunter2@agent:8126",
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://u:otlppass@collector:4318/v1/metrics",
    OTEL_EXPORTER_OTLP_HEADERS: "api-key=zzzsecret,x-team=flags",
  };
  const config = resolveConfig(env);
  const agentAuth = `Basic ${btoa("user:hunter2")}`;
  const otlpAuth = `Basic ${btoa("u:otlppass")}`;
  const secrets = [KEY, "hunter2", "otlppass", "zzzsecret", agentAuth, otlpAuth, btoa("user:hunter2"), btoa("u:otlppass")];
  const expectNoSecret = (text: string) => {
    for (const secret of secrets) expect(text).not.toContain(secret);
  };

  test("code reads every secret unchanged", () => {
    expect(config.apiKey).toBe(KEY);
    expect(config.agentHeaders.Authorization).toBe(agentAuth);
    expect(config.otlpMetrics.headers["api-key"]).toBe("zzzsecret");
    expect(config.otlpMetrics.headers.Authorization).toBe(otlpAuth);
    // Spreads, Object.entries and fetch's Headers see exactly the header entries, nothing added.
    expect(Object.keys(config.agentHeaders)).toEqual(["Authorization"]);
    expect({ ...config.agentHeaders }).toEqual({ Authorization: agentAuth });
    expect(Object.fromEntries(Object.entries(config.otlpMetrics.headers))).toEqual({
      Authorization: otlpAuth,
      "api-key": "zzzsecret",
      "x-team": "flags",
    });
    expect(new Headers(config.otlpMetrics.headers).get("api-key")).toBe("zzzsecret");
    expect([Object.isFrozen(config), Object.isFrozen(config.agentHeaders), Object.isFrozen(config.otlpMetrics.headers)]).toEqual([
      true,
      true,
      true,
    ]);
  });

  test("JSON.stringify masks the API key and secret header values, and keeps everything else", () => {
    const text = JSON.stringify(config);
    expectNoSecret(text);
    const printed = JSON.parse(text);
    expect(printed.apiKey).toBe("***");
    expect(printed.agentHeaders).toEqual({ Authorization: "***" });
    expect(printed.otlpMetrics.headers).toEqual({ Authorization: "***", "api-key": "***", "x-team": "flags" });
    expect(printed.agentUrl).toBe("http://agent:8126");
    expect(printed.otlpMetrics.endpoint).toBe("http://collector:4318/v1/metrics");
    expect(printed.limits).toEqual({ ...DEFAULT_LIMITS });
    // The nested records mask on their own too, and inside any larger object.
    expectNoSecret(JSON.stringify(config.agentHeaders));
    expectNoSecret(JSON.stringify(config.otlpMetrics));
    expectNoSecret(JSON.stringify({ flagpost: { config } }, null, 2));
    // No API key: nothing to mask, the field stays absent.
    expect(JSON.parse(JSON.stringify(resolveConfig({}))).apiKey).toBeUndefined();
  });

  test("Bun.inspect (console.log) masks them", () => {
    for (const value of [config, config.agentHeaders, config.otlpMetrics, config.otlpMetrics.headers, { flagpost: { config } }]) {
      const text = Bun.inspect(value, { depth: 10 });
      expectNoSecret(text);
      expect(text).toContain("***");
    }
    expect(Bun.inspect(config)).toContain("x-team");
  });

  const script = (importPath: string, inspect: string) =>
    `import { resolveConfig } from ${JSON.stringify(importPath)};
const config = resolveConfig(${JSON.stringify(env)});
console.log(config);
console.log(${inspect});
console.log({ flagpost: { config } });
console.log(config.agentHeaders, config.otlpMetrics.headers);
console.log(JSON.stringify(config));
console.log(config.apiKey === ${JSON.stringify(KEY)} ? "reads-ok" : "reads-broken");`;

  test("Deno's console.log and Deno.inspect mask them", () => {
    const run = spawnSync(bin("deno"), [
      "eval",
      "--no-config",
      script(join(root, "src/core/config.ts"), "Deno.inspect(config, { depth: 10 })"),
    ], {
      cwd: root,
    });
    expect(run.status).toBe(0);
    const out = String(run.stdout);
    expect(out).toContain("***");
    expect(out).toContain("reads-ok");
    expectNoSecret(out.replace("reads-ok", ""));
  });

  test("Node's console.log and util.inspect mask them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flagpost-config-print-"));
    try {
      await esbuild.build({
        entryPoints: [join(root, "src/core/config.ts")],
        outfile: join(dir, "config.js"),
        bundle: true,
        format: "esm",
        platform: "neutral",
        target: "es2022",
        logLevel: "silent",
      });
      writeFileSync(
        join(dir, "print.mjs"),
        `import { inspect } from "node:util";\n${script("./config.js", "inspect(config, { depth: 10, showHidden: false })")}`,
      );
      const run = spawnSync("node", [join(dir, "print.mjs")]);
      expect(run.status).toBe(0);
      const out = String(run.stdout);
      expect(out).toContain("***");
      expect(out).toContain("reads-ok");
      expectNoSecret(out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
