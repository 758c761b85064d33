#!/usr/bin/env node
/**
 * The mock agent's command line: `deno task mock-agent`, `npm run mock-agent`,
 * `bun mock-agent/main.ts` or `node dist/mock-agent/main.js`.
 *
 * ```
 * flagpost-mock-agent [--host 127.0.0.1] [--port 8126] [--otlp-port 4318] [--quiet]
 * ```
 *
 * Prints its two base URLs, then one line per request: method, path,
 * status, body bytes and a short decoded summary. Stops on SIGINT/SIGTERM.
 *
 * @example
 * ```sh
 * deno task mock-agent --port 0 --otlp-port 0
 * ```
 *
 * @module
 */
import { startMockAgent } from "./server.ts";
import type { RecordedRequest } from "./store.ts";

interface CliOptions {
  host: string;
  port: number;
  otlpPort: number;
  quiet: boolean;
}

const USAGE = "usage: flagpost-mock-agent [--host 127.0.0.1] [--port 8126] [--otlp-port 4318] [--quiet]";

interface RuntimeGlobals {
  Deno?: { args: string[]; exit(code: number): never; addSignalListener(signal: string, cb: () => void): void };
  process?: { argv: string[]; exit(code: number): never; on(signal: string, cb: () => void): void };
}
const g = globalThis as RuntimeGlobals;

function args(): string[] {
  if (g.Deno !== undefined) return g.Deno.args;
  return g.process?.argv.slice(2) ?? [];
}

function exit(code: number): never {
  if (g.Deno !== undefined) return g.Deno.exit(code);
  if (g.process !== undefined) return g.process.exit(code);
  throw new Error(`exit ${code}`);
}

function onSignal(cb: () => void): void {
  for (const signal of ["SIGINT", "SIGTERM"]) {
    if (g.Deno !== undefined) g.Deno.addSignalListener(signal, cb);
    else g.process?.on(signal, cb);
  }
}

/** Parses the command line; throws an Error naming the bad flag. */
export function parseArgs(argv: readonly string[]): CliOptions | "help" {
  const out: CliOptions = { host: "127.0.0.1", port: 8126, otlpPort: 4318, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new Error(`${flag} needs a value`);
      return v;
    };
    const port = (): number => {
      const v = value();
      if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) {
        throw new Error(`${flag} must be a port number from 0 to 65535, got ${JSON.stringify(v)}`);
      }
      return Number(v);
    };
    switch (flag) {
      case "--host":
        out.host = value();
        break;
      case "--port":
        out.port = port();
        break;
      case "--otlp-port":
        out.otlpPort = port();
        break;
      case "--quiet":
      case "-q":
        out.quiet = true;
        break;
      case "--help":
      case "-h":
        return "help";
      default:
        throw new Error(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return out;
}

/** One log line for a recorded request. */
export function logLine(r: RecordedRequest): string {
  const time = new Date(r.time).toISOString().slice(11, 23);
  const status = r.status === 0 ? "---" : String(r.status);
  return `${time} ${r.method} ${r.path} ${status} ${r.body.length}B ${r.summary}${
    r.sessionToken !== null ? ` [session ${r.sessionToken}]` : ""
  }`;
}

let options: CliOptions | "help";
try {
  options = parseArgs(args());
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  exit(2);
}
if (options === "help") {
  console.log(USAGE);
  exit(0);
}
const quiet = options.quiet;
try {
  const agent = await startMockAgent({
    host: options.host,
    port: options.port,
    otlpPort: options.otlpPort,
    ...(quiet ? {} : { onRequest: (r: RecordedRequest) => console.log(logLine(r)) }),
  });
  console.log(`flagpost mock agent (${agent.server})`);
  console.log(`  page: ${agent.url}/   (exposures, evaluations, traces, requests and faults, live)`);
  console.log(
    `  APM:  ${agent.url}   (/info, /v0.4/traces, /v0.5/traces, /evp_proxy/v2|v4/api/v2/exposures|flagevaluation, /api/v2/exposures|flagevaluation)`,
  );
  console.log(`  OTLP: ${agent.otlpUrl}   (/v1/metrics)`);
  console.log(
    `  inspect: ${agent.url}/test/requests, /test/exposures, /test/flagevaluations, /test/metrics, /test/traces, /test/stats, /test/faults`,
  );
  onSignal(() => {
    void agent.close().then(() => exit(0));
  });
} catch (e) {
  console.error(`mock agent failed to start: ${e instanceof Error ? e.message : String(e)}`);
  exit(1);
}
