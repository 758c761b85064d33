/** The live-update stream (mock-agent/page/events.ts): GET /test/events in-process and on a real socket. */
import { describe, expect, test } from "bun:test";
import { createMockAgent, startMockAgent } from "../../../mock-agent/mod.ts";
import { MAX_EVENT_STREAMS } from "../../../mock-agent/page/events.ts";
import { EVP, exposureBody, HOSTILE } from "./_hostile.ts";

describe("GET /test/events", () => {
  async function nextEvent(reader: ReadableStreamDefaultReader<Uint8Array>, buffer: { text: string }): Promise<string> {
    const decoder = new TextDecoder();
    for (;;) {
      const end = buffer.text.indexOf("\n\n");
      if (end >= 0) {
        const event = buffer.text.slice(0, end);
        buffer.text = buffer.text.slice(end + 2);
        if (event.startsWith("event: change")) return event;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer.text += decoder.decode(value, { stream: true });
    }
  }
  test("announces a change when a request is recorded, with counters only; ends when the client goes", async () => {
    const agent = createMockAgent();
    const abort = new AbortController();
    const res = await agent.fetch("http://agent.test/test/events", { signal: abort.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = res.body!.getReader();
    const buffer = { text: "" };
    expect(await nextEvent(reader, buffer)).toContain('"received":0');
    await agent.fetch("http://agent.test/evp_proxy/v2/api/v2/exposures", { method: "POST", headers: EVP, body: exposureBody(HOSTILE) });
    const event = await nextEvent(reader, buffer);
    expect(event).toContain('"received":1');
    expect(event).not.toContain("script");
    agent.faults.add({ path: "/info", status: 500 });
    expect(await nextEvent(reader, buffer)).toContain('"faults":1');
    await reader.cancel();
    abort.abort();
  });

  test(`at most ${MAX_EVENT_STREAMS} streams are open; the next is answered 503 until one closes`, async () => {
    const agent = createMockAgent();
    const streams: ReadableStreamDefaultReader<Uint8Array>[] = [];
    for (let i = 0; i < MAX_EVENT_STREAMS; i++) {
      const res = await agent.fetch("http://agent.test/test/events");
      expect(res.status).toBe(200);
      streams.push(res.body!.getReader());
    }
    const refused = await agent.fetch("http://agent.test/test/events");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    await streams.pop()!.cancel();
    const again = await agent.fetch("http://agent.test/test/events");
    expect(again.status).toBe(200);
    streams.push(again.body!.getReader());
    for (const s of streams) await s.cancel();
    expect((await agent.fetch("http://agent.test/test/events")).status).toBe(200);
  });
});

describe("GET /test/events on a real socket", () => {
  test("a client that goes away frees its stream's slot; close() ends the open ones", async () => {
    const agent = await startMockAgent({ host: "127.0.0.1", port: 0, otlpPort: 0 });
    try {
      const clients = Array.from({ length: MAX_EVENT_STREAMS }, () => new AbortController());
      const responses = await Promise.all(clients.map((c) => fetch(`${agent.url}/test/events`, { signal: c.signal })));
      expect(responses.map((r) => r.status)).toEqual(clients.map(() => 200));
      const first = await responses[0]!.body!.getReader().read();
      expect(new TextDecoder().decode(first.value)).toStartWith("retry: 2000\n\n");
      const refused = await fetch(`${agent.url}/test/events`);
      expect(refused.status).toBe(503);
      await refused.body?.cancel();
      for (const c of clients) c.abort();
      // The server notices the closed connections; a new stream is then accepted.
      let status = 503;
      for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
        await Bun.sleep(20);
        const again = await fetch(`${agent.url}/test/events`);
        status = again.status;
        await again.body?.cancel();
      }
      expect(status).toBe(200);
      const open = new AbortController();
      const last = await fetch(`${agent.url}/test/events`, { signal: open.signal });
      expect(last.status).toBe(200);
      await agent.close();
      open.abort();
    } finally {
      await agent.close();
    }
  });
});
