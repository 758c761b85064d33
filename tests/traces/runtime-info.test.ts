/** Runtime headers from navigator.userAgent; the tracer version follows package.json. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { detectRuntime, runtimeFromUserAgent, TRACER_VERSION } from "../../src/traces/runtime-info.ts";

describe("runtime detection", () => {
  test("each runtime's user agent", () => {
    expect(runtimeFromUserAgent("Deno/2.9.6")).toEqual({ interpreter: "deno", version: "2.9.6" });
    expect(runtimeFromUserAgent("Bun/1.4.5")).toEqual({ interpreter: "bun", version: "1.4.5" });
    expect(runtimeFromUserAgent("Node.js/22")).toEqual({ interpreter: "node", version: "22" });
    expect(runtimeFromUserAgent("Cloudflare-Workers")).toEqual({ interpreter: "workerd", version: "" });
    expect(runtimeFromUserAgent(undefined)).toEqual({ interpreter: "node", version: "" }); // Node 20: no navigator
    expect(runtimeFromUserAgent("Mozilla/5.0 (X11; Linux x86_64)")).toEqual({ interpreter: "mozilla", version: "5.0" });
    expect(runtimeFromUserAgent("")).toEqual({ interpreter: "unknown", version: "" });
  });

  test("this process is bun, with its version", () => {
    expect(detectRuntime()).toEqual({ interpreter: "bun", version: Bun.version });
  });

  test("TRACER_VERSION is package.json's version", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dir, "..", "..", "package.json"), "utf8")) as { version: string };
    expect(TRACER_VERSION).toBe(pkg.version);
  });
});
