/**
 * Configuration: an environment *record* (never a global) → a validated,
 * frozen {@link Config}. Adapters pass their runtime's environment (Node's and
 * Bun's process environment, Deno's env object, a worker's `env` binding);
 * tests pass literals.
 *
 * Values are strict, because a lenient parse becomes a leak or a late crash:
 * `DD_AGENT_HOST` must be a host name or IP literal (not something that
 * rewrites the URL), ports are plain digits 1–65535, headers that would fail
 * at send time are refused here, timeouts fit a timer (≤ 2^31 − 1 ms), and
 * credentials in any URL become an `Authorization: Basic` header and leave the
 * URL. Every rejection names the variable and shows its value with passwords
 * masked (`user:***@`); API keys and header values are never shown.
 *
 * @module
 */
import { encodeBase64 } from "./base64.ts";
import { MAX_TIMER_MS } from "./delay.ts";
import { describeValue, FlagpostError } from "./errors.ts";
import { checkRequestHeader, checkRequestHeaders, isSecretHeaderName } from "./http-headers.ts";
import { printedMasked } from "./redact.ts";

/** An environment record: variable name → value. `undefined` means unset. */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/** Where and how evaluation metrics are sent (OTLP/HTTP protobuf). */
export interface OtlpMetricsConfig {
  /** Full URL of the metrics endpoint, e.g. `http://localhost:4318/v1/metrics`. */
  readonly endpoint: string;
  /** Extra request headers (e.g. `api-key`), from `OTEL_EXPORTER_OTLP_*HEADERS`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Per-request timeout in milliseconds (OTel default 10,000). */
  readonly timeoutMs: number;
  /**
   * `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`:
   * `http/protobuf` (default) or `http/json`. `grpc` is refused: fetch on
   * workers cannot speak HTTP/2 trailers.
   */
  readonly protocol: OtlpProtocol;
}

/** OTLP transports flagpost can send with fetch. */
export type OtlpProtocol = "http/protobuf" | "http/json";

/** Caps on every queue, cache and aggregation (principle 3: bounded everything). */
export interface Limits {
  /** Entries in the exposure dedupe LRU. Default 65,536; 0 disables deduplication. */
  readonly exposureCacheSize: number;
  /** Exposures waiting for the next flush; overflow is dropped and counted. Default 10,000. */
  readonly maxQueuedExposures: number;
  /** Bytes in one exposures request body. Default 5 MiB. */
  readonly maxExposurePayloadBytes: number;
  /** Distinct attribute sets aggregated per flush for `feature_flag.evaluations`. Default 2,000. */
  readonly maxMetricPoints: number;
  /** Finished trace chunks waiting for the next flush. Default 1,000. */
  readonly maxQueuedTraceChunks: number;
  /** Bytes in one trace request body (the agent refuses more than 25 MiB); larger sends are split. Default 25 MiB. */
  readonly maxTracePayloadBytes: number;
  /** Flag-evaluation rows per window (dd-trace-js: 131,072). */
  readonly maxFlagEvaluationRows: number;
  /** Rows per flag per window before its evaluations go to degraded rows without subject (dd-trace-js: 10,000). */
  readonly maxFlagEvaluationRowsPerFlag: number;
  /** Degraded rows (no subject, no context) per window; beyond, evaluations are dropped and counted (dd-trace-js: 32,768). */
  readonly maxDegradedFlagEvaluationRows: number;
}

/**
 * The resolved configuration every part of flagpost reads. It prints safely:
 * `JSON.stringify` and `console.log` show `apiKey` and secret header values
 * as `***` (see {@link resolveConfig}).
 */
export interface Config {
  readonly service: string | undefined;
  readonly env: string | undefined;
  readonly version: string | undefined;
  /** Agent base URL (scheme, host and port only: no credentials, no path), e.g. `http://localhost:8126`. */
  readonly agentUrl: string;
  /**
   * Whether the agent's address was configured (`DD_TRACE_AGENT_URL`,
   * `DD_AGENT_HOST`, `DD_TRACE_AGENT_PORT` or `agentUrl`). With an API key
   * and no configured agent, EVP tracks go agentless.
   */
  readonly agentConfigured: boolean;
  /** Headers every agent request carries: `Authorization: Basic …` when the agent URL had credentials. */
  readonly agentHeaders: Readonly<Record<string, string>>;
  /** `DD_API_KEY`, for agentless delivery. */
  readonly apiKey: string | undefined;
  /** `DD_SITE`, default `datadoghq.com`. */
  readonly site: string;
  readonly otlpMetrics: OtlpMetricsConfig;
  /** `DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED`; off means no enrichment work at all. */
  readonly spanEnrichmentEnabled: boolean;
  /** `DD_METRICS_OTEL_ENABLED`: send `feature_flag.evaluations`. */
  readonly metricsEnabled: boolean;
  /** `DD_FLAGGING_EVALUATION_COUNTS_ENABLED` (default true): send EVP `flagevaluation` rows. */
  readonly flagEvaluationsEnabled: boolean;
  /** `DD_TRACE_ENABLED` (default true): send the request traces that carry the `ffe_*` tags. */
  readonly tracesEnabled: boolean;
  /** Upper bound of one `flush()`, in milliseconds. Default 5,000 (inside Cloudflare's 30 s `waitUntil`). */
  readonly flushDeadlineMs: number;
  readonly limits: Limits;
}

/** Values that override what the environment says. */
export interface ConfigOverrides {
  service?: string;
  env?: string;
  version?: string;
  agentUrl?: string;
  apiKey?: string;
  site?: string;
  otlpMetrics?: Partial<OtlpMetricsConfig>;
  spanEnrichmentEnabled?: boolean;
  metricsEnabled?: boolean;
  flagEvaluationsEnabled?: boolean;
  tracesEnabled?: boolean;
  flushDeadlineMs?: number;
  limits?: Partial<Limits>;
}

/** Default caps. */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  exposureCacheSize: 65_536,
  maxQueuedExposures: 10_000,
  maxExposurePayloadBytes: 5 * 1024 * 1024,
  maxMetricPoints: 2_000,
  maxQueuedTraceChunks: 1_000,
  maxTracePayloadBytes: 25 * 1024 * 1024,
  maxFlagEvaluationRows: 131_072,
  maxFlagEvaluationRowsPerFlag: 10_000,
  maxDegradedFlagEvaluationRows: 32_768,
});

const DEFAULT_OTLP_TIMEOUT_MS = 10_000;
const DEFAULT_FLUSH_DEADLINE_MS = 5_000;

function invalid(field: string, value: unknown, rule: string): FlagpostError {
  return new FlagpostError("invalid_config", `${field}=${describeValue(value)}: ${rule}`, { field });
}

/** Reads a variable, treating the empty string as unset (as Datadog's tracers do). */
function read(env: EnvRecord, name: string): string | undefined {
  const v = env[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(name, v, "must be a string");
  const t = v.trim();
  return t === "" ? undefined : t;
}

/**
 * Parses a boolean variable: `true`/`1`/`yes` and `false`/`0`/`no`, in any case.
 * Anything else is an `invalid_config` error rather than a silent "off".
 */
export function parseBooleanVar(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  const v = value.trim().toLowerCase();
  if (v === "true" || v === "1" || v === "yes") return true;
  if (v === "false" || v === "0" || v === "no") return false;
  throw invalid(name, value, "must be one of true/1/yes or false/0/no (any case)");
}

const PORT_RULE = "must be a port number 1-65535 (plain digits, no leading zeros or spaces)";

/** A port written as plain digits 1–65535: no sign, spaces or leading zeros. */
function parsePort(name: string, value: string): number {
  if (!/^[1-9][0-9]{0,4}$/.test(value)) throw invalid(name, value, PORT_RULE);
  const port = Number(value);
  if (port > 65535) throw invalid(name, value, PORT_RULE);
  return port;
}

const TIMER_RULE = `must be at most ${MAX_TIMER_MS} ms (2^31 - 1, the longest timer)`;

function parseMilliseconds(name: string, value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw invalid(name, value, "must be a non-negative number of milliseconds");
  const ms = Number(value);
  if (!Number.isFinite(ms)) throw invalid(name, value, "must be a finite number of milliseconds");
  if (ms > MAX_TIMER_MS) throw invalid(name, value, TIMER_RULE);
  return ms;
}

/** One DNS label: letters, digits, `-` and `_` (container names), not starting or ending with `-`. */
const HOST_NAME =
  /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * `DD_AGENT_HOST`: a host name, an IPv4 literal, or an IPv6 literal (bare or
 * in brackets). Anything that would rewrite the URL built around it (`/`,
 * `?`, `#`, `@`, `:` outside IPv6, spaces) is refused. Returns the host as it
 * goes into a URL (IPv6 bracketed).
 */
function parseAgentHost(name: string, value: string): string {
  if (HOST_NAME.test(value) || IPV4.test(value)) return value;
  const bare = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
  if (/^[0-9A-Fa-f:.]+$/.test(bare) && bare.includes(":")) {
    try {
      const url = new URL(`http://[${bare}]/`);
      if (url.hostname !== "") return `[${bare}]`;
    } catch {
      // not an IPv6 literal: refused below
    }
  }
  throw invalid(name, value, "must be a host name, an IPv4 address or an IPv6 address");
}

/** The port as written in a URL's authority (`""` when none), read before the URL parser normalizes `0080` to `80`. */
function writtenPort(value: string): string {
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(value)?.[1] ?? "";
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const m = /^(?:\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort);
  return m?.[1] ?? "";
}

/** An http(s) URL as fetch can use it, plus the Basic auth header its credentials imply. */
export interface HttpEndpoint {
  /** The URL without credentials. */
  readonly url: URL;
  /** `{ Authorization: "Basic …" }` when the URL carried user:password, else `{}`. */
  readonly headers: Record<string, string>;
}

/**
 * Parses an http(s) URL for fetch. fetch refuses URLs with credentials (and
 * Node's error message would repeat the password), so `user:password@` is
 * moved into an `Authorization: Basic` header and removed from the URL.
 * `unix:` (a socket path) and other schemes are rejected: fetch cannot reach
 * them. A port must be plain digits 1–65535. Error messages mask the password.
 *
 * @example
 * ```ts
 * import { parseHttpUrl } from "./config.ts";
 * const { url, headers } = parseHttpUrl("DD_TRACE_AGENT_URL", "http://u:p@agent:8126");
 * url.href;              // "http://agent:8126/"
 * headers.Authorization; // "Basic dTpw"
 * ```
 */
export function parseHttpUrl(field: string, value: string): HttpEndpoint {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, value, "is not a valid URL");
  }
  const port = writtenPort(value);
  if (port !== "" && !/^[1-9][0-9]{0,4}$/.test(port)) throw invalid(field, value, `port ${PORT_RULE}`);
  if (url.protocol === "unix:") {
    throw invalid(field, value, "unix domain sockets are not reachable with fetch; use an http(s):// URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid(field, value, `scheme ${url.protocol} is not supported; use http:// or https://`);
  }
  if (url.hostname === "") throw invalid(field, value, "has no host");
  const headers: Record<string, string> = {};
  if (url.username !== "" || url.password !== "") {
    let user: string;
    let pass: string;
    try {
      user = decodeURIComponent(url.username);
      pass = decodeURIComponent(url.password);
    } catch {
      // decodeURIComponent throws a bare URIError naming nothing; invalid() names the field and masks the password.
      throw invalid(field, value, "credentials are not valid percent-encoding");
    }
    headers.Authorization = `Basic ${encodeBase64(new TextEncoder().encode(`${user}:${pass}`))}`;
    url.username = "";
    url.password = "";
  }
  return { url, headers };
}

/**
 * Parses an OTLP header list `k=v,k2=v2` (values percent-decoded, blanks
 * trimmed, as the OpenTelemetry spec says). An entry without `=` or with an
 * empty key is an `invalid_config` error naming the variable.
 *
 * @example
 * ```ts
 * import { parseOtlpHeaders } from "./config.ts";
 * parseOtlpHeaders("OTEL_EXPORTER_OTLP_HEADERS", "api-key=abc, x-team=flags%20team");
 * // { "api-key": "abc", "x-team": "flags team" }
 * ```
 */
export function parseOtlpHeaders(field: string, value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  // Header lists carry API keys: messages name the entry by position and key, never quote a value.
  const entries = value.split(",");
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!.trim();
    if (entry === "") continue;
    const eq = entry.indexOf("=");
    if (eq <= 0) throw headerError(field, `entry ${i + 1} is not key=value`);
    const key = entry.slice(0, eq).trim();
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key)) {
      throw headerError(field, `entry ${i + 1}: header name is not a valid HTTP token`);
    }
    let v: string;
    try {
      v = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      throw headerError(field, `value of ${key} is not valid percent-encoding`);
    }
    checkRequestHeader(field, key, v);
    out[key.toLowerCase()] = v;
  }
  return out;
}

function headerError(field: string, rule: string): FlagpostError {
  return new FlagpostError("invalid_config", `${field}: ${rule} (values are not shown: they may hold keys)`, { field });
}

/** Host part of a URL as it goes back into a URL (IPv6 keeps its brackets). */
function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** The caps where 0 is meaningful (deduplication off, no degraded rows); every other cap must be at least 1. */
const ZERO_ALLOWED_LIMITS: readonly (keyof Limits)[] = Object.freeze(["exposureCacheSize", "maxDegradedFlagEvaluationRows"]);

/** Every cap of `DEFAULT_LIMITS`, overridden where given, each checked under its `limits.<name>` field. */
function resolveLimits(overrides: Partial<Limits> | undefined): Limits {
  const limits: Record<string, number> = {};
  for (const name of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const value = overrides?.[name] ?? DEFAULT_LIMITS[name];
    const field = `limits.${name}`;
    limits[name] = ZERO_ALLOWED_LIMITS.includes(name) ? nonNegativeInteger(field, value) : positiveInteger(field, value);
  }
  return Object.freeze(limits) as unknown as Limits;
}

function positiveInteger(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw invalid(field, value, "must be a positive integer");
  return value;
}

function nonNegativeInteger(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw invalid(field, value, "must be a non-negative integer");
  return value;
}

function parseOtlpProtocol(name: string, value: string): OtlpProtocol {
  if (value === "http/protobuf" || value === "http/json") return value;
  if (value === "grpc") {
    throw invalid(name, value, "grpc is not supported (fetch cannot send gRPC from workers); use http/protobuf or http/json");
  }
  throw invalid(name, value, "must be http/protobuf or http/json");
}

function positiveMs(field: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw invalid(field, value, "must be a positive number of milliseconds");
  }
  if (value > MAX_TIMER_MS) throw invalid(field, value, TIMER_RULE);
  return value;
}

/** Reads a port variable strictly: the raw value must not carry spaces (read() trims them away). */
function rawPort(env: EnvRecord, name: string): string | undefined {
  const trimmed = read(env, name);
  if (trimmed !== undefined && env[name] !== trimmed) throw invalid(name, env[name], PORT_RULE);
  return trimmed;
}

/** An endpoint URL with its credentials moved out: `{ href, headers }` (href verbatim when there were none). */
function otlpEndpointOf(field: string, value: string): { href: string; headers: Record<string, string> } {
  const { url, headers } = parseHttpUrl(field, value);
  return { href: headers.Authorization === undefined ? value : url.href, headers };
}

/** What a secret prints as. */
const MASK = "***";

/** A plain copy of `headers` with secret values (as {@link isSecretHeaderName} decides) replaced by `***`. */
function maskedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) masked[name] = isSecretHeaderName(name) ? MASK : value;
  return masked;
}

/** `headers`, frozen, printing as {@link maskedHeaders}. */
function printSafeHeaders(headers: Record<string, string>): Readonly<Record<string, string>> {
  return Object.freeze(printedMasked(headers, () => maskedHeaders(headers)));
}

/**
 * Resolves configuration from an env record plus explicit overrides
 * (overrides win). Throws `FlagpostError` (`invalid_config`) naming the
 * variable and value on any bad input; the result is frozen.
 *
 * The result is safe to print: `JSON.stringify(config)` and `console.log(config)`
 * (Node, Bun, Deno) show the API key and secret header values (`Authorization`,
 * `*key*`, `*token*`, …) as `***`, while code reads `config.apiKey` and the
 * header records unchanged.
 *
 * Variables: `DD_SERVICE`, `DD_ENV`, `DD_VERSION`, `DD_TRACE_AGENT_URL`,
 * `DD_AGENT_HOST`, `DD_TRACE_AGENT_PORT`, `DD_API_KEY`, `DD_SITE`,
 * `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_METRICS_HEADERS`, `OTEL_EXPORTER_OTLP_HEADERS`,
 * `OTEL_EXPORTER_OTLP_METRICS_TIMEOUT`, `OTEL_EXPORTER_OTLP_TIMEOUT`,
 * `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL`, `OTEL_EXPORTER_OTLP_PROTOCOL`,
 * `DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED`, `DD_METRICS_OTEL_ENABLED`,
 * `DD_FLAGGING_EVALUATION_COUNTS_ENABLED`, `DD_TRACE_ENABLED`.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "flagpost";
 * const config = resolveConfig({ DD_SERVICE: "shop", DD_AGENT_HOST: "agent" });
 * config.agentUrl;            // "http://agent:8126"
 * config.otlpMetrics.endpoint; // "http://agent:4318/v1/metrics"
 * ```
 */
export function resolveConfig(env: EnvRecord = {}, overrides: ConfigOverrides = {}): Config {
  if (env === null || typeof env !== "object") throw invalid("env", env, "must be an object of variable → string");
  if (overrides === null || typeof overrides !== "object") {
    // Not quoted: a string here may be a key passed in the wrong position.
    const got = overrides === null ? "null" : typeof overrides;
    throw new FlagpostError("invalid_config", `overrides: must be an object of options, got ${got}`, { field: "overrides" });
  }

  // Agent URL.
  let agent: HttpEndpoint;
  if (overrides.agentUrl !== undefined) {
    agent = parseHttpUrl("agentUrl", overrides.agentUrl);
  } else {
    const explicit = read(env, "DD_TRACE_AGENT_URL");
    if (explicit !== undefined) {
      agent = parseHttpUrl("DD_TRACE_AGENT_URL", explicit);
    } else {
      const hostText = read(env, "DD_AGENT_HOST");
      const host = hostText === undefined ? "localhost" : parseAgentHost("DD_AGENT_HOST", hostText);
      const portText = rawPort(env, "DD_TRACE_AGENT_PORT");
      const port = portText === undefined ? 8126 : parsePort("DD_TRACE_AGENT_PORT", portText);
      agent = parseHttpUrl("DD_AGENT_HOST", `http://${host}:${port}`);
    }
  }
  const agentUrl = agent.url.origin;

  // OTLP metrics endpoint. Credentials in it become an Authorization header (explicit headers win).
  let otlpEndpoint: string;
  let otlpAuth: Record<string, string> = {};
  const metricsEndpoint = read(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
  const baseEndpoint = read(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  if (overrides.otlpMetrics?.endpoint !== undefined) {
    const parsed = parseHttpUrl("otlpMetrics.endpoint", overrides.otlpMetrics.endpoint);
    otlpEndpoint = parsed.url.href;
    otlpAuth = parsed.headers;
  } else if (metricsEndpoint !== undefined) {
    const parsed = otlpEndpointOf("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", metricsEndpoint);
    otlpEndpoint = parsed.href; // verbatim, as the OTel spec says (minus credentials)
    otlpAuth = parsed.headers;
  } else if (baseEndpoint !== undefined) {
    const parsed = otlpEndpointOf("OTEL_EXPORTER_OTLP_ENDPOINT", baseEndpoint);
    otlpEndpoint = `${parsed.href.replace(/\/+$/, "")}/v1/metrics`;
    otlpAuth = parsed.headers;
  } else {
    otlpEndpoint = `http://${urlHost(agent.url.hostname)}:4318/v1/metrics`;
  }
  const otlpHeaders: Record<string, string> = {
    ...otlpAuth,
    ...parseOtlpHeaders("OTEL_EXPORTER_OTLP_HEADERS", read(env, "OTEL_EXPORTER_OTLP_HEADERS")),
    ...parseOtlpHeaders("OTEL_EXPORTER_OTLP_METRICS_HEADERS", read(env, "OTEL_EXPORTER_OTLP_METRICS_HEADERS")),
    ...checkRequestHeaders("otlpMetrics.headers", overrides.otlpMetrics?.headers),
  };
  // An explicit authorization header (any case) replaces the one derived from URL credentials.
  if (
    otlpAuth.Authorization !== undefined &&
    Object.keys(otlpHeaders).some((k) => k !== "Authorization" && k.toLowerCase() === "authorization")
  ) {
    delete otlpHeaders.Authorization;
  }
  const metricsTimeout = read(env, "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT");
  const baseTimeout = read(env, "OTEL_EXPORTER_OTLP_TIMEOUT");
  let timeoutMs = metricsTimeout !== undefined
    ? parseMilliseconds("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", metricsTimeout)
    : baseTimeout !== undefined
    ? parseMilliseconds("OTEL_EXPORTER_OTLP_TIMEOUT", baseTimeout)
    : DEFAULT_OTLP_TIMEOUT_MS;
  if (timeoutMs === 0) timeoutMs = DEFAULT_OTLP_TIMEOUT_MS;
  if (overrides.otlpMetrics?.timeoutMs !== undefined) {
    timeoutMs = positiveMs("otlpMetrics.timeoutMs", overrides.otlpMetrics.timeoutMs);
  }

  const apiKey = overrides.apiKey ?? read(env, "DD_API_KEY");
  if (apiKey !== undefined) {
    const field = overrides.apiKey !== undefined ? "apiKey" : "DD_API_KEY";
    // deno-lint-ignore no-control-regex
    if (typeof apiKey !== "string" || /[\x00-\x1f\x7f]/.test(apiKey)) {
      throw new FlagpostError("invalid_config", `${field}: must be a string without control characters (the value is not shown)`, {
        field,
      });
    }
  }

  const site = overrides.site ?? read(env, "DD_SITE") ?? "datadoghq.com";
  if (!/^[a-z0-9.-]+$/i.test(site)) {
    throw invalid(overrides.site !== undefined ? "site" : "DD_SITE", site, "must be a host name like datadoghq.com");
  }

  const limits: Limits = resolveLimits(overrides.limits);

  const metricsProtocol = read(env, "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL");
  const baseProtocol = read(env, "OTEL_EXPORTER_OTLP_PROTOCOL");
  const protocol: OtlpProtocol = overrides.otlpMetrics?.protocol !== undefined
    ? parseOtlpProtocol("otlpMetrics.protocol", overrides.otlpMetrics.protocol)
    : metricsProtocol !== undefined
    ? parseOtlpProtocol("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", metricsProtocol)
    : baseProtocol !== undefined
    ? parseOtlpProtocol("OTEL_EXPORTER_OTLP_PROTOCOL", baseProtocol)
    : "http/protobuf";

  const config: Config = {
    service: overrides.service ?? read(env, "DD_SERVICE"),
    env: overrides.env ?? read(env, "DD_ENV"),
    version: overrides.version ?? read(env, "DD_VERSION"),
    agentUrl,
    agentConfigured: overrides.agentUrl !== undefined || read(env, "DD_TRACE_AGENT_URL") !== undefined ||
      read(env, "DD_AGENT_HOST") !== undefined || read(env, "DD_TRACE_AGENT_PORT") !== undefined,
    agentHeaders: printSafeHeaders(agent.headers),
    apiKey,
    site,
    otlpMetrics: Object.freeze({ endpoint: otlpEndpoint, headers: printSafeHeaders(otlpHeaders), timeoutMs, protocol }),
    spanEnrichmentEnabled: overrides.spanEnrichmentEnabled ??
      parseBooleanVar(
        "DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED",
        read(env, "DD_EXPERIMENTAL_FLAGGING_PROVIDER_SPAN_ENRICHMENT_ENABLED"),
        false,
      ),
    metricsEnabled: overrides.metricsEnabled ?? parseBooleanVar("DD_METRICS_OTEL_ENABLED", read(env, "DD_METRICS_OTEL_ENABLED"), false),
    flagEvaluationsEnabled: overrides.flagEvaluationsEnabled ??
      parseBooleanVar("DD_FLAGGING_EVALUATION_COUNTS_ENABLED", read(env, "DD_FLAGGING_EVALUATION_COUNTS_ENABLED"), true),
    tracesEnabled: overrides.tracesEnabled ?? parseBooleanVar("DD_TRACE_ENABLED", read(env, "DD_TRACE_ENABLED"), true),
    flushDeadlineMs: positiveMs("flushDeadlineMs", overrides.flushDeadlineMs ?? DEFAULT_FLUSH_DEADLINE_MS),
    limits,
  };
  // Printing the config (the most common debugging step) must not leak the key: principle 8.
  return Object.freeze(printedMasked(config, () => ({
    ...config,
    apiKey: config.apiKey === undefined ? undefined : MASK,
    agentHeaders: maskedHeaders(config.agentHeaders),
    otlpMetrics: { ...config.otlpMetrics, headers: maskedHeaders(config.otlpMetrics.headers) },
  })));
}

/**
 * The URL of an agent endpoint: the agent URL's scheme and host:port are
 * kept, its path and query are replaced by `path`.
 *
 * @example
 * ```ts
 * import { agentEndpoint } from "./config.ts";
 * agentEndpoint("http://agent:8126", "/evp_proxy/v2/api/v2/exposures");
 * // "http://agent:8126/evp_proxy/v2/api/v2/exposures"
 * ```
 */
export function agentEndpoint(agentUrl: string, path: string): string {
  const url = new URL(agentUrl);
  return `${url.origin}${path.startsWith("/") ? path : `/${path}`}`;
}

/**
 * Agentless exposures intake for a site, e.g.
 * `https://event-platform-intake.datadoghq.com/api/v2/exposures`.
 */
export function agentlessExposuresUrl(site: string): string {
  return agentlessEvpUrl(site, "exposures");
}

/**
 * Agentless EVP intake of a track (`exposures`, `flagevaluation`) for a site, e.g.
 * `https://event-platform-intake.datadoghq.com/api/v2/flagevaluation`.
 *
 * @example
 * ```ts
 * import { agentlessEvpUrl } from "./config.ts";
 * agentlessEvpUrl("datadoghq.eu", "flagevaluation");
 * // "https://event-platform-intake.datadoghq.eu/api/v2/flagevaluation"
 * ```
 */
export function agentlessEvpUrl(site: string, track: string): string {
  return `https://event-platform-intake.${site}/api/v2/${track}`;
}
