/**
 * What `flagpost-decode-tags` does, apart from reading argv/stdin and
 * exiting (cli/decode-tags.ts does that per runtime): find the `ffe_*` tags
 * in whatever the user pasted from a span (its `meta` object, the whole
 * span, a list of spans or traces, or `tag=value` words) and render
 * `decodeSpanTags` readably. Kept apart so tests call it in-process.
 *
 * @module
 */
import { FlagpostError } from "../src/core/errors.ts";
import { sha256Hex } from "../src/core/sha256.ts";
import { type DecodedSpanTags, decodeSpanTags } from "../src/enrichment/decode-span-tags.ts";
import { FFE_FLAGS_TAG, FFE_RUNTIME_DEFAULTS_TAG, FFE_SUBJECTS_TAG } from "../src/enrichment/tags.ts";

/**
 * The command's usage text.
 *
 * @example
 * ```ts
 * import { USAGE } from "./_decode-tags.ts";
 * console.log(USAGE);
 * ```
 */
export const USAGE = `usage: flagpost-decode-tags [--json] [--targeting-key KEY]... ['<span meta as JSON>' | ffe_flags_enc=… …]
  Decodes the ffe_flags_enc, ffe_subjects_enc and ffe_runtime_defaults tags of a span.
  Input: a span's meta object, a span (with "meta"), a list of spans or traces (JSON), or
  tag=value words; read from standard input when no input argument is given.
  --json               print the decoded tags as JSON
  --targeting-key KEY  name the subject whose hash is sha256(KEY) (repeatable)`;

/**
 * Parsed command line.
 *
 * @example
 * ```ts
 * import type { DecodeTagsOptions } from "./_decode-tags.ts";
 * const options: DecodeTagsOptions = { json: true, targetingKeys: ["alice"], input: ["ffe_flags_enc=ZA=="] };
 * console.log(options.json);
 * ```
 */
export interface DecodeTagsOptions {
  json: boolean;
  targetingKeys: string[];
  /** The input words; empty means "read standard input". */
  input: string[];
}

/**
 * Parses argv; throws an Error naming the bad argument, or returns "help".
 *
 * @example
 * ```ts
 * import { parseDecodeTagsArgs } from "./_decode-tags.ts";
 * console.log(parseDecodeTagsArgs(["--json", "ffe_flags_enc=ZA=="])); // { json: true, targetingKeys: [], input: ["ffe_flags_enc=ZA=="] }
 * ```
 */
export function parseDecodeTagsArgs(argv: readonly string[]): DecodeTagsOptions | "help" {
  const out: DecodeTagsOptions = { json: false, targetingKeys: [], input: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--json") out.json = true;
    else if (arg === "--targeting-key" || arg.startsWith("--targeting-key=")) {
      const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      if (value === undefined) throw new Error("--targeting-key needs a value");
      out.targetingKeys.push(value);
    } else if (arg.startsWith("--")) throw new Error(`unknown option ${JSON.stringify(arg)}`);
    else out.input.push(arg);
  }
  return out;
}

const TAGS = [FFE_FLAGS_TAG, FFE_SUBJECTS_TAG, FFE_RUNTIME_DEFAULTS_TAG];

/**
 * One span's worth of tags found in the input, with where it was found.
 *
 * @example
 * ```ts
 * import type { FoundTags } from "./_decode-tags.ts";
 * const found: FoundTags = { where: "arguments", tags: { ffe_flags_enc: "ZA==" } };
 * console.log(found.where);
 * ```
 */
export interface FoundTags {
  where: string;
  tags: Record<string, unknown>;
}

function hasTags(o: Record<string, unknown>): boolean {
  return TAGS.some((t) => t in o);
}

function collect(value: unknown, where: string, out: FoundTags[], depth: number): void {
  if (depth > 4 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => collect(v, `${where}[${i}]`, out, depth + 1));
    return;
  }
  const o = value as Record<string, unknown>;
  if (hasTags(o)) out.push({ where, tags: o });
  else if (o.meta !== null && typeof o.meta === "object" && hasTags(o.meta as Record<string, unknown>)) {
    const name = typeof o.name === "string" ? ` (${o.name})` : "";
    out.push({ where: `${where}.meta${name}`, tags: o.meta as Record<string, unknown> });
  }
}

/**
 * Finds the tag sets in the input words. Throws `FlagpostError`
 * (`invalid_argument`, field `input`) when the input is neither JSON nor
 * `tag=value` words, or holds no `ffe_*` tag.
 *
 * @example
 * ```ts
 * import { findTags } from "./_decode-tags.ts";
 * console.log(findTags(['[{"name":"web","meta":{"ffe_flags_enc":"ZA=="}}]'])); // [{ where: "input[0].meta (web)", tags: {…} }]
 * ```
 */
export function findTags(words: readonly string[]): FoundTags[] {
  const text = words.join(" ").trim();
  const out: FoundTags[] = [];
  if (text.startsWith("{") || text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new FlagpostError("invalid_argument", `input: not valid JSON (${e instanceof Error ? e.message : String(e)})`, {
        field: "input",
      });
    }
    collect(parsed, "input", out, 0);
  } else {
    const tags: Record<string, string> = {};
    // One tag per argument or per line of standard input; a value may hold spaces, `=` and `:`.
    for (const word of words.flatMap((w) => w.split(/\r?\n/)).map((w) => w.trim()).filter((w) => w !== "")) {
      const separator = word.search(/[=:]/);
      if (separator <= 0) {
        throw new FlagpostError("invalid_argument", `input: ${JSON.stringify(word.slice(0, 40))} is neither JSON nor tag=value`, {
          field: "input",
        });
      }
      tags[word.slice(0, separator)] = word.slice(separator + 1);
    }
    if (hasTags(tags)) out.push({ where: "arguments", tags });
  }
  if (out.length === 0) {
    throw new FlagpostError("invalid_argument", `input: no ${TAGS.join(", ")} tag found`, { field: "input" });
  }
  return out;
}

/**
 * Human-readable rendering of one decoded tag set; `names` maps a subject hash to the targeting key given for it.
 *
 * @example
 * ```ts
 * import { formatDecoded } from "./_decode-tags.ts";
 * console.log(formatDecoded({ serialIds: [100], subjects: {}, runtimeDefaults: { f: "x" } }, new Map()));
 * ```
 */
export function formatDecoded(decoded: DecodedSpanTags, names: ReadonlyMap<string, string>): string {
  const lines: string[] = [];
  const n = decoded.serialIds.length;
  lines.push(`${FFE_FLAGS_TAG}: ${n} serial id${n === 1 ? "" : "s"}`);
  if (n > 0) lines.push(`  ${decoded.serialIds.join(", ")}`);
  const subjects = Object.entries(decoded.subjects);
  lines.push(`${FFE_SUBJECTS_TAG}: ${subjects.length} subject${subjects.length === 1 ? "" : "s"} (key = sha256 of the targeting key)`);
  for (const [hash, ids] of subjects) {
    const name = names.get(hash);
    lines.push(`  ${hash}${name === undefined ? "" : ` = sha256(${JSON.stringify(name)})`}: ${ids.join(", ")}`);
  }
  const defaults = Object.entries(decoded.runtimeDefaults);
  lines.push(`${FFE_RUNTIME_DEFAULTS_TAG}: ${defaults.length} flag${defaults.length === 1 ? "" : "s"} served the caller's default`);
  for (const [flag, value] of defaults) lines.push(`  ${flag} = ${JSON.stringify(value)}`);
  return lines.join("\n");
}

/**
 * Result of one run: what to print and the exit code (0 ok, 1 malformed tags or input, 2 usage).
 *
 * @example
 * ```ts
 * import type { DecodeTagsRun } from "./_decode-tags.ts";
 * const run: DecodeTagsRun = { stdout: "", stderr: "error: …", code: 1 };
 * console.log(run.code);
 * ```
 */
export interface DecodeTagsRun {
  stdout: string;
  stderr: string;
  code: 0 | 1 | 2;
}

/**
 * Runs the command on parsed arguments and the input text (argv words, or
 * standard input split into one word). Never throws.
 *
 * @example
 * ```ts
 * import { runDecodeTags } from "./_decode-tags.ts";
 * const run = await runDecodeTags(["ffe_flags_enc=ZAgUAg=="], () => Promise.resolve(""));
 * console.log(run.stdout); // ffe_flags_enc: 4 serial ids …
 * ```
 */
export async function runDecodeTags(argv: readonly string[], readStdin: () => Promise<string>): Promise<DecodeTagsRun> {
  let options: DecodeTagsOptions | "help";
  try {
    options = parseDecodeTagsArgs(argv);
  } catch (e) {
    return { stdout: "", stderr: `${e instanceof Error ? e.message : String(e)}\n${USAGE}`, code: 2 };
  }
  if (options === "help") return { stdout: USAGE, stderr: "", code: 0 };
  try {
    const words = options.input.length > 0 ? options.input : [await readStdin()];
    if (words.join("").trim() === "") return { stdout: "", stderr: `no input\n${USAGE}`, code: 2 };
    const found = findTags(words);
    const names = new Map<string, string>();
    for (const key of options.targetingKeys) names.set(await sha256Hex(key), key);
    const decoded = found.map((f) => ({ where: f.where, decoded: decodeSpanTags(f.tags) }));
    if (options.json) {
      const body = decoded.length === 1 ? decoded[0]!.decoded : decoded;
      return { stdout: JSON.stringify(body, null, 2), stderr: "", code: 0 };
    }
    const blocks = decoded.map((d) => (decoded.length > 1 ? `# ${d.where}\n` : "") + formatDecoded(d.decoded, names));
    return { stdout: blocks.join("\n\n"), stderr: "", code: 0 };
  } catch (e) {
    const message = e instanceof FlagpostError ? `error: ${e.message}` : `error: ${String(e)}`;
    return { stdout: "", stderr: message, code: 1 };
  }
}
