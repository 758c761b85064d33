import { describe, expect, test } from "bun:test";
import { redactUrlCredentials, redactValues } from "../../src/core/redact.ts";

describe("redactUrlCredentials", () => {
  test("masks the password, keeps the user, in URLs with and without a scheme", () => {
    expect(redactUrlCredentials("http://user:hunter2@agent:8126")).toBe("http://user:***@agent:8126");
    expect(redactUrlCredentials('DD_TRACE_AGENT_URL="http://user:hunter2@agent:99999": bad port')).toBe(
      'DD_TRACE_AGENT_URL="http://user:***@agent:99999": bad port',
    );
    expect(redactUrlCredentials("user:hunter2@agent")).toBe("user:***@agent");
    expect(redactUrlCredentials("a https://x:y@h/p and http://z:w@k?q")).toBe("a https://x:***@h/p and http://z:***@k?q");
    expect(redactUrlCredentials("http://:onlypass@h")).toBe("http://:***@h");
  });

  test("a password containing @ is masked whole, as a URL parser reads it", () => {
    const masked = redactUrlCredentials("http://u:p@ss@host/x");
    expect(masked).toBe("http://u:***@host/x");
    expect(masked).not.toContain("ss");
  });

  test("text without credentials is unchanged", () => {
    for (const text of ["http://agent:8126/x", "user@example.com", "no secrets here", "a:b c@d"]) {
      expect(redactUrlCredentials(text)).toBe(text);
    }
  });
});

describe("redactValues", () => {
  test("masks every occurrence of each secret and URL credentials; ignores secrets shorter than 4", () => {
    expect(redactValues("key k3y-123 again k3y-123 at http://a:b@h", ["k3y-123", "ab"])).toBe("key *** again *** at http://a:***@h");
  });
});

describe("every log line goes through the redaction", () => {
  test("safeLogger masks URL passwords in the message and in string details", async () => {
    const { safeLogger } = await import("../../src/core/logger.ts");
    const lines: unknown[] = [];
    const logger = safeLogger({ debug: () => {}, warn: (m, d) => lines.push(m, d), error: () => {} });
    logger.warn("fetch http://u:hunter2@h/x failed", { url: "https://a:b@c", count: 3 });
    expect(lines).toEqual(["fetch http://u:***@h/x failed", { url: "https://a:***@c", count: 3 }]);
  });
});
