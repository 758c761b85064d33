/**
 * Listing files for the scripts and the package tests: one walker instead of one per script.
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Every file under `dir` (recursively) whose name ends with `suffix` (default: every file);
 * an absent `dir` has none.
 *
 * @example
 * ```ts
 * import { filesUnder } from "./_files.ts";
 * console.log(filesUnder("scripts", ".ts").length > 0); // true
 * ```
 */
export function filesUnder(dir: string, suffix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, suffix) : path.endsWith(suffix) ? [path] : [];
  });
}
