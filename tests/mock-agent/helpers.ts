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

const OTLP_VECTOR_FILE = new URL("../data/vectors/otlp-metrics.md", import.meta.url);

/** The shared OTLP metrics test vector (tests/data/vectors/otlp-metrics.md) as protobuf bytes. */
export async function otlpVectorBytes(): Promise<Uint8Array> {
  const text = await Bun.file(OTLP_VECTOR_FILE).text();
  const hex = /```\n([0-9a-f]+)\n```/.exec(text)?.[1];
  if (hex === undefined) throw new Error(`no hex vector in ${OTLP_VECTOR_FILE.pathname}`);
  return hexToBytes(hex);
}
