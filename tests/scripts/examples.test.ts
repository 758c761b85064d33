/** The examples checker finds what users can copy, skips what is marked a fragment, and resolves relative imports. */
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { absolutize, isFragment, jsdocExamples, markdownExamples } from "../../scripts/_examples.ts";

const root = join(import.meta.dir, "../..");
const dir = join(root, ".tmp", "examples-test");
mkdirSync(dir, { recursive: true });

describe("examples checker", () => {
  test("JSDoc: every code block of an @example tag, with its line; other tags and shell blocks are not examples", () => {
    const file = join(dir, "sample.ts");
    writeFileSync(
      file,
      [
        "/**", // 1
        " * Does a thing.", // 2
        " *", // 3
        " * @example", // 4
        " * ```ts", // 5
        ' * import { thing } from "flagpost";', // 6
        " * thing();", // 7
        " * ```", // 8
        " * @example", // 9
        " * ```sh", // 10
        " * npx thing", // 11
        " * ```", // 12
        " * @remarks", // 13
        " * ```ts", // 14
        " * notAnExample();", // 15
        " * ```", // 16
        " */", // 17
        "export function thing(): void {}", // 18
        "class K {", // 19
        "  /**", // 20
        "   * @example", // 21
        "   * ```ts", // 22
        "   * // (fragment): inside a handler", // 23
        "   * k.method();", // 24
        "   * ```", // 25
        "   */", // 26
        "  method(): void {}", // 27
        "}", // 28
      ].join("\n"),
    );
    const found = jsdocExamples(file, root).map((e) => ({ origin: e.origin, code: e.code, fragment: e.fragment }));
    expect(found).toEqual([
      { origin: ".tmp/examples-test/sample.ts:6", code: 'import { thing } from "flagpost";\nthing();', fragment: false },
      { origin: ".tmp/examples-test/sample.ts:23", code: "// (fragment): inside a handler\nk.method();", fragment: true },
    ]);
  });

  test("markdown: ts and js blocks are examples; sh, json and bare blocks are not", () => {
    const file = join(dir, "sample.md");
    writeFileSync(
      file,
      [
        "# Title",
        "",
        "```ts",
        "console.log(1);",
        "```",
        "",
        "```sh",
        "npm test",
        "```",
        "",
        "```",
        "output",
        "```",
        "",
        "```js",
        "/* (fragment) */",
        "x;",
        "```",
      ]
        .join("\n"),
    );
    expect(markdownExamples(file, root).map((e) => [e.origin, e.code, e.fragment])).toEqual([
      [".tmp/examples-test/sample.md:4", "console.log(1);", false],
      [".tmp/examples-test/sample.md:16", "/* (fragment) */\nx;", true],
    ]);
  });

  test("only a comment on the first line marks a fragment", () => {
    expect(isFragment("// (fragment) the rest of a handler\nuse(x);")).toBe(true);
    expect(isFragment("\n  /* (fragment) */ use(x);")).toBe(true);
    expect(isFragment("use(x);\n// (fragment)")).toBe(false);
    expect(isFragment('const s = "(fragment)";')).toBe(false);
  });

  test("relative imports resolve from the file the example is in; package imports are left alone", () => {
    const code =
      'import flags from "./examples/flags.json" with { type: "json" };\nimport { x } from "flagpost";\nawait import("../b.ts");';
    const out = absolutize(code, join(root, "README.md"), join(root, ".tmp-examples", "run-1", "001.ts"));
    expect(out).toBe(
      'import flags from "../../examples/flags.json" with { type: "json" };\nimport { x } from "flagpost";\nawait import("../../../b.ts");',
    );
  });
});
