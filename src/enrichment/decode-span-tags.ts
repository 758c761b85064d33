/**
 * `decodeSpanTags`: the inverse of the accumulator, for users reading a span
 * in the Datadog UI (through the `decode-tags` CLI) and for tests that must
 * check tags with something other than the encoder. Every malformed input is
 * a `FlagpostError` whose `field` is the offending tag, so "which tag is
 * broken" never needs a stack trace.
 *
 * @module
 */
import { describeValue, FlagpostError } from "../core/errors.ts";
import { decodeSerialIds } from "./serial-ids.ts";
import { FFE_FLAGS_TAG, FFE_RUNTIME_DEFAULTS_TAG, FFE_SUBJECTS_TAG, type SpanEnrichmentTags } from "./tags.ts";

/**
 * What the three `ffe_*` tags say. A tag that is absent decodes to an empty
 * list or object.
 *
 * @example
 * ```ts
 * import type { DecodedSpanTags } from "flagpost";
 * const decoded: DecodedSpanTags = { serialIds: [100], subjects: {}, runtimeDefaults: {} };
 * console.log(decoded.serialIds);
 * ```
 */
export interface DecodedSpanTags {
  /** `ffe_flags_enc`: serial ids, ascending. */
  serialIds: number[];
  /** `ffe_subjects_enc`: lowercase hex SHA-256 of a targeting key → that subject's serial ids, ascending, in tag order. */
  subjects: Record<string, number[]>;
  /** `ffe_runtime_defaults`: flag key → the default value as the tracer stringified it. */
  runtimeDefaults: Record<string, string>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function malformed(tag: string, rule: string, cause?: unknown): FlagpostError {
  return new FlagpostError("invalid_encoding", `${tag}: ${rule}`, { field: tag, cause });
}

function readTag(tags: Readonly<Record<string, unknown>>, tag: string): string | undefined {
  const value = tags[tag];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw malformed(tag, `must be a string, got ${describeValue(value)}`);
  return value;
}

function ids(tag: string, text: string, where: string): number[] {
  try {
    return decodeSerialIds(text);
  } catch (e) {
    const detail = e instanceof FlagpostError ? e.message.replace(/^serialIds: |^varint: /, "") : String(e);
    throw malformed(tag, `${where}${detail}`, e);
  }
}

function jsonObject(tag: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw malformed(tag, `is not JSON (${describeValue(text)})`, e);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw malformed(tag, `must be a JSON object, got ${describeValue(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Decodes the `ffe_*` tags of a span's `meta` (other keys are ignored).
 * Throws `FlagpostError` (`invalid_encoding`, `field` = the tag) on bad
 * base64, a truncated or over-long varint, non-JSON, or a wrong shape (a tag that is not
 * a string, JSON that is not an object, a subject key that is not 64
 * lowercase hex characters, a value that is not a string).
 *
 * @example
 * ```ts
 * import { decodeSpanTags } from "flagpost";
 * const decoded = decodeSpanTags({
 *   ffe_flags_enc: "ZAgUAg==",
 *   ffe_subjects_enc: '{"de2176a6d99ec8259b004528b3aac7da3bad59e151ca0567f39706a079c03632":"bBQC"}',
 *   ffe_runtime_defaults: '{"nonexistent-flag":"my-default"}',
 * });
 * console.log(decoded.serialIds); // [100, 108, 128, 130]
 * console.log(decoded.subjects); // { "de2176a6…": [108, 128, 130] }
 * console.log(decoded.runtimeDefaults); // { "nonexistent-flag": "my-default" }
 * ```
 */
export function decodeSpanTags(tags: SpanEnrichmentTags | Readonly<Record<string, unknown>>): DecodedSpanTags {
  if (tags === null || typeof tags !== "object" || Array.isArray(tags)) {
    throw new FlagpostError("invalid_argument", `tags: must be an object of tag → string, got ${describeValue(tags)}`, {
      field: "tags",
    });
  }
  const meta = tags as Readonly<Record<string, unknown>>;
  const out: DecodedSpanTags = { serialIds: [], subjects: {}, runtimeDefaults: {} };

  const flags = readTag(meta, FFE_FLAGS_TAG);
  if (flags !== undefined) out.serialIds = ids(FFE_FLAGS_TAG, flags, "");

  const subjects = readTag(meta, FFE_SUBJECTS_TAG);
  if (subjects !== undefined) {
    for (const [key, value] of Object.entries(jsonObject(FFE_SUBJECTS_TAG, subjects))) {
      if (!SHA256_HEX.test(key)) {
        throw malformed(FFE_SUBJECTS_TAG, `key ${describeValue(key)} is not a lowercase hex SHA-256 (64 characters)`);
      }
      if (typeof value !== "string") {
        throw malformed(FFE_SUBJECTS_TAG, `value of ${key.slice(0, 12)}… must be an encoded id string, got ${describeValue(value)}`);
      }
      out.subjects[key] = ids(FFE_SUBJECTS_TAG, value, `value of ${key.slice(0, 12)}…: `);
    }
  }

  const defaults = readTag(meta, FFE_RUNTIME_DEFAULTS_TAG);
  if (defaults !== undefined) {
    for (const [flag, value] of Object.entries(jsonObject(FFE_RUNTIME_DEFAULTS_TAG, defaults))) {
      if (typeof value !== "string") {
        throw malformed(FFE_RUNTIME_DEFAULTS_TAG, `value of flag ${describeValue(flag)} must be a string, got ${describeValue(value)}`);
      }
      out.runtimeDefaults[flag] = value;
    }
  }
  return out;
}
