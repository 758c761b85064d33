/**
 * A mock agent on real sockets in a child process, for the cross-runtime
 * listener tests (Node via an esbuild bundle, Deno and Bun on the source).
 * Options come as JSON in argv[last]; it prints one line
 * `LISTENING {"url","otlpUrl","server","pid"}` and runs until killed or until
 * its stdin closes (so a dead parent never leaves it behind).
 */
import { startMockAgent } from "../../mock-agent/server.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const args: string[] = g.Deno !== undefined ? g.Deno.args : g.process.argv.slice(2);
const options = JSON.parse(args[args.length - 1] ?? "{}");
const agent = await startMockAgent({ host: "127.0.0.1", port: 0, otlpPort: 0, ...options });
const pid = g.Deno !== undefined ? g.Deno.pid : g.process.pid;
console.log(`LISTENING ${JSON.stringify({ url: agent.url, otlpUrl: agent.otlpUrl, server: agent.server, pid })}`);

const stop = async () => {
  await agent.close();
  if (g.Deno !== undefined) g.Deno.exit(0);
  else g.process.exit(0);
};
if (g.Deno !== undefined) {
  (async () => {
    const buf = new Uint8Array(1024);
    while ((await g.Deno.stdin.read(buf)) !== null) { /* wait for EOF */ }
    await stop();
  })();
} else {
  g.process.stdin.on("data", () => {});
  g.process.stdin.on("end", () => void stop());
  g.process.stdin.resume();
}
