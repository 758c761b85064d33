/**
 * flagpost/openfeature: OpenFeature providers (server and web paradigms)
 * evaluating flags locally with flagpost's UFC evaluator.
 *
 * This module only re-exports. `@openfeature/core` is an optional peer
 * dependency: the providers' declarations name its types, and no OpenFeature
 * package is needed at run time. On workers use `@openfeature/web-sdk` or
 * `@openfeature/core` (the server SDK does not bundle without Node compatibility).
 *
 * @example
 * ```ts
 * import { OpenFeature } from "@openfeature/server-sdk";
 * import { FlagpostProvider } from "flagpost/openfeature";
 *
 * const configuration = {
 *   flags: {
 *     "new-checkout": {
 *       key: "new-checkout",
 *       enabled: true,
 *       variationType: "BOOLEAN",
 *       variations: { on: { key: "on", value: true } },
 *       allocations: [{ key: "everyone", splits: [{ variationKey: "on", shards: [] }], doLog: true }],
 *     },
 *   },
 * };
 * await OpenFeature.setProviderAndWait(new FlagpostProvider({ configuration }));
 * const enabled = await OpenFeature.getClient().getBooleanValue("new-checkout", false, { targetingKey: "user-1" });
 * console.log(enabled); // true
 * await OpenFeature.close();
 * ```
 *
 * @module
 */
export {
  type ConfigurationInput,
  FlagpostProvider,
  FlagpostProviderBase,
  type FlagpostProviderOptions,
  FlagpostWebProvider,
  type RefreshResult,
} from "./provider.ts";
export type { EvaluationRecord } from "../core/evaluation.ts";
export { FLAGPOST_SCOPE_HINT, FlagpostHook, type FlagpostHookOptions } from "./hook.ts";
export type { EvaluationRecorder } from "./_recorded-evaluation.ts";
export { type FlagpostProviderEvent, type ProviderEventDetails, ProviderEventEmitter, type ProviderEventHandler } from "./events.ts";
export { type ConfigurationFetchOptions, type ConfigurationFetchResult, fetchConfiguration } from "./fetch-configuration.ts";
