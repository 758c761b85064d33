/** Small helpers shared by the mock agent tests (in-process requests through `app.fetch`). */
import { createMockAgent, type MockAgent, type MockAgentOptions } from "../../mock-agent/mod.ts";

export function agent(options: MockAgentOptions = {}): MockAgent {
  return createMockAgent(options);
}

export function send(a: MockAgent, path: string, init: RequestInit = {}): Promise<Response> {
  return a.app.fetch(new Request(`http://agent.test${path}`, init)) as Promise<Response>;
}

export async function json<T = unknown>(a: MockAgent, path: string, init: RequestInit = {}): Promise<T> {
  const res = await send(a, path, init);
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export const EXPOSURE = {
  timestamp: 1_700_000_000_000,
  allocation: { key: "alloc-1" },
  flag: { key: "new-checkout" },
  variant: { key: "on" },
  subject: { id: "user-1", attributes: { plan: "pro" } },
};

export function exposureBody(n = 1): string {
  return JSON.stringify({
    context: { service: "svc", env: "prod", version: "1.2.3" },
    exposures: Array.from({ length: n }, () => EXPOSURE),
  });
}

export const EVP_HEADERS = { "content-type": "application/json", "x-datadog-evp-subdomain": "event-platform-intake" };
