/**
 * The agent's EVP proxy (`/evp_proxy/v2/...`, `/evp_proxy/v4/...`) for the
 * exposures and flag-evaluation intakes, and the agentless intakes
 * (`POST /api/v2/exposures`, `POST /api/v2/flagevaluation` with `DD-API-KEY`).
 * Each track is one entry of a table (validator, summary, events trimmed to
 * the decode budget), so a new track is a small addition.
 *
 * The real agent answers a missing or invalid `X-Datadog-EVP-Subdomain`, an
 * invalid path and an over-limit body with **502 and an empty body**; the
 * intake behind it answers `202` for accepted events.
 *
 * @module
 */
import { summarizeExposures, validateExposurePayload } from "../decode/exposures.ts";
import { summarizeFlagEvaluations, validateFlagEvaluationPayload } from "../decode/flagevaluations.ts";
import { overBudget, scanJson } from "../decode/budget.ts";
import { type IngestInput, mediaType, type Outcome, reject } from "../ingest.ts";

/** The subdomain the exposures intake lives on. */
export const EXPOSURES_SUBDOMAIN = "event-platform-intake";

const SUBDOMAIN = /^[A-Za-z0-9_.-]+$/;
const PATH = /^[A-Za-z0-9/_+-]*$/;

function proxyError(reason: string): Outcome {
  return { status: 502, body: null, summary: reason, error: reason };
}

/**
 * One EVP track the mock agent decodes: how to validate, summarize and trim
 * its payload. Adding a track is one entry in {@link EVP_TRACKS}.
 */
interface EvpTrackDecoder {
  /** The store kind of its requests. */
  kind: "exposures" | "flagevaluation";
  /** Words for messages (`invalid JSON in <what> body`). */
  what: string;
  /** Schema problems of a parsed payload (bounded by `maxProblems`; events past `maxEvents` are not validated). */
  validate(payload: unknown, maxProblems: number, maxEvents: number): string[];
  /** One-line summary for the request log. */
  summarize(payload: unknown, problems: readonly string[]): string;
  /** The array of events of a payload that is trimmed to the budget, if any. */
  events?: string;
}

/** The EVP intakes the mock agent serves, by intake path (after `/evp_proxy/<version>` or on the agentless host). */
const EVP_TRACKS: Readonly<Record<string, EvpTrackDecoder>> = {
  "/api/v2/exposures": {
    kind: "exposures",
    what: "exposures",
    validate: validateExposurePayload,
    summarize: summarizeExposures,
    events: "exposures",
  },
  "/api/v2/flagevaluation": {
    kind: "flagevaluation",
    what: "flag evaluation",
    validate: (payload) => validateFlagEvaluationPayload(payload),
    summarize: summarizeFlagEvaluations,
  },
};

/** Handles `/evp_proxy/<version>/<intake path>`. */
export function handleEvp(input: IngestInput, intakePath: string): Outcome {
  const { request, body } = input;
  const subdomain = request.headers.get("x-datadog-evp-subdomain");
  if (subdomain === null || subdomain === "") return proxyError("EVP proxy: no X-Datadog-EVP-Subdomain header");
  if (!SUBDOMAIN.test(subdomain)) return proxyError("EVP proxy: invalid X-Datadog-EVP-Subdomain");
  if (!PATH.test(intakePath)) return proxyError("EVP proxy: invalid path");
  if (!body.ok && body.reason === "too_large") return proxyError(`EVP proxy: ${body.message}`);
  if (request.method !== "POST") {
    return reject(405, `${request.method} not allowed on the EVP proxy (POST)`, { headers: { allow: "POST" } });
  }
  const problems = subdomain === EXPOSURES_SUBDOMAIN
    ? []
    : [`X-Datadog-EVP-Subdomain: expected ${JSON.stringify(EXPOSURES_SUBDOMAIN)}, got ${JSON.stringify(subdomain.slice(0, 64))}`];
  const track = EVP_TRACKS[intakePath];
  if (track !== undefined) return decodeTrack(input, track, problems);
  return reject(404, `the mock agent's EVP proxy only serves ${Object.keys(EVP_TRACKS).join(" and ")}, not ${intakePath.slice(0, 200)}`);
}

/** Handles an agentless intake (`POST /api/v2/<track>` with `DD-API-KEY`). */
export function handleAgentless(input: IngestInput, intakePath: string, apiKey: string | undefined): Outcome {
  const { request } = input;
  const key = request.headers.get("dd-api-key");
  if (key === null || key === "" || (apiKey !== undefined && key !== apiKey)) {
    return {
      status: 403,
      body: JSON.stringify({ errors: ["Forbidden"] }),
      contentType: "application/json",
      summary: key === null || key === "" ? "403 missing DD-API-KEY" : "403 wrong DD-API-KEY",
      error: "DD-API-KEY missing or not accepted",
    };
  }
  if (request.method !== "POST") {
    return reject(405, `${request.method} not allowed on ${intakePath} (POST)`, { headers: { allow: "POST" } });
  }
  if (!input.body.ok && input.body.reason === "too_large") return reject(413, input.body.message);
  const track = EVP_TRACKS[intakePath];
  if (track === undefined) return reject(404, `no agentless intake at ${intakePath.slice(0, 200)}`);
  return decodeTrack(input, track, []);
}

/** Handles the agentless intake `POST /api/v2/exposures`. */
export function handleAgentlessExposures(input: IngestInput, apiKey: string | undefined): Outcome {
  return handleAgentless(input, "/api/v2/exposures", apiKey);
}

/** Handles the agentless intake `POST /api/v2/flagevaluation` (same key rule as exposures). */
export function handleAgentlessFlagEvaluation(input: IngestInput, apiKey: string | undefined): Outcome {
  return handleAgentless(input, "/api/v2/flagevaluation", apiKey);
}

function parseJsonBody(input: IngestInput, what: string): { value: unknown; values: number } | Outcome {
  const { request, body } = input;
  if (!body.ok) return reject(body.reason === "too_large" ? 413 : body.reason === "unsupported_encoding" ? 415 : 400, body.message);
  const type = mediaType(request);
  if (type !== "application/json") {
    return reject(415, `Content-Type ${JSON.stringify(type.slice(0, 100))} not supported for ${what} (application/json)`);
  }
  // The decode budget, checked on the raw bytes before anything is parsed.
  const scan = scanJson(body.bytes, input.limits);
  const refused = overBudget(scan, input.limits, "JSON");
  if (refused !== undefined) return reject(scan.over === "values" ? 413 : 400, refused);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body.bytes);
  } catch {
    return reject(400, `${what} body is not valid UTF-8`);
  }
  try {
    return { value: JSON.parse(text), values: scan.values };
  } catch (e) {
    return reject(400, `invalid JSON in ${what} body: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`);
  }
}

function decodeTrack(input: IngestInput, track: EvpTrackDecoder, extraProblems: string[]): Outcome {
  const parsed = parseJsonBody(input, track.what);
  if (!("value" in parsed)) return parsed;
  let payload = parsed.value;
  const problems = [...extraProblems, ...track.validate(payload, input.limits.maxProblems, input.limits.maxExposures)];
  let summary = track.summarize(payload, problems);
  // Events past the budget are counted in the summary, not stored.
  const events = track.events === undefined ? undefined : (payload as Record<string, unknown> | null)?.[track.events];
  if (track.events !== undefined && Array.isArray(events) && events.length > input.limits.maxExposures) {
    summary += `, ${events.length - input.limits.maxExposures} events past the mock agent's budget not stored`;
    payload = { ...(payload as Record<string, unknown>), [track.events]: events.slice(0, input.limits.maxExposures) };
  }
  return {
    status: 202,
    body: "{}",
    contentType: "application/json",
    summary,
    decoded: { kind: track.kind, payload, problems },
    decodedValues: parsed.values,
  };
}
