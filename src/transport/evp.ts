/**
 * Where an EVP track (`exposures`, `flagevaluation`) is delivered, and with
 * which headers — one rule for every writer that speaks EVP.
 *
 * Through the agent: `<agent>/evp_proxy/v2/api/v2/<track>` with
 * `X-Datadog-EVP-Subdomain: event-platform-intake`; the agent URL's scheme
 * and host:port are kept, its path and query replaced, its credentials
 * already moved into `Authorization` by `resolveConfig`.
 *
 * Agentless (an API key and no agent address configured):
 * `https://event-platform-intake.<site>/api/v2/<track>` with `DD-API-KEY`.
 * The key is a secret: it is never sent over plain HTTP to a host that is
 * not loopback, so such a target is refused when the writer is built, not
 * discovered at flush time.
 *
 * @module
 */
import { agentEndpoint, agentlessEvpUrl, type Config } from "../core/config.ts";
import { FlagpostError } from "../core/errors.ts";
import { AGENT_RETRY_POLICY, type RetryPolicy } from "./retry.ts";

/** Bytes of one EVP event (one exposure, one row): the intake's limit, 1 MiB − 1024. */
export const EVP_MAX_EVENT_BYTES = 1024 * 1024 - 1024;

/** Bytes of one EVP request body (Datadog's tracers cap at 5 MiB; the agent's proxy refuses more than 10 MiB). */
export const EVP_MAX_PAYLOAD_BYTES = 5 * 1024 * 1024;

let evpPolicy: RetryPolicy | undefined;

/**
 * The retry policy of every EVP track (exposures, flag evaluation rows): 429
 * and every 5xx answer and network errors, 3 s per attempt (the sidecar's
 * timeout), within the flush deadline. A timed-out attempt is not retried:
 * the agent may have accepted it, and a second POST would count those
 * events twice. Built on first use (nothing runs at module scope).
 *
 * @example
 * ```ts
 * import { evpRetryPolicy } from "./evp.ts"; // internal: the EVP writers pass it to the sender
 * console.log(evpRetryPolicy().timeoutMs, evpRetryPolicy().retryStatuses.includes(503)); // 3000 true
 * ```
 */
export function evpRetryPolicy(): RetryPolicy {
  if (evpPolicy === undefined) {
    const statuses = [429];
    for (let s = 500; s <= 599; s++) statuses.push(s);
    evpPolicy = Object.freeze({
      ...AGENT_RETRY_POLICY,
      retryStatuses: Object.freeze(statuses),
      retryNetworkErrors: true,
      retryTimeouts: false,
      timeoutMs: 3_000,
    });
  }
  return evpPolicy;
}

/** The EVP tracks flagpost writes. */
export type EvpTrack = "exposures" | "flagevaluation";

/** A resolved EVP destination. */
export interface EvpTarget {
  /** Full URL of the track's intake. */
  readonly url: string;
  /** Request headers (content type, EVP subdomain, and `DD-API-KEY` or the agent's `Authorization`). */
  readonly headers: Readonly<Record<string, string>>;
  /** True when sending straight to Datadog's intake with the API key. */
  readonly agentless: boolean;
}

/** Options of {@link evpTarget}. */
export interface EvpTargetOptions {
  /**
   * Base URL of the agentless intake instead of `https://event-platform-intake.<site>`
   * (a proxy, or the mock agent in tests). Plain `http:` is only allowed to a loopback host.
   */
  readonly agentlessBaseUrl?: string;
}

/** True for `localhost`, `127.0.0.0/8` and `::1` (the only hosts a key may reach over plain HTTP). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Resolves the destination of an EVP track from the configuration.
 * Throws `FlagpostError` (`invalid_config`) when agentless delivery would
 * send the API key over plain HTTP to a non-loopback host.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "flagpost";
 * import { evpTarget } from "./evp.ts"; // writers call this for you
 * const target = evpTarget(resolveConfig({ DD_AGENT_HOST: "agent" }), "exposures");
 * target.url; // "http://agent:8126/evp_proxy/v2/api/v2/exposures"
 * ```
 */
export function evpTarget(config: Config, track: EvpTrack, options: EvpTargetOptions = {}): EvpTarget {
  const agentless = config.apiKey !== undefined && !config.agentConfigured;
  if (!agentless) {
    return {
      url: agentEndpoint(config.agentUrl, `/evp_proxy/v2/api/v2/${track}`),
      headers: Object.freeze({
        ...config.agentHeaders,
        "Content-Type": "application/json",
        "X-Datadog-EVP-Subdomain": "event-platform-intake",
      }),
      agentless: false,
    };
  }
  let url: string;
  if (options.agentlessBaseUrl === undefined) {
    url = agentlessEvpUrl(config.site, track);
  } else {
    let base: URL;
    try {
      base = new URL(options.agentlessBaseUrl);
    } catch {
      throw new FlagpostError("invalid_config", `agentlessBaseUrl is not a valid URL`, { field: "agentlessBaseUrl" });
    }
    if (base.protocol !== "https:" && !(base.protocol === "http:" && isLoopbackHost(base.hostname))) {
      throw new FlagpostError(
        "invalid_config",
        `agentlessBaseUrl=${base.protocol}//${base.host}: the API key is only sent over https, or plain http to a loopback host`,
        { field: "agentlessBaseUrl" },
      );
    }
    url = `${base.origin}/api/v2/${track}`;
  }
  return {
    url,
    headers: Object.freeze({
      "Content-Type": "application/json",
      "X-Datadog-EVP-Subdomain": "event-platform-intake",
      "DD-API-KEY": config.apiKey!,
    }),
    agentless: true,
  };
}
