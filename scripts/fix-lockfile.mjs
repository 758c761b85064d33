// Keeps package-lock.json installable with `npm ci` on this project's registry.
//
// The `deno` npm package lists optional binaries for every platform, but the
// registry this project installs from carries only some of them (here:
// @deno/linux-x64-glibc). `npm install` then writes a lockfile without the
// others, and `npm ci` refuses it ("Missing: @deno/darwin-arm64@ from lock
// file"). This adds a platform-gated entry for each missing optional binary;
// npm skips them on other platforms, so nothing is ever fetched for them.
//
// usage: node scripts/fix-lockfile.mjs   (after any `npm install`)
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const OS = { darwin: "darwin", linux: "linux", win32: "win32" };
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const target = `node_modules/${dep}`;
    if (lock.packages[target] !== undefined) continue;
    const m = /^@[\w-]+\/(darwin|linux|win32)-(x64|arm64)(?:-(glibc|musl))?$/.exec(dep);
    if (m === null) throw new Error(`${key}: optional dependency ${dep} is missing from the lockfile and its platform is unknown`);
    lock.packages[target] = { version, dev: entry.dev, optional: true, os: [OS[m[1]]], cpu: [m[2]], ...(m[3] ? { libc: [m[3]] } : {}) };
    added++;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`fix-lockfile: added ${added} platform-gated optional entries`);
