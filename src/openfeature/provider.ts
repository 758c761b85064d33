/**
 * OpenFeature providers backed by flagpost's local UFC evaluator:
 * `FlagpostProvider` (server paradigm: `@openfeature/server-sdk`) and
 * `FlagpostWebProvider` (client paradigm: `@openfeature/web-sdk`). Both take
 * their configuration as an object or JSON text, from a URL (fetched with
 * `If-None-Match` and a bounded timeout, optionally polled), or pushed with
 * `setConfiguration()`.
 *
 * Every evaluation (success or error) is passed once to `onEvaluation`, the
 * seam that feeds exposures, metrics and span enrichment. A callback that
 * throws never changes the result.
 *
 * Only types come from `@openfeature/core`: no runtime dependency on OpenFeature.
 *
 * @module
 */
import type {
  ErrorCode,
  EvaluationContext as OpenFeatureContext,
  FlagMetadata,
  JsonValue,
  ResolutionDetails,
  ResolutionReason,
} from "@openfeature/core";
import { parseHttpUrl } from "../core/config.ts";
import { MAX_TIMER_MS } from "../core/delay.ts";
import { describeValue, FlagpostError } from "../core/errors.ts";
import { checkRequestHeaders } from "../core/http-headers.ts";
import { redactUrlCredentials } from "../core/redact.ts";
import type { EvaluationRecord } from "../core/evaluation.ts";
import { type Logger, safeLogger } from "../core/logger.ts";
import { evaluateFlag } from "../ufc/evaluate.ts";
import type { CompiledConfiguration, EvaluationContext, EvaluationResult, ExpectedType } from "../ufc/model.ts";
import { parseConfiguration } from "../ufc/parse.ts";
import { ProviderEventEmitter } from "./events.ts";
import { fetchConfiguration } from "./fetch-configuration.ts";
import { type EvaluationRecorder, markRecorded } from "./_recorded-evaluation.ts";

/**
 * A configuration as accepted by the providers: JSON text, a parsed object, or `parseConfiguration`'s result.
 *
 * @example
 * ```ts
 * import { type ConfigurationInput, FlagpostProvider } from "flagpost/openfeature";
 * import { parseConfiguration } from "flagpost/ufc";
 * const text = JSON.stringify({ flags: {} }); // e.g. the body of a fetch
 * const inputs: ConfigurationInput[] = [text, JSON.parse(text), parseConfiguration(text)];
 * for (const input of inputs) new FlagpostProvider().setConfiguration(input);
 * ```
 */
export type ConfigurationInput = string | object | CompiledConfiguration;

/**
 * Options shared by `FlagpostProvider` and `FlagpostWebProvider`.
 *
 * @example
 * ```ts
 * import { FlagpostProvider, type FlagpostProviderOptions } from "flagpost/openfeature";
 * const options: FlagpostProviderOptions = { url: "https://cdn.example/flags.json", timeoutMs: 3000, pollIntervalMs: 30_000 };
 * const provider = new FlagpostProvider(options); // fetches on initialize(), then every 30 s
 * ```
 */
export interface FlagpostProviderOptions {
  /** A UFC configuration (JSON text, object, or the result of `parseConfiguration`). */
  configuration?: ConfigurationInput;
  /**
   * Where to fetch the UFC configuration from (used when `configuration` is
   * absent, and by `refresh()`). `user:password@` in it is sent as an
   * `Authorization: Basic` header (unless `headers` has one) and never shown
   * in a message, event or log. Redirects are not followed.
   */
  url?: string | URL;
  /** Extra request headers for `url` (e.g. a client token). CR/LF/NUL and protocol headers (`host`, `content-length`, …) are refused. */
  headers?: Record<string, string>;
  /** Timeout of one fetch of `url`, body included. Default 5000 ms, at most 2^31 - 1. */
  timeoutMs?: number;
  /** Largest accepted configuration fetched from `url`, in bytes. Default 16 MiB. */
  maxConfigurationLength?: number;
  /** When set, `url` is fetched again every `pollIntervalMs` after initialization (minimum 1000). */
  pollIntervalMs?: number;
  /** The fetch to use (default: the global `fetch`). */
  fetch?: typeof fetch;
  /** Called once per evaluation, success or error. Its failures are logged and ignored. */
  onEvaluation?: (record: EvaluationRecord) => void;
  /**
   * A flagpost instance (`createFlagpost`): every evaluation is recorded
   * into it, once; its OpenFeature hook recognises these evaluations and does
   * not count them again.
   */
  flagpost?: EvaluationRecorder;
  /** Diagnostics (default: silent). */
  logger?: Logger;
  /** Clock for allocation date windows (default `Date.now`). */
  now?: () => number;
}

/**
 * Outcome of `refresh()`.
 *
 * @example
 * ```ts
 * import { FlagpostProvider, type RefreshResult } from "flagpost/openfeature";
 * const configs = [JSON.stringify({ flags: {} }), "not json"];
 * const provider = new FlagpostProvider({
 *   url: "https://cdn.example/flags.json",
 *   fetch: () => Promise.resolve(new Response(configs.shift())), // stands in for the network
 * });
 * const r: RefreshResult = await provider.refresh();
 * if (r.status === "updated") console.log(r.flagsChanged); // []
 * console.log((await provider.refresh()).status); // "error": the last good configuration keeps serving
 * ```
 */
export type RefreshResult =
  | { readonly status: "updated"; readonly flagsChanged: readonly string[] }
  | { readonly status: "not_modified" }
  | { readonly status: "error"; readonly message: string };

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_LENGTH = 16 * 1024 * 1024;

function isCompiled(input: object): input is CompiledConfiguration {
  return (input as { flags?: unknown }).flags instanceof Map;
}

function flagFingerprints(document: unknown): Map<string, string> | undefined {
  const flags = (document as { flags?: unknown })?.flags;
  if (typeof flags !== "object" || flags === null) return undefined;
  const out = new Map<string, string>();
  try {
    for (const [key, flag] of Object.entries(flags)) out.set(key, JSON.stringify(flag) ?? "");
  } catch {
    return undefined; // Unserializable: every flag counts as changed.
  }
  return out;
}

function positive(value: number | undefined, name: string, fallback: number, min = 1, max = Number.MAX_VALUE): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Number.MAX_VALUE ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new FlagpostError("invalid_argument", `${name} must be a finite number ${range}, got ${describeValue(value)}`, { field: name });
  }
  return value;
}

/**
 * What both providers share: configuration, events, evaluation and the
 * `onEvaluation` seam. Use `FlagpostProvider` or `FlagpostWebProvider`.
 *
 * @example
 * ```ts
 * import { FlagpostProvider, type FlagpostProviderBase, FlagpostWebProvider } from "flagpost/openfeature";
 * function watch(provider: FlagpostProviderBase) {
 *   provider.events.addHandler("PROVIDER_ERROR", (d) => console.warn(d?.message));
 * }
 * watch(new FlagpostProvider());
 * watch(new FlagpostWebProvider());
 * ```
 */
export abstract class FlagpostProviderBase {
  /** OpenFeature provider metadata. */
  readonly metadata = { name: "flagpost" } as const;
  /** Provider events: PROVIDER_READY, PROVIDER_CONFIGURATION_CHANGED, PROVIDER_ERROR. */
  readonly events: ProviderEventEmitter = new ProviderEventEmitter();

  #config: CompiledConfiguration | undefined;
  #fingerprints: Map<string, string> | undefined;
  #etag: string | undefined;
  #inError = false;
  #closed = false;
  #poll: ReturnType<typeof setTimeout> | undefined;
  readonly #url: string | undefined;
  /** Request headers for `url`: the caller's, plus `Authorization` from the URL's credentials. */
  readonly #headers: Record<string, string>;
  readonly #options: FlagpostProviderOptions;
  readonly #timeoutMs: number;
  readonly #maxLength: number;
  readonly #pollIntervalMs: number | undefined;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #onEvaluation: ((record: EvaluationRecord) => void) | undefined;
  readonly #flagpost: EvaluationRecorder | undefined;

  constructor(options: FlagpostProviderOptions = {}) {
    this.#options = options;
    this.#timeoutMs = positive(options.timeoutMs, "timeoutMs", DEFAULT_TIMEOUT_MS, 1, MAX_TIMER_MS);
    this.#maxLength = positive(options.maxConfigurationLength, "maxConfigurationLength", DEFAULT_MAX_LENGTH);
    this.#pollIntervalMs = options.pollIntervalMs === undefined
      ? undefined
      : positive(options.pollIntervalMs, "pollIntervalMs", 0, 1000, MAX_TIMER_MS);
    const headers = checkRequestHeaders("headers", options.headers, "invalid_argument");
    if (options.url !== undefined) {
      let endpoint: ReturnType<typeof parseHttpUrl>;
      try {
        endpoint = parseHttpUrl("url", String(options.url));
      } catch (e) {
        // Same rule and masked message as the agent URL, reported as a bad argument.
        throw new FlagpostError("invalid_argument", (e as Error).message, { field: "url" });
      }
      this.#url = endpoint.url.href;
      const explicitAuth = Object.keys(headers).some((name) => name.toLowerCase() === "authorization");
      if (endpoint.headers.Authorization !== undefined && !explicitAuth) headers.Authorization = endpoint.headers.Authorization;
    }
    this.#headers = headers;
    if (options.onEvaluation !== undefined && typeof options.onEvaluation !== "function") {
      throw new FlagpostError("invalid_argument", "onEvaluation must be a function", { field: "onEvaluation" });
    }
    this.#onEvaluation = options.onEvaluation;
    if (options.flagpost !== undefined && typeof options.flagpost?.recordEvaluation !== "function") {
      throw new FlagpostError("invalid_argument", "flagpost must be a flagpost instance (createFlagpost)", { field: "flagpost" });
    }
    this.#flagpost = options.flagpost;
    this.#logger = safeLogger(options.logger);
    this.#now = options.now ?? Date.now;
    if (options.configuration !== undefined) this.#install(options.configuration, false);
  }

  /** The compiled configuration in use, if any. */
  get configuration(): CompiledConfiguration | undefined {
    return this.#config;
  }

  /**
   * Called by the OpenFeature SDK: fetches `url` when no configuration was
   * given, and starts polling when `pollIntervalMs` is set. Rejects (the SDK
   * then reports PROVIDER_ERROR) when the first fetch fails.
   */
  async initialize(_context?: OpenFeatureContext): Promise<void> {
    if (this.#config === undefined && this.#url !== undefined) {
      const result = await this.refresh();
      // What the SDK's setProviderAndWait rejects with: a FlagpostError like every error flagpost raises.
      if (result.status === "error") {
        throw new FlagpostError("invalid_config", `flag configuration unavailable: ${result.message}`, { field: "url" });
      }
    }
    this.#schedulePoll();
  }

  /** Called by the OpenFeature SDK on shutdown or replacement: stops polling. */
  onClose(): Promise<void> {
    this.#closed = true;
    if (this.#poll !== undefined) clearTimeout(this.#poll);
    this.#poll = undefined;
    return Promise.resolve();
  }

  /**
   * Replaces the configuration. Emits PROVIDER_CONFIGURATION_CHANGED (with
   * `flagsChanged`), or PROVIDER_READY for the first configuration or after an
   * error. Throws `FlagpostError` when the document is unusable (the current
   * configuration stays).
   *
   * @example
   * ```ts
   * import { FlagpostProvider } from "flagpost/openfeature";
   * const provider = new FlagpostProvider();
   * provider.events.addHandler("PROVIDER_READY", () => console.log("ready"));
   * provider.setConfiguration(JSON.stringify({ flags: {} })); // e.g. the body of a fetch
   * ```
   */
  setConfiguration(configuration: ConfigurationInput): void {
    this.#install(configuration, true);
  }

  /**
   * Fetches `url` now (conditionally, with the last ETag). Never throws: a
   * failure is returned and emitted as PROVIDER_ERROR while the current
   * configuration keeps serving.
   *
   * @example
   * ```ts
   * import { FlagpostProvider } from "flagpost/openfeature";
   * const provider = new FlagpostProvider({
   *   url: "https://cdn.example/flags.json",
   *   // stands in for the network: the first answer carries an ETag, the next request sends it back
   *   fetch: (_url, init) =>
   *     Promise.resolve(
   *       new Headers(init?.headers).get("if-none-match") === '"v1"'
   *         ? new Response(null, { status: 304 })
   *         : new Response(JSON.stringify({ flags: {} }), { headers: { etag: '"v1"' } }),
   *     ),
   * });
   * console.log(await provider.refresh()); // { status: "updated", flagsChanged: [] }
   * console.log(await provider.refresh()); // { status: "not_modified" } while the ETag still matches
   * ```
   */
  async refresh(): Promise<RefreshResult> {
    if (this.#url === undefined) return { status: "error", message: "no url configured" };
    const fetched = await fetchConfiguration(this.#url, {
      etag: this.#etag,
      timeoutMs: this.#timeoutMs,
      maxLength: this.#maxLength,
      headers: this.#headers,
      fetch: this.#options.fetch,
    });
    if (fetched.status === "not_modified") return fetched;
    if (fetched.status === "error") return this.#fail(fetched.message);
    try {
      const changed = this.#install(fetched.text, true);
      this.#etag = fetched.etag;
      return { status: "updated", flagsChanged: changed };
    } catch (e) {
      return this.#fail((e as Error).message);
    }
  }

  #fail(reason: string): RefreshResult {
    // Messages reach events, logs and the caller: never with a password in them.
    const message = redactUrlCredentials(reason);
    this.#logger.warn("flag configuration refresh failed", { message });
    this.#inError = true;
    this.events.emit("PROVIDER_ERROR", { message, errorCode: "GENERAL" });
    return { status: "error", message };
  }

  #schedulePoll(): void {
    if (this.#pollIntervalMs === undefined || this.#url === undefined || this.#closed || this.#poll !== undefined) return;
    const tick = async () => {
      this.#poll = undefined;
      if (this.#closed) return;
      await this.refresh();
      if (this.#closed) return;
      this.#poll = setTimeout(tick, this.#pollIntervalMs);
      (this.#poll as { unref?: () => void }).unref?.();
    };
    this.#poll = setTimeout(tick, this.#pollIntervalMs);
    (this.#poll as { unref?: () => void }).unref?.();
  }

  /** Compiles and installs a configuration; returns the changed flag keys. */
  #install(input: ConfigurationInput, emit: boolean): string[] {
    let compiled: CompiledConfiguration;
    let fingerprints: Map<string, string> | undefined;
    if (typeof input === "string") {
      let document: unknown;
      try {
        document = JSON.parse(input);
      } catch (e) {
        throw new FlagpostError("invalid_config", `UFC configuration is not valid JSON: ${(e as Error).message}`, {
          field: "configuration",
          cause: e,
        });
      }
      compiled = parseConfiguration(document as object);
      fingerprints = flagFingerprints(document);
    } else if (typeof input === "object" && input !== null && isCompiled(input)) {
      compiled = input;
    } else if (typeof input === "object" && input !== null) {
      compiled = parseConfiguration(input);
      fingerprints = flagFingerprints(input);
    } else {
      throw new FlagpostError("invalid_config", `a configuration must be JSON text or an object, got ${describeValue(input)}`, {
        field: "configuration",
      });
    }
    for (const bad of compiled.invalidFlags) this.#logger.warn("flag configuration is invalid", { flag: bad.key, message: bad.message });

    const previous = this.#config;
    const previousPrints = this.#fingerprints;
    const changed = new Set<string>();
    for (const key of compiled.flags.keys()) {
      if (previous === undefined || fingerprints === undefined || previousPrints === undefined) changed.add(key);
      else if (previousPrints.get(key) !== fingerprints.get(key)) changed.add(key);
    }
    if (previous !== undefined) { for (const key of previous.flags.keys()) if (!compiled.flags.has(key)) changed.add(key); }
    this.#config = compiled;
    this.#fingerprints = fingerprints;
    const flagsChanged = [...changed];
    if (emit) {
      if (previous === undefined || this.#inError) this.events.emit("PROVIDER_READY", {});
      if (previous !== undefined) this.events.emit("PROVIDER_CONFIGURATION_CHANGED", { flagsChanged });
    }
    this.#inError = false;
    return flagsChanged;
  }

  /**
   * Evaluates one flag and returns OpenFeature resolution details, calling
   * `onEvaluation` once.
   */
  protected resolve<T>(
    flagKey: string,
    expectedType: ExpectedType,
    defaultValue: T,
    context: OpenFeatureContext | undefined,
  ): ResolutionDetails<T> {
    const ctx = (context ?? {}) as EvaluationContext;
    const now = this.#now();
    const result = evaluateFlag(this.#config, flagKey, expectedType, defaultValue, ctx, now);
    const details = toDetails(result);
    if (this.#onEvaluation !== undefined || this.#flagpost !== undefined) this.#record(flagKey, result, ctx, now, details);
    return details;
  }

  #record(
    flagKey: string,
    result: EvaluationResult<unknown>,
    context: EvaluationContext,
    now: number,
    details: ResolutionDetails<unknown>,
  ): void {
    try {
      const { targetingKey, ...attributes } = context;
      const record: EvaluationRecord = {
        flagKey,
        variant: result.variant,
        value: result.value,
        reason: result.reason,
        errorCode: result.errorCode,
        allocationKey: result.allocationKey,
        serialId: result.serialId,
        doLog: result.doLog,
        targetingKey: typeof targetingKey === "string" ? targetingKey : undefined,
        attributes,
        timestamp: now,
        observeFullEvaluationData: this.#config?.observeFullEvaluationData === true,
      };
      if (this.#flagpost !== undefined) {
        markRecorded(details.flagMetadata ??= {}, this.#flagpost, record);
        this.#flagpost.recordEvaluation(record);
      }
      if (this.#onEvaluation === undefined) return;
      const returned: unknown = this.#onEvaluation(record);
      if (returned instanceof Promise) {
        returned.catch((e: unknown) => this.#logger.warn("onEvaluation rejected", { flagKey, error: String(e) }));
      }
    } catch (e) {
      this.#logger.warn("onEvaluation threw", { flagKey, error: String(e) });
    }
  }
}

function toDetails<T>(result: EvaluationResult<T>): ResolutionDetails<T> {
  const details: ResolutionDetails<T> = { value: result.value, reason: result.reason as ResolutionReason };
  if (result.variant !== undefined) {
    details.variant = result.variant;
    const metadata: FlagMetadata = { __dd_do_log: result.doLog };
    if (result.allocationKey !== undefined) metadata.__dd_allocation_key = result.allocationKey;
    if (result.serialId !== undefined) metadata.__dd_split_serial_id = result.serialId;
    details.flagMetadata = metadata;
  }
  if (result.errorCode !== undefined) details.errorCode = result.errorCode as ErrorCode;
  if (result.errorMessage !== undefined) details.errorMessage = result.errorMessage;
  return details;
}

/**
 * OpenFeature provider for the server paradigm (`@openfeature/server-sdk`):
 * flags are evaluated locally against a UFC configuration.
 *
 * @example
 * ```ts
 * import { OpenFeature } from "@openfeature/server-sdk";
 * import { FlagpostProvider } from "flagpost/openfeature";
 * const configuration = { flags: {} }; // or url: "https://cdn.example/flags.json"
 * await OpenFeature.setProviderAndWait(
 *   new FlagpostProvider({ configuration, onEvaluation: (r) => console.log(r.flagKey, r.reason, r.errorCode) }),
 * );
 * const enabled = await OpenFeature.getClient().getBooleanValue("new-checkout", false, { targetingKey: "user-1" });
 * console.log(enabled); // false: the flag is not in the configuration (FLAG_NOT_FOUND)
 * await OpenFeature.close();
 * ```
 */
export class FlagpostProvider extends FlagpostProviderBase {
  /** Tells the OpenFeature SDK which paradigm this provider serves. */
  readonly runsOn = "server" as const;

  /** Resolves a boolean flag. */
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: OpenFeatureContext): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.resolve(flagKey, "boolean", defaultValue, context));
  }

  /** Resolves a string flag. */
  resolveStringEvaluation(flagKey: string, defaultValue: string, context: OpenFeatureContext): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.resolve(flagKey, "string", defaultValue, context));
  }

  /** Resolves a number flag (INTEGER or NUMERIC). */
  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: OpenFeatureContext): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.resolve(flagKey, "number", defaultValue, context));
  }

  /** Resolves a JSON flag. */
  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: OpenFeatureContext,
  ): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.resolve(flagKey, "object", defaultValue, context));
  }
}

/**
 * OpenFeature provider for the client paradigm (`@openfeature/web-sdk`):
 * synchronous, local evaluation against a UFC configuration.
 *
 * @example
 * ```ts
 * import { OpenFeature } from "@openfeature/web-sdk";
 * import { FlagpostWebProvider } from "flagpost/openfeature";
 * await OpenFeature.setContext({ targetingKey: "user-1" });
 * await OpenFeature.setProviderAndWait(new FlagpostWebProvider({ configuration: { flags: {} } }));
 * console.log(OpenFeature.getClient().getBooleanValue("new-checkout", false)); // false (FLAG_NOT_FOUND)
 * await OpenFeature.close();
 * ```
 */
export class FlagpostWebProvider extends FlagpostProviderBase {
  /** Tells the OpenFeature SDK which paradigm this provider serves. */
  readonly runsOn = "client" as const;

  /** Resolves a boolean flag. */
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: OpenFeatureContext): ResolutionDetails<boolean> {
    return this.resolve(flagKey, "boolean", defaultValue, context);
  }

  /** Resolves a string flag. */
  resolveStringEvaluation(flagKey: string, defaultValue: string, context: OpenFeatureContext): ResolutionDetails<string> {
    return this.resolve(flagKey, "string", defaultValue, context);
  }

  /** Resolves a number flag (INTEGER or NUMERIC). */
  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: OpenFeatureContext): ResolutionDetails<number> {
    return this.resolve(flagKey, "number", defaultValue, context);
  }

  /** Resolves a JSON flag. */
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: OpenFeatureContext): ResolutionDetails<T> {
    return this.resolve(flagKey, "object", defaultValue, context);
  }
}
