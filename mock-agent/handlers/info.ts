/**
 * `GET /info`, shaped like the trace-agent's answer, with the
 * `Datadog-Agent-State` header (SHA-256 hex of the body) that tracers use to
 * notice a configuration change.
 *
 * @module
 */
import { sha256Hex } from "../../src/core/sha256.ts";

/** Settings reflected in `/info`. */
export interface InfoSettings {
  version: string;
  receiverPort: number;
  maxRequestBytes: number;
  clientDropP0s: boolean;
}

/** The `/info` JSON body. */
export function infoBody(s: InfoSettings): string {
  return JSON.stringify({
    version: s.version,
    git_commit: "flagpost-mock-agent",
    endpoints: ["/v0.4/traces", "/v0.5/traces", "/evp_proxy/v2/", "/evp_proxy/v4/"],
    feature_flags: [],
    client_drop_p0s: s.clientDropP0s,
    span_meta_structs: true,
    long_running_spans: false,
    span_events: false,
    evp_proxy_allowed_headers: [
      "Content-Type",
      "Accept-Encoding",
      "Content-Encoding",
      "User-Agent",
      "DD-CI-PROVIDER-NAME",
      "DD-EVP-ORIGIN",
      "DD-EVP-ORIGIN-VERSION",
    ],
    config: {
      default_env: "none",
      target_tps: 10,
      max_eps: 200,
      receiver_port: s.receiverPort,
      receiver_socket: "",
      connection_limit: 0,
      receiver_timeout: 0,
      max_request_bytes: s.maxRequestBytes,
      statsd_port: 8125,
      analyzed_spans_by_service: {},
    },
    peer_tags: [],
    span_kinds_stats_computed: [],
    obfuscation_version: 0,
  });
}

const hashes = new Map<string, string>();

/** The `Datadog-Agent-State` value for a body (memoized: the body rarely changes). */
export async function agentState(body: string): Promise<string> {
  let hash = hashes.get(body);
  if (hash === undefined) {
    hash = await sha256Hex(body);
    if (hashes.size > 16) hashes.clear();
    hashes.set(body, hash);
  }
  return hash;
}
