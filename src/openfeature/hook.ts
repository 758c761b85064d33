/**
 * The OpenFeature hook that feeds flagpost from any provider: in its
 * `finally` stage it turns the `EvaluationDetails` into one
 * `EvaluationRecord` and records it (exposures, metrics, span enrichment),
 * in the request scope of the evaluation.
 *
 * Typed against `@openfeature/core` only, so the same hook object works
 * with `@openfeature/server-sdk` and `@openfeature/web-sdk`. It is
 * synchronous and never throws: a hook that failed would turn telemetry
 * into a failed flag evaluation.
 *
 * Datadog's metadata keys are read from `flagMetadata`:
 * `__dd_allocation_key`, `__dd_do_log`, `__dd_split_serial_id`, and the
 * older `allocationKey` / `doLog`. Evaluations that a `FlagpostProvider`
 * given the same flagpost instance already recorded are recognised and not
 * counted again.
 *
 * @module
 */
import type { BaseHook, EvaluationDetails, FlagValue, HookContext, HookHints } from "@openfeature/core";
import type { EvaluationRecord } from "../core/evaluation.ts";
import type { RequestScope } from "../lifecycle/request-scope.ts";
import { type EvaluationRecorder, recordedMark } from "./_recorded-evaluation.ts";

/**
 * The hook hint that names the request scope of one evaluation explicitly
 * (for runtimes without `AsyncLocalStorage`).
 *
 * @example
 * ```ts
 * // (fragment) scope from flagpost.startRequest(), client from OpenFeature.getClient()
 * await client.getBooleanValue("new-checkout", false, { targetingKey: "u1" }, { hookHints: { [FLAGPOST_SCOPE_HINT]: scope } });
 * ```
 */
export const FLAGPOST_SCOPE_HINT = "flagpostScope";

/**
 * Options of `flagpost.hook()`.
 *
 * @example
 * ```ts
 * import { createFlagpost } from "flagpost";
 * const flagpost = createFlagpost({});
 * const scope = flagpost.startRequest({ name: "http.request", resource: "GET /" });
 * const hook = flagpost.hook({ scope }); // every evaluation through this hook belongs to this request
 * console.log(typeof hook.finally);
 * ```
 */
export interface FlagpostHookOptions {
  /** The request scope of every evaluation this hook sees (a per-request hook on a per-request client). */
  readonly scope?: RequestScope;
}

/** What the hook records into: the facade. */
export interface HookTarget {
  /** The flagpost instance; a provider given it marks what it recorded with it. */
  readonly owner: EvaluationRecorder;
  recordEvaluation(record: EvaluationRecord, scope?: RequestScope): void;
  currentScope(): RequestScope | undefined;
  now(): number;
  /** Counts a hook failure (never thrown). */
  countHookError(): void;
}

function metadataString(metadata: Readonly<Record<string, unknown>>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const v = metadata[key];
    if (typeof v === "string" && v !== "") return v;
  }
  return undefined;
}

function metadataBoolean(metadata: Readonly<Record<string, unknown>>, ...keys: string[]): boolean | undefined {
  for (const key of keys) {
    const v = metadata[key];
    if (typeof v === "boolean") return v;
    if (v === "true") return true;
    if (v === "false") return false;
  }
  return undefined;
}

function metadataSerialId(metadata: Readonly<Record<string, unknown>>): number | undefined {
  const v = metadata["__dd_split_serial_id"];
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Builds the `EvaluationRecord` of one OpenFeature evaluation from the
 * hook's context and the evaluation details.
 *
 * @example
 * ```ts
 * import { recordFromDetails } from "./hook.ts"; // internal: the hook and FlagpostProvider use it
 * const record = recordFromDetails(
 *   { flagKey: "f", context: { targetingKey: "user-1", plan: "pro" } },
 *   { flagKey: "f", value: true, variant: "on", reason: "TARGETING_MATCH", flagMetadata: { __dd_allocation_key: "a1", __dd_do_log: true, __dd_split_serial_id: 7 } },
 *   Date.now(),
 * );
 * console.log(record.allocationKey, record.serialId, record.attributes); // "a1" 7 { plan: "pro" }
 * ```
 */
export function recordFromDetails(
  hookContext: Pick<HookContext, "flagKey" | "context">,
  details: EvaluationDetails<FlagValue>,
  timestamp: number,
): EvaluationRecord {
  const metadata = (details.flagMetadata ?? {}) as Readonly<Record<string, unknown>>;
  const { targetingKey, ...attributes } = (hookContext.context ?? {}) as Record<string, unknown>;
  const variant = typeof details.variant === "string" ? details.variant : undefined;
  const code: unknown = details.errorCode;
  const errorCode = typeof code === "string" && code !== "" ? code : undefined;
  const reason = typeof details.reason === "string" && details.reason !== ""
    ? details.reason
    : errorCode !== undefined
    ? "ERROR"
    : "UNKNOWN";
  const allocationKey = metadataString(metadata, "__dd_allocation_key", "allocationKey");
  const doLog = variant === undefined ? false : metadataBoolean(metadata, "__dd_do_log", "doLog") ?? allocationKey !== undefined;
  return {
    flagKey: typeof details.flagKey === "string" ? details.flagKey : hookContext.flagKey,
    variant,
    value: details.value,
    reason,
    errorCode,
    allocationKey,
    serialId: metadataSerialId(metadata),
    doLog,
    targetingKey: typeof targetingKey === "string" ? targetingKey : undefined,
    attributes,
    timestamp,
  };
}

/**
 * flagpost's OpenFeature hook (get it from `flagpost.hook()`): records every
 * evaluation once, in its `finally` stage, into the request scope named by
 * the `flagpostScope` hook hint, else the hook's own scope, else the current
 * scope of the flagpost instance's scope store.
 *
 * @example
 * ```ts
 * import { OpenFeature } from "@openfeature/server-sdk";
 * import { createFlagpost } from "flagpost";
 * const flagpost = createFlagpost({ env: { DD_SERVICE: "shop" } });
 * OpenFeature.addHooks(flagpost.hook());
 * const value = await OpenFeature.getClient().getBooleanValue("new-checkout", false, { targetingKey: "user-1" });
 * console.log(value, flagpost.stats());
 * ```
 */
export class FlagpostHook implements BaseHook<FlagValue, Record<string, unknown>, void, void> {
  readonly #target: HookTarget;
  readonly #scope: RequestScope | undefined;

  constructor(target: HookTarget, options: FlagpostHookOptions = {}) {
    this.#target = target;
    this.#scope = options?.scope;
  }

  /** Records the evaluation. Synchronous; never throws. */
  finally(hookContext: Readonly<HookContext>, details: EvaluationDetails<FlagValue>, hints?: HookHints): void {
    try {
      const hinted = hints?.[FLAGPOST_SCOPE_HINT];
      const scope = (hinted !== null && typeof hinted === "object" ? hinted as RequestScope : undefined) ?? this.#scope ??
        this.#target.currentScope();
      const mark = recordedMark(details.flagMetadata);
      const owner = this.#target.owner;
      if (mark !== undefined && mark.recorder === owner) {
        if (scope !== undefined) owner.enrichRecorded?.(mark.record, scope);
        return;
      }
      this.#target.recordEvaluation(recordFromDetails(hookContext, details, this.#target.now()), scope);
    } catch {
      this.#target.countHookError();
    }
  }
}
