/**
 * dd-trace-js 6.21's own span enrichment (the root devDependency), driven
 * exactly as the tracer drives it: its `SpanEnrichmentHook.finally` is called
 * with the hook context and evaluation details the OpenFeature SDK passes,
 * against a fake tracer whose active span is the root, and the tags are read
 * from what the hook sets when the span-finish channel fires. Tests compare
 * flagpost with this byte for byte, and show the inputs where it is wrong.
 */
import { createRequire } from "node:module";
import type { EvaluationRecord } from "../../src/core/evaluation.ts";

const require = createRequire(import.meta.url);
const base = "dd-trace/packages/dd-trace/src/openfeature/";
const hookPath = require.resolve(`${base}span-enrichment-hook.js`);
const requireFromHook = createRequire(hookPath);

interface Hook {
  finally(hookContext: unknown, details: unknown): void;
  destroy(): void;
}
const SpanEnrichmentHook = require(hookPath) as new (tracer: unknown) => Hook;
const finishChannel = (requireFromHook("dc-polyfill") as { channel(name: string): { publish(message: unknown): void } })
  .channel("dd-trace:span:finish");

/** dd-trace-js's `SpanEnrichmentState` and limits, for the benchmark and limit tests. */
export const ddTraceSpanEnrichment = require(`${base}span-enrichment.js`) as {
  SpanEnrichmentState: new () => {
    addSerialId(id: number): boolean;
    addSubject(key: string, id: number): boolean;
    addDefault(flag: string, value: unknown): boolean;
    hasData(): boolean;
    toSpanTags(): Record<string, string>;
  };
  MAX_SERIAL_IDS: number;
  MAX_SUBJECTS: number;
  MAX_EXPERIMENTS_PER_SUBJECT: number;
  MAX_DEFAULTS: number;
  MAX_DEFAULT_VALUE_LENGTH: number;
};

/** dd-trace-js's encoder (`openfeature/encoding.js`). */
export const ddTraceEncoding = require(`${base}encoding.js`) as {
  encodeDeltaVarint(ids: Set<number>): string;
  encodeVarint(value: number): number[];
};

/** The tags dd-trace-js writes on a root span during which `records` were evaluated. */
export function ddTraceTags(records: readonly EvaluationRecord[]): Record<string, string> {
  const tags: Record<string, string> = {};
  const span = {
    context: () => ({ _trace: { started: [span] } }),
    setTag: (key: string, value: string) => {
      tags[key] = value;
    },
  };
  const tracer = { scope: () => ({ active: () => span }) };
  const hook = new SpanEnrichmentHook(tracer);
  try {
    for (const r of records) {
      const flagMetadata: Record<string, unknown> = { __dd_do_log: r.doLog };
      if (r.serialId !== undefined) flagMetadata.__dd_split_serial_id = r.serialId;
      const details: Record<string, unknown> = { flagKey: r.flagKey, value: r.value, flagMetadata };
      if (r.variant !== undefined) details.variant = r.variant;
      hook.finally({ flagKey: r.flagKey, context: r.targetingKey === undefined ? {} : { targetingKey: r.targetingKey } }, details);
    }
    finishChannel.publish(span);
  } finally {
    hook.destroy();
  }
  return tags;
}
