import { describe, expect, test } from "bun:test";
import { resolveConfig } from "../../src/core/config.ts";
import { FlagpostError } from "../../src/core/errors.ts";
import { EVP_MAX_EVENT_BYTES, evpRetryPolicy, evpTarget, isLoopbackHost } from "../../src/transport/evp.ts";

describe("evpTarget", () => {
  test("through the agent: path replaced, subdomain header, credentials as Authorization, no API key", () => {
    const t = evpTarget(resolveConfig({ DD_TRACE_AGENT_URL: "http://u:p@agent:9000/some/path?q=1", DD_API_KEY: "k" }), "exposures");
    expect(t.url).toBe("http://agent:9000/evp_proxy/v2/api/v2/exposures");
    expect(t.agentless).toBe(false);
    expect(t.headers).toEqual({
      Authorization: "Basic dTpw",
      "Content-Type": "application/json",
      "X-Datadog-EVP-Subdomain": "event-platform-intake",
    });
  });
  test("default agent without an API key", () => {
    expect(evpTarget(resolveConfig({}), "flagevaluation").url).toBe("http://localhost:8126/evp_proxy/v2/api/v2/flagevaluation");
  });
  test("agentless when an API key is set and no agent address is", () => {
    const t = evpTarget(resolveConfig({ DD_API_KEY: "secret", DD_SITE: "datadoghq.eu" }), "flagevaluation");
    expect(t).toEqual({
      url: "https://event-platform-intake.datadoghq.eu/api/v2/flagevaluation",
      headers: { "Content-Type": "application/json", "X-Datadog-EVP-Subdomain": "event-platform-intake", "DD-API-KEY": "secret" },
      agentless: true,
    });
  });
  test("agentless base URL: https anywhere, plain http only to loopback; the key never appears in the error", () => {
    const config = resolveConfig({ DD_API_KEY: "secret-key" });
    expect(evpTarget(config, "exposures", { agentlessBaseUrl: "http://127.0.0.1:8126" }).url).toBe(
      "http://127.0.0.1:8126/api/v2/exposures",
    );
    expect(evpTarget(config, "exposures", { agentlessBaseUrl: "https://proxy.example" }).url).toBe(
      "https://proxy.example/api/v2/exposures",
    );
    let error: unknown;
    try {
      evpTarget(config, "exposures", { agentlessBaseUrl: "http://proxy.example:8080" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlagpostError);
    expect((error as FlagpostError).code).toBe("invalid_config");
    expect((error as FlagpostError).message).not.toContain("secret-key");
  });
  test("loopback hosts", () => {
    for (const h of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]", "::1", "app.localhost"]) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ["10.0.0.1", "example.com", "localhost.example", "128.0.0.1", "::2"]) expect(isLoopbackHost(h)).toBe(false);
  });
});

describe("evpRetryPolicy (every EVP track)", () => {
  test("3 s per attempt, 429 and every 5xx and network errors retried, timeouts never (the agent may have counted them)", () => {
    const policy = evpRetryPolicy();
    expect(policy.timeoutMs).toBe(3_000);
    for (const status of [429, 500, 501, 502, 503, 504, 505, 599]) expect(policy.retryStatuses).toContain(status);
    for (const status of [400, 401, 404, 413, 307]) expect(policy.retryStatuses).not.toContain(status);
    expect(policy.retryNetworkErrors).toBe(true);
    expect(policy.retryTimeouts).toBe(false);
    expect(evpRetryPolicy()).toBe(policy);
  });
  test("one event cap for every EVP track: 1 MiB − 1024 bytes", () => {
    expect(EVP_MAX_EVENT_BYTES).toBe(1024 * 1024 - 1024);
  });
});
