/** GET /info (mock-agent/handlers/info.ts). */
import { describe, expect, test } from "bun:test";
import { agent, send } from "../helpers.ts";

describe("/info", () => {
  test("is shaped like the agent's, with Datadog-Agent-State = SHA-256 hex of the body", async () => {
    const a = agent();
    const res = await send(a, "/info");
    const text = await res.text();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
    expect(res.headers.get("datadog-agent-state")).toBe([...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));
    const info = JSON.parse(text);
    expect(info.endpoints).toEqual(expect.arrayContaining(["/v0.4/traces", "/v0.5/traces", "/evp_proxy/v2/", "/evp_proxy/v4/"]));
    expect(info.evp_proxy_allowed_headers).toContain("Content-Encoding");
    expect(typeof info.client_drop_p0s).toBe("boolean");
    expect(info.config).toMatchObject({ receiver_port: 8126, max_request_bytes: 10 * 1024 * 1024 });
    expect(typeof info.version).toBe("string");
    expect((await send(a, "/info", { method: "POST" })).status).toBe(405);
  });
});
