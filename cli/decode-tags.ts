#!/usr/bin/env node
/**
 * `flagpost-decode-tags`: decodes the span-enrichment tags a root span
 * carries (`ffe_flags_enc`, `ffe_subjects_enc`, `ffe_runtime_defaults`) for
 * someone reading a span in the Datadog UI. Runtime-agnostic like the mock
 * agent's CLI: it reads argv and standard input through whichever runtime
 * runs it (`deno task decode-tags`, `npx flagpost-decode-tags`,
 * `bun cli/decode-tags.ts`, `node dist/cli/decode-tags.js`).
 *
 * @example
 * ```sh
 * deno task decode-tags '{"ffe_flags_enc":"ZAgUAg==","ffe_runtime_defaults":"{\"nonexistent-flag\":\"my-default\"}"}'
 * npx flagpost-decode-tags ffe_flags_enc=ZAgUAg== --json
 * curl -s localhost:8126/test/traces | npx flagpost-decode-tags
 * ```
 *
 * @module
 */
import { runDecodeTags } from "./_decode-tags.ts";

interface RuntimeGlobals {
  Deno?: { args: string[]; exit(code: number): never; stdin: { readable: ReadableStream<Uint8Array> } };
  process?: { argv: string[]; exit(code: number): never; exitCode?: number; stdin: AsyncIterable<Uint8Array | string> };
}
const g = globalThis as RuntimeGlobals;

function args(): string[] {
  if (g.Deno !== undefined) return g.Deno.args;
  return g.process?.argv.slice(2) ?? [];
}

async function readStdin(): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  const chunks: AsyncIterable<Uint8Array | string> | undefined = g.Deno !== undefined
    ? (g.Deno.stdin.readable as unknown as AsyncIterable<Uint8Array>)
    : g.process?.stdin;
  if (chunks === undefined) return "";
  for await (const chunk of chunks) text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

const result = await runDecodeTags(args(), readStdin);
if (result.stdout !== "") console.log(result.stdout);
if (result.stderr !== "") console.error(result.stderr);
if (result.code !== 0) {
  if (g.Deno !== undefined) g.Deno.exit(result.code);
  else if (g.process !== undefined) g.process.exitCode = result.code;
}
