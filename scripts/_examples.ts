/**
 * Finding the examples a user can copy (scripts/examples.ts checks them): the code blocks of
 * `@example` tags in JSDoc and the ts/js blocks of markdown, with where each comes from, and the
 * "(fragment)" convention for a block that is not a whole program.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

const CODE_LANGS = new Set(["", "ts", "typescript", "js", "javascript", "mjs", "mts"]);

/** One code block a user could copy. */
export interface Example {
  /** "path:line" of the block's first code line. */
  origin: string;
  file: string;
  code: string;
  fragment: boolean;
}

/** A block whose first line is a comment containing "(fragment)": a piece of a program, not checked. */
export const isFragment = (code: string): boolean => {
  const first = code.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return (first.startsWith("//") || first.startsWith("/*")) && first.includes("(fragment)");
};

/** Fenced blocks of `lines` (already stripped of comment decoration), with the fence's line index. */
function fencedBlocks(lines: string[]): Array<{ lang: string; start: number; code: string }> {
  const out: Array<{ lang: string; start: number; code: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(fence!); j++) body.push(lines[j]!.slice(indent!.length));
    out.push({ lang: lang!.toLowerCase(), start: i + 1, code: body.join("\n") });
    i = j;
  }
  return out;
}

/** The ts/js fenced blocks of a markdown file. */
export function markdownExamples(file: string, root: string): Example[] {
  const lines = readFileSync(file, "utf8").split("\n");
  return fencedBlocks(lines)
    .filter((b) => b.lang !== "" && CODE_LANGS.has(b.lang))
    .map((b) => ({ origin: `${relative(root, file)}:${b.start + 1}`, file, code: b.code, fragment: isFragment(b.code) }));
}

/** The code blocks of every `@example` tag in the JSDoc comments of a source file. */
export function jsdocExamples(file: string, root: string): Example[] {
  const text = readFileSync(file, "utf8");
  const out: Example[] = [];
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, m.index).split("\n").length;
    const lines = m[0].split("\n").map((l) => l.replace(/^\s*\/?\*+\/?\s?/, "").replace(/\s*\*\/$/, ""));
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i]!)) continue;
      let end = i + 1;
      while (end < lines.length && !/^@\w+/.test(lines[end]!)) end++;
      const tagLines = lines.slice(i + 1, end);
      for (const b of fencedBlocks(tagLines).filter((b) => CODE_LANGS.has(b.lang))) {
        out.push({ origin: `${relative(root, file)}:${startLine + i + 1 + b.start}`, file, code: b.code, fragment: isFragment(b.code) });
      }
      i = end - 1;
    }
  }
  return out;
}

/** Relative module specifiers in an example are relative to the file the example is in. */
export function absolutize(code: string, file: string, outFile: string): string {
  return code.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.\.?\/[^"']*)\2/g, (_m, lead: string, q: string, spec: string) => {
    let rel = relative(dirname(outFile), resolve(dirname(file), spec));
    if (!rel.startsWith(".")) rel = `./${rel}`;
    return `${lead}${q}${rel}${q}`;
  });
}
