/**
 * The mock agent's command line (mock-agent/main.ts), run as a child process:
 * importing it would start a server, so its argument parsing and request log
 * line are checked through what the command prints and how it exits.
 */
import { describe, expect, test } from "bun:test";

const MAIN = new URL("../../mock-agent/main.ts", import.meta.url).pathname;

function run(...args: string[]) {
  const p = Bun.spawnSync([process.execPath, MAIN, ...args], { stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

describe("flagpost-mock-agent", () => {
  test("--help and -h print the usage and exit 0 without starting a server", () => {
    for (const flag of ["--help", "-h"]) {
      const r = run(flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toStartWith("usage: flagpost-mock-agent [--host 127.0.0.1] [--port 8126] [--otlp-port 4318] [--quiet]");
    }
  });

  test.each([
    [["--bogus"], 'unknown argument "--bogus"'],
    [["--port"], "--port needs a value"],
    [["--port", "65536"], '--port must be a port number from 0 to 65535, got "65536"'],
    [["--otlp-port=x"], '--otlp-port must be a port number from 0 to 65535, got "x"'],
    [["--host="], "--host needs a value"],
  ])("%p exits 2 naming the flag, then the usage", (args, message) => {
    const r = run(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${message}\nusage: flagpost-mock-agent [--host 127.0.0.1] [--port 8126] [--otlp-port 4318] [--quiet]\n`);
    expect(r.stdout).toBe("");
  });

  test("starts on free ports, logs one line per request, and stops on SIGTERM", async () => {
    const child = Bun.spawn([process.execPath, MAIN, "--port=0", "--otlp-port", "0"], { stdout: "pipe", stderr: "pipe" });
    try {
      const reader = child.stdout.getReader();
      const decoder = new TextDecoder();
      let out = "";
      const until = async (pattern: RegExp): Promise<RegExpExecArray> => {
        for (;;) {
          const m = pattern.exec(out);
          if (m !== null) return m;
          const { value, done } = await reader.read();
          if (done) throw new Error(`output ended before ${pattern}: ${out}`);
          out += decoder.decode(value, { stream: true });
        }
      };
      const apm = (await until(/ {2}APM: {2}(http:\/\/127\.0\.0\.1:\d+) /))[1]!;
      await until(/ {2}OTLP: http:\/\/127\.0\.0\.1:\d+ /);
      expect(apm).not.toEndWith(":0");
      const res = await fetch(`${apm}/info`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      const line = (await until(/^\d\d:\d\d:\d\d\.\d{3} GET \/info 200 0B .*$/m))[0];
      expect(line).not.toContain("[session");
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 30_000);
});
