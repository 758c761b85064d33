/**
 * flagpost/openfeature: OpenFeature providers (server and web paradigms)
 * evaluating flags locally with flagpost's UFC evaluator.
 *
 * This module only re-exports.
 *
 * @example
 * ```ts
 * import { OpenFeature } from "@openfeature/server-sdk";
 * import { FlagpostProvider } from "flagpost/openfeature";
 * await OpenFeature.setProviderAndWait(new FlagpostProvider({ configuration: ufcJson }));
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
export { type FlagpostProviderEvent, type ProviderEventDetails, ProviderEventEmitter, type ProviderEventHandler } from "./events.ts";
export { type ConfigurationFetchOptions, type ConfigurationFetchResult, fetchConfiguration } from "./fetch-configuration.ts";
