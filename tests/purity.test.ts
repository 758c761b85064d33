/**
 * Runtime purity (DESIGN principle 1), enforced three ways:
 *  1. statically: nothing in mod.ts or src/ (outside src/adapters/) imports `node:*` or a Node
 *     builtin, or names `Buffer`, `process`, `Deno` or `Bun`; and every top-level statement is a
 *     declaration or a pure constant (no calls, no `new`, no timers, fetch or randomness at import);
 *  2. dynamically: importing every module with fetch, timers and randomness trapped touches none;
 *  3. esbuild bundles every public entry for `--platform=neutral` without error.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as esbuild from "esbuild";
import ts from "typescript";
import { filesUnder } from "../scripts/_files.ts";
import { ENTRIES } from "../scripts/entries.ts";

const root = join(import.meta.dir, "..");

const coreFiles = [join(root, "mod.ts"), ...filesUnder(join(root, "src"), ".ts")].filter((f) =>
  !relative(root, f).startsWith("src/adapters/")
);
const FORBIDDEN_GLOBALS = new Set(["Buffer", "process", "Deno", "Bun", "require", "__dirname", "__filename"]);
const NODE_BUILTINS = new Set([
  "fs",
  "path",
  "os",
  "http",
  "https",
  "net",
  "crypto",
  "url",
  "util",
  "events",
  "stream",
  "buffer",
  "child_process",
  "worker_threads",
  "zlib",
  "assert",
  "timers",
]);

/** A top-level initializer that cannot do work at import: literals, functions, frozen literals. */
function isPure(node: ts.Expression): boolean {
  if (
    ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node)
  ) {
    return isPure(node.expression);
  }
  if (
    ts.isNumericLiteral(node) || ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ||
    ts.isRegularExpressionLiteral(node) || ts.isBigIntLiteral(node)
  ) return true;
  if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) {
    return true;
  }
  if (ts.isIdentifier(node)) return node.text === "undefined" || !FORBIDDEN_GLOBALS.has(node.text);
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return true;
  if (ts.isPrefixUnaryExpression(node)) return isPure(node.operand);
  if (ts.isBinaryExpression(node)) return isPure(node.left) && isPure(node.right);
  if (ts.isTemplateExpression(node)) return node.templateSpans.every((s) => isPure(s.expression));
  if (ts.isArrayLiteralExpression(node)) return node.elements.every((e) => (ts.isSpreadElement(e) ? isPure(e.expression) : isPure(e)));
  if (ts.isObjectLiteralExpression(node)) {
    return node.properties.every((p) =>
      ts.isPropertyAssignment(p)
        ? isPure(p.initializer) && (!ts.isComputedPropertyName(p.name) || isPure(p.name.expression))
        : ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) ||
            ts.isSetAccessorDeclaration(p)
        ? true
        : ts.isSpreadAssignment(p) && isPure(p.expression)
    );
  }
  if (ts.isPropertyAccessExpression(node)) return isPure(node.expression);
  // Object.freeze of a pure literal is the one call allowed at module scope.
  if (ts.isCallExpression(node) && node.expression.getText() === "Object.freeze") return node.arguments.every(isPure);
  return false;
}

function problemsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const problems: string[] = [];
  const where = (n: ts.Node) => `${relative(root, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;

  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) {
      const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : "";
      if (spec.startsWith("node:") || NODE_BUILTINS.has(spec.split("/")[0]!)) problems.push(`${where(st)} imports ${spec}`);
      continue;
    }
    if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isFunctionDeclaration(st) || ts.isModuleDeclaration(st)) {
      continue;
    }
    if (ts.isEnumDeclaration(st)) continue;
    if (ts.isClassDeclaration(st)) {
      for (const m of st.members) {
        if (ts.isClassStaticBlockDeclaration(m)) problems.push(`${where(m)} has a static block (runs at import)`);
        if (
          ts.isPropertyDeclaration(m) && m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword) && m.initializer &&
          !isPure(m.initializer)
        ) {
          problems.push(`${where(m)} has a static initializer that runs at import`);
        }
      }
      continue;
    }
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (d.initializer && !isPure(d.initializer)) {
          problems.push(`${where(d)} runs code at module scope: ${d.initializer.getText().slice(0, 60)}`);
        }
      }
      continue;
    }
    problems.push(`${where(st)} is a top-level statement that runs at import: ${st.getText().slice(0, 60)}`);
  }

  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && FORBIDDEN_GLOBALS.has(n.text)) {
      const p = n.parent;
      const isMemberName = (ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n) ||
        (ts.isPropertySignature(p) && p.name === n) || (ts.isMethodDeclaration(p) && p.name === n) ||
        (ts.isPropertyDeclaration(p) && p.name === n);
      if (!isMemberName) problems.push(`${where(n)} uses ${n.text}`);
    }
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = n.arguments[0];
      if (arg && ts.isStringLiteral(arg) && (arg.text.startsWith("node:") || NODE_BUILTINS.has(arg.text))) {
        problems.push(`${where(n)} imports ${arg.text}`);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return problems;
}

describe("runtime purity", () => {
  test("there are core files to check", () => {
    expect(coreFiles.length).toBeGreaterThan(5);
  });
  for (const file of coreFiles) {
    test(`${relative(root, file)}: no runtime-specific API, nothing at module scope`, () => {
      expect(problemsOf(file)).toEqual([]);
    });
  }

  test("the checker itself catches what it must", () => {
    mkdirSync(join(root, ".tmp"), { recursive: true });
    const sample = join(root, ".tmp", "purity-sample.ts");
    const bad = [
      'import { readFileSync } from "node:fs";',
      'import os from "os";',
      "const started = Date.now();",
      "const cache = new Map();",
      "setTimeout(() => {}, 1);",
      "export function f() { return process.env.X ?? Buffer.from(''); }",
      "class K { static x = fetch('http://x'); }",
      "const ok = Object.freeze({ a: 1, b: [2, 3], c: () => 4 });",
    ].join("\n");
    writeFileSync(sample, bad);
    const found = problemsOf(sample).map((p) => p.replace(/^.*?:\d+ /, ""));
    expect(found).toEqual([
      "imports node:fs",
      "imports os",
      "runs code at module scope: Date.now()",
      "runs code at module scope: new Map()",
      "is a top-level statement that runs at import: setTimeout(() => {}, 1);",
      "has a static initializer that runs at import",
      "uses process",
      "uses Buffer",
    ]);
  });

  test("importing every core module touches no fetch, timer or randomness", async () => {
    const script = `
      const touched = [];
      const trap = (name) => (...a) => { touched.push(name); };
      globalThis.fetch = trap("fetch");
      globalThis.setTimeout = trap("setTimeout");
      globalThis.setInterval = trap("setInterval");
      globalThis.queueMicrotask = trap("queueMicrotask");
      Math.random = trap("Math.random");
      crypto.getRandomValues = trap("crypto.getRandomValues");
      crypto.randomUUID = trap("crypto.randomUUID");
      for (const f of ${JSON.stringify(coreFiles)}) await import(f);
      console.log(JSON.stringify(touched));
    `;
    const proc = Bun.spawn([process.execPath, "--eval", script], { stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual([]);
  });

  // Every entry that claims to run without Node built-ins (scripts/entries.ts: the one list of entries).
  for (const entry of ENTRIES.filter((e) => e.neutral && !e.bundled).map((e) => e.source)) {
    test(`esbuild bundles ${entry} for --platform=neutral`, async () => {
      const result = await esbuild.build({
        entryPoints: [join(root, entry)],
        bundle: true,
        format: "esm",
        platform: "neutral",
        mainFields: ["module", "main"],
        write: false,
        logLevel: "silent",
      });
      expect(result.errors).toEqual([]);
      const code = result.outputFiles[0]!.text;
      expect(code).not.toMatch(/from\s*["']node:|require\(["']node:/);
    });
  }
});
