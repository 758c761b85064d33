/**
 * The decode-tags command: cli/_decode-tags.ts (parsing, finding tags, formatting, runDecodeTags) directly, and
 * cli/decode-tags.ts (the bin entry) run on each runtime.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { findTags, parseDecodeTagsArgs, runDecodeTags } from "../../cli/_decode-tags.ts";
import { SpanEnrichment } from "../../src/enrichment/span-enrichment.ts";
import { match } from "../enrichment/_records.ts";

const root = join(import.meta.dirname, "../..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const SUBJECT = "de2176a6d99ec8259b004528b3aac7da3bad59e151ca0567f39706a079c03632"; // sha256("multi-flag-user")
const META = {
  "http.method": "GET",
  ffe_flags_enc: "ZAgUAg==",
  ffe_subjects_enc: JSON.stringify({ [SUBJECT]: "bBQC" }),
  ffe_runtime_defaults: JSON.stringify({ "nonexistent-flag": "my-default", obj: '{"a":"/x"}' }),
};
const noStdin = () => Promise.reject(new Error("stdin must not be read"));

describe("runDecodeTags", () => {
  test("prints the three tags readably and names a subject given its targeting key", async () => {
    const run = await runDecodeTags([JSON.stringify(META), "--targeting-key", "multi-flag-user"], noStdin);
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")).toEqual([
      "ffe_flags_enc: 4 serial ids",
      "  100, 108, 128, 130",
      "ffe_subjects_enc: 1 subject (key = sha256 of the targeting key)",
      `  ${SUBJECT} = sha256("multi-flag-user"): 108, 128, 130`,
      "ffe_runtime_defaults: 2 flags served the caller's default",
      '  nonexistent-flag = "my-default"',
      '  obj = "{\\"a\\":\\"/x\\"}"',
    ]);
  });

  test("--json prints decodeSpanTags's result", async () => {
    const run = await runDecodeTags(["--json", JSON.stringify({ name: "web.request", meta: META })], noStdin);
    expect(JSON.parse(run.stdout)).toEqual({
      serialIds: [100, 108, 128, 130],
      subjects: { [SUBJECT]: [108, 128, 130] },
      runtimeDefaults: { "nonexistent-flag": "my-default", obj: '{"a":"/x"}' },
    });
  });

  test("reads standard input when no input argument is given (e.g. /test/traces of the mock agent)", async () => {
    const traces = [[{ name: "root", meta: { ffe_flags_enc: "ZA==" } }, { name: "child", meta: {} }], [{ name: "other", meta: META }]];
    const run = await runDecodeTags([], () => Promise.resolve(JSON.stringify(traces)));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("# input[0][0].meta (root)\nffe_flags_enc: 1 serial id\n  100");
    expect(run.stdout).toContain("# input[1][0].meta (other)");
  });

  test("tag=value words, as copied from the span's tag list", () => {
    expect(findTags(["ffe_flags_enc=ZA==", 'ffe_runtime_defaults={"f":"x"}'])).toEqual([
      { where: "arguments", tags: { ffe_flags_enc: "ZA==", ffe_runtime_defaults: '{"f":"x"}' } },
    ]);
    expect(findTags(["ffe_flags_enc:ZA=="])[0]!.tags).toEqual({ ffe_flags_enc: "ZA==" });
  });

  test("round trip with the accumulator", async () => {
    const e = new SpanEnrichment();
    e.add(match(2 ** 32, "alice"));
    const run = await runDecodeTags(["--targeting-key=alice", JSON.stringify(await e.toTags())], noStdin);
    expect(run.stdout).toContain(`= sha256("alice"): 4294967296`);
  });

  test("malformed tags exit 1 naming the tag; bad usage exits 2", async () => {
    const bad = await runDecodeTags(['{"ffe_flags_enc":"gA=="}'], noStdin);
    expect(bad).toEqual({ stdout: "", stderr: "error: ffe_flags_enc: truncated at byte 1", code: 1 });
    const notJson = await runDecodeTags(["{oops"], noStdin);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/^error: input: not valid JSON/);
    const none = await runDecodeTags(['{"http.method":"GET"}'], noStdin);
    expect(none.stderr).toMatch(/no ffe_flags_enc, ffe_subjects_enc, ffe_runtime_defaults tag found/);
    expect((await runDecodeTags(["--nope"], noStdin)).code).toBe(2);
    expect((await runDecodeTags([], () => Promise.resolve("  \n"))).code).toBe(2);
    expect(parseDecodeTagsArgs(["-h"])).toBe("help");
  });
});

describe("the command on each runtime", () => {
  const input = JSON.stringify(META);
  const expectOk = (r: ReturnType<typeof spawnSync>) => {
    expect(r.status).toBe(0);
    expect(String(r.stdout)).toContain("  100, 108, 128, 130");
    expect(String(r.stdout)).toContain('  nonexistent-flag = "my-default"');
  };

  test("bun, from argv and from stdin", () => {
    expectOk(spawnSync(bin("bun"), ["cli/decode-tags.ts", input], { cwd: root }));
    expectOk(spawnSync(bin("bun"), ["cli/decode-tags.ts"], { cwd: root, input }));
    const bad = spawnSync(bin("bun"), ["cli/decode-tags.ts", '{"ffe_subjects_enc":"[1]"}'], { cwd: root });
    expect(bad.status).toBe(1);
    expect(String(bad.stderr)).toContain("ffe_subjects_enc: must be a JSON object");
  });

  test("deno, from argv and from stdin (no permissions needed)", () => {
    expectOk(spawnSync(bin("deno"), ["run", "--no-config", "cli/decode-tags.ts", input], { cwd: root }));
    expectOk(spawnSync(bin("deno"), ["run", "--no-config", "cli/decode-tags.ts"], { cwd: root, input }));
    const bad = spawnSync(bin("deno"), ["run", "--no-config", "cli/decode-tags.ts", "ffe_flags_enc=Z!=="], { cwd: root });
    expect(bad.status).toBe(1);
  });

  test("node, bundled the way the build bundles a bin", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flagpost-decode-tags-"));
    try {
      await esbuild.build({
        entryPoints: [join(root, "cli/decode-tags.ts")],
        outfile: join(dir, "decode-tags.js"),
        bundle: true,
        format: "esm",
        platform: "neutral",
        target: "es2022",
        logLevel: "silent",
      });
      expectOk(spawnSync("node", [join(dir, "decode-tags.js"), input]));
      expectOk(spawnSync("node", [join(dir, "decode-tags.js")], { input }));
      expect(spawnSync("node", [join(dir, "decode-tags.js"), "--bogus"]).status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
