/**
 * A minimal provider event emitter, structurally what the OpenFeature SDKs
 * expect on `provider.events` (`addHandler`, `removeHandler`, …), so the
 * provider needs no runtime dependency on OpenFeature.
 *
 * @module
 */

/** The provider events flagpost emits. */
export type FlagpostProviderEvent = "PROVIDER_READY" | "PROVIDER_ERROR" | "PROVIDER_CONFIGURATION_CHANGED" | "PROVIDER_STALE";

/** Details passed to a handler (OpenFeature's event details). */
export interface ProviderEventDetails {
  readonly message?: string;
  readonly flagsChanged?: string[];
  readonly errorCode?: string;
  readonly [key: string]: unknown;
}

/** A handler; its result (or rejection) is ignored. */
// deno-lint-ignore no-explicit-any
export type ProviderEventHandler = (details?: any) => unknown;

/**
 * Event emitter for a flagpost provider. A handler that throws or rejects
 * never affects the provider or the other handlers.
 *
 * @example
 * ```ts
 * import { FlagpostProvider } from "flagpost/openfeature";
 * const provider = new FlagpostProvider({ url: "https://config.example/flags.json" }); // fetched on initialize()
 * provider.events.addHandler("PROVIDER_CONFIGURATION_CHANGED", (d) => console.log(d?.flagsChanged));
 * ```
 */
export class ProviderEventEmitter {
  readonly #handlers = new Map<string, ProviderEventHandler[]>();

  /** Calls every handler of `eventType` with `details`. */
  emit(eventType: string, details?: ProviderEventDetails): void {
    const handlers = this.#handlers.get(eventType);
    if (handlers === undefined) return;
    for (const handler of [...handlers]) {
      try {
        const result = handler(details ?? {});
        if (result instanceof Promise) result.catch(() => {});
      } catch {
        // A failing handler is the handler's problem.
      }
    }
  }

  /** Registers `handler` for `eventType`. */
  addHandler(eventType: string, handler: ProviderEventHandler): void {
    const list = this.#handlers.get(eventType);
    if (list === undefined) this.#handlers.set(eventType, [handler]);
    else list.push(handler);
  }

  /** Removes one registration of `handler` for `eventType`. */
  removeHandler(eventType: string, handler: ProviderEventHandler): void {
    const list = this.#handlers.get(eventType);
    if (list === undefined) return;
    const i = list.lastIndexOf(handler);
    if (i !== -1) list.splice(i, 1);
  }

  /** Removes every handler of `eventType`, or every handler when omitted. */
  removeAllHandlers(eventType?: string): void {
    if (eventType === undefined) this.#handlers.clear();
    else this.#handlers.delete(eventType);
  }

  /** The handlers registered for `eventType`. */
  getHandlers(eventType: string): ProviderEventHandler[] {
    return [...(this.#handlers.get(eventType) ?? [])];
  }

  /** Accepted for OpenFeature compatibility; handlers' failures are swallowed, not logged. */
  setLogger(_logger: unknown): this {
    return this;
  }
}
