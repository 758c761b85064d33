/**
 * The one list of entries (scripts/entries.ts) and everything that must agree with it: package.json
 * (`exports`, `bin`, `main`, `types`), deno.json (`exports`, the self-imports examples use), tsconfig.json `paths`, the
 * runtime matrix's module loaders; and the two promises the package makes about imports:
 *  - lean install: the library's sources (every non-bundled entry) import at run time only the
 *    package's `dependencies` (type-only imports may name an optional peer);
 *  - Deno without node_modules: every bare import of a published source is mapped in deno.json `imports`.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { filesUnder } from "../../scripts/_files.ts";
import { BINS, denoExports, denoSelfImports, ENTRIES, packageBins, packageExports } from "../../scripts/entries.ts";

const root = join(import.meta.dir, "../..");
const readJson = (file: string) => JSON.parse(readFileSync(join(root, file), "utf8"));
const pkg = readJson("package.json");
const deno = readJson("deno.json");

/** Bare (package) imports of a file, with whether each is type-only. Comments (`@example`s) do not count. */
function bareImports(file: string): Array<{ spec: string; typeOnly: boolean }> {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out: Array<{ spec: string; typeOnly: boolean }> = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      const clause = ts.isImportDeclaration(n) ? n.importClause : undefined;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = ts.isImportDeclaration(n)
        ? clause !== undefined &&
          (clause.isTypeOnly || (clause.name === undefined && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly)))
        : n.isTypeOnly;
      out.push({ spec: n.moduleSpecifier.text, typeOnly });
    }
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = n.arguments[0];
      if (arg && ts.isStringLiteral(arg)) out.push({ spec: arg.text, typeOnly: false });
    }
    if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      out.push({ spec: n.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out.filter((i) => !i.spec.startsWith(".") && !i.spec.startsWith("/"));
}

const packageOf = (spec: string) => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");

describe("the one list of entries", () => {
  test("every entry's source exists and specifiers are unique", () => {
    expect(ENTRIES.filter((e) => !existsSync(join(root, e.source))).map((e) => e.source)).toEqual([]);
    expect(Object.values(BINS).filter((s) => !existsSync(join(root, s)))).toEqual([]);
    expect(new Set(ENTRIES.map((e) => e.specifier)).size).toBe(ENTRIES.length);
  });

  test("package.json exports, bin, main and types follow it (fix: bun scripts/entries.ts)", () => {
    expect(pkg.exports).toEqual(packageExports());
    expect(pkg.bin).toEqual(packageBins());
    expect(pkg.main).toBe("./dist/mod.js");
    expect(pkg.types).toBe("./dist/mod.d.ts");
  });

  test("deno.json exports and self-imports follow it (fix: bun scripts/entries.ts)", () => {
    expect(deno.exports).toEqual(denoExports());
    for (const [specifier, target] of Object.entries(denoSelfImports())) {
      expect({ specifier, target: deno.imports?.[specifier] }).toEqual({ specifier, target });
    }
    // Every published entry (and what it imports) is inside deno.json's publish list.
    const include: string[] = deno.publish?.include ?? [];
    for (const e of ENTRIES) {
      expect({
        source: e.source,
        published: include.some((p) => e.source === p || (p.endsWith("/") && e.source.startsWith(p))),
      }).toEqual({ source: e.source, published: true });
    }
  });

  test("tsconfig.json paths map every specifier to its source (a fresh clone type-checks before dist/ exists)", () => {
    const config = ts.parseConfigFileTextToJson("tsconfig.json", readFileSync(join(root, "tsconfig.json"), "utf8")).config;
    const expected = Object.fromEntries(ENTRIES.map((e) => [e.specifier, [`./${e.source}`]]));
    expect(config.compilerOptions.paths).toEqual(expected);
  });

  test("the runtime matrix loads exactly the entries that name a matrix key", () => {
    const matrix = ENTRIES.filter((e) => e.matrixKey !== undefined);
    const types = readFileSync(join(root, "tests/runtimes/types.ts"), "utf8");
    const sources = readFileSync(join(root, "tests/runtimes/entries/source-modules.ts"), "utf8");
    const declared = [...types.matchAll(/^\s+(\w+): typeof (\w+);$/gm)].map((m) => m[1]);
    expect(declared.toSorted()).toEqual(matrix.map((e) => e.matrixKey!).toSorted());
    for (const e of matrix) {
      const rel = relative(join(root, "tests/runtimes"), join(root, e.source));
      const fromEntries = relative(join(root, "tests/runtimes/entries"), join(root, e.source));
      expect({ entry: e.specifier, typed: types.includes(`"${rel}"`) }).toEqual({ entry: e.specifier, typed: true });
      expect({ entry: e.specifier, loaded: e.source === "mod.ts" || sources.includes(`"${fromEntries}"`) }).toEqual({
        entry: e.specifier,
        loaded: true,
      });
    }
  });
});

describe("imports", () => {
  const published = [join(root, "mod.ts"), ...filesUnder(join(root, "src"), ".ts"), ...filesUnder(join(root, "mock-agent"), ".ts")];

  test("the library (every non-bundled entry) needs only its runtime dependencies at run time", () => {
    const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
    const peers = new Set(Object.keys(pkg.peerDependencies ?? {}));
    const problems: string[] = [];
    for (const file of [join(root, "mod.ts"), ...filesUnder(join(root, "src"), ".ts")]) {
      for (const { spec, typeOnly } of bareImports(file)) {
        if (spec.startsWith("node:") && relative(root, file).startsWith("src/adapters/")) continue;
        const name = packageOf(spec);
        if (runtime.has(name) || (typeOnly && peers.has(name))) continue;
        problems.push(`${relative(root, file)} imports ${typeOnly ? "the types of " : ""}${spec}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("every bare import of a published source is mapped in deno.json imports (Deno needs no node_modules)", () => {
    const imports: Record<string, string> = deno.imports ?? {};
    const mapped = (spec: string) =>
      spec.startsWith("node:") || spec in imports || Object.keys(imports).some((k) => k.endsWith("/") && spec.startsWith(k));
    const problems = published.flatMap((file) =>
      bareImports(file).filter((i) => !mapped(i.spec)).map((i) => `${relative(root, file)} imports ${i.spec}`)
    );
    expect(problems).toEqual([]);
    for (const [key, target] of Object.entries(imports)) {
      if (key === "flagpost" || key.startsWith("flagpost/")) continue;
      expect({ key, target: target.startsWith("npm:") || target.startsWith("jsr:") }).toEqual({ key, target: true });
    }
  });
});
