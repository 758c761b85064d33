/**
 * Spawning the mock agent's three listeners for real-socket tests: Node
 * (`@hono/node-server`, from an esbuild bundle), Deno (the same `node:http`
 * server, on the TypeScript source) and Bun (`Bun.serve`). Every child is
 * bounded in time and killed by `stop()`; `rssBytes()` reads its resident
 * memory from /proc.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";

export type ListenerRuntime = "node" | "deno" | "bun";
export const LISTENER_RUNTIMES: readonly ListenerRuntime[] = ["node", "deno", "bun"];

const root = join(import.meta.dir, "..", "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const tmp = mkdtempSync(join(tmpdir(), "flagpost-listeners-"));
let nodeBundle: string | undefined;

async function bundleForNode(): Promise<string> {
  if (nodeBundle !== undefined) return nodeBundle;
  const outfile = join(tmp, "listener.mjs");
  await esbuild.build({
    entryPoints: [join(import.meta.dir, "_listener-entry.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    logLevel: "error",
  });
  nodeBundle = outfile;
  return outfile;
}

/** A running child listener. */
export interface ChildAgent {
  url: string;
  otlpUrl: string;
  server: string;
  pid: number;
  /** Resident set size of the child, in bytes (Linux /proc). */
  rssBytes(): number;
  stop(): Promise<void>;
}

/** Starts the mock agent in a child process of `runtime` with `options` (createMockAgent/startMockAgent options as JSON). */
export async function startChildAgent(
  runtime: ListenerRuntime,
  options: Record<string, unknown> = {},
  lifetimeMs = 120_000,
): Promise<ChildAgent> {
  const json = JSON.stringify(options);
  const entry = join(import.meta.dir, "_listener-entry.ts");
  const cmd = runtime === "node"
    ? ["node", "--max-old-space-size=4096", await bundleForNode(), json]
    : runtime === "deno"
    ? [bin("deno"), "run", "--allow-net=127.0.0.1", "--allow-env", "--allow-read", "--allow-sys", entry, json]
    : [bin("bun"), entry, json];
  const proc = Bun.spawn(cmd, { cwd: root, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => proc.kill("SIGKILL"), lifetimeMs);
  const reader = proc.stdout.getReader();
  let out = "";
  const decoder = new TextDecoder();
  const startedBy = Date.now() + 30_000;
  while (!out.includes("\n") && Date.now() < startedBy) {
    const { done, value } = await reader.read();
    if (done) break;
    out += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  const line = out.split("\n").find((l) => l.startsWith("LISTENING "));
  if (line === undefined) {
    proc.kill("SIGKILL");
    clearTimeout(killer);
    const err = await new Response(proc.stderr).text();
    throw new Error(`${runtime} listener did not start: ${out.slice(0, 500)} ${err.slice(0, 2000)}`);
  }
  // Keep draining stdout/stderr so the child never blocks on a full pipe.
  void proc.stdout.pipeTo(new WritableStream()).catch(() => {});
  void proc.stderr.pipeTo(new WritableStream()).catch(() => {});
  const info = JSON.parse(line.slice("LISTENING ".length)) as { url: string; otlpUrl: string; server: string; pid: number };
  return {
    ...info,
    rssBytes() {
      const status = readFileSync(`/proc/${info.pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? "0");
      return kb * 1024;
    },
    async stop() {
      clearTimeout(killer);
      try {
        proc.stdin.end();
      } catch {
        // already closed
      }
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(3_000).then(() => false)]);
      if (!exited) proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/**
 * Runs a Node script (ES module source text) with Node's own fetch (undici) and
 * returns what it prints as JSON on its last stdout line.
 */
export async function runNodeClient<T>(source: string, args: string[] = [], timeoutMs = 60_000): Promise<T> {
  const file = join(tmp, `client-${crypto.randomUUID()}.mjs`);
  writeFileSync(file, source);
  const proc = Bun.spawn(["node", file, ...args], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  const last = out.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`node client exited ${code}: ${out.slice(-1000)} ${err.slice(-2000)}`);
  }
}

/** Removes the temporary bundle directory. */
export function cleanupListeners(): void {
  rmSync(tmp, { recursive: true, force: true });
}
