/**
 * The agent's EVP proxy (`/evp_proxy/v2/...`, `/evp_proxy/v4/...`) for the
 * exposures and flag-evaluation intakes, and the agentless exposures intake
 * (`POST /api/v2/exposures` with `DD-API-KEY`).
 *
 * The real agent answers a missing or invalid `X-Datadog-EVP-Subdomain`, an
 * invalid path and an over-limit body with **502 and an empty body**; the
 * intake behind it answers `202` for accepted events.
 *
 * @module
 */
import { summarizeExposures, validateExposurePayload } from "../decode/exposures.ts";
import { summarizeFlagEvaluations, validateFlagEvaluationPayload } from "../decode/flagevaluations.ts";
import { type IngestInput, mediaType, type Outcome, reject } from "../ingest.ts";

/** The subdomain the exposures intake lives on. */
export const EXPOSURES_SUBDOMAIN = "event-platform-intake";

const SUBDOMAIN = /^[A-Za-z0-9_.-]+$/;
const PATH = /^[A-Za-z0-9/_+-]*$/;

function proxyError(reason: string): Outcome {
  return { status: 502, body: null, summary: reason, error: reason };
}

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
    : [`X-Datadog-EVP-Subdomain: expected ${JSON.stringify(EXPOSURES_SUBDOMAIN)}, got ${JSON.stringify(subdomain)}`];
  if (intakePath === "/api/v2/exposures") return exposures(input, problems);
  if (intakePath === "/api/v2/flagevaluation") return flagEvaluation(input, problems);
  return reject(404, `the mock agent's EVP proxy only serves /api/v2/exposures and /api/v2/flagevaluation, not ${intakePath}`);
}

/** Handles the agentless intake `POST /api/v2/exposures`. */
export function handleAgentlessExposures(input: IngestInput, apiKey: string | undefined): Outcome {
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
    return reject(405, `${request.method} not allowed on /api/v2/exposures (POST)`, { headers: { allow: "POST" } });
  }
  if (!input.body.ok && input.body.reason === "too_large") return reject(413, input.body.message);
  return exposures(input, []);
}

function parseJsonBody(input: IngestInput, what: string): { value: unknown } | Outcome {
  const { request, body } = input;
  if (!body.ok) return reject(body.reason === "too_large" ? 413 : body.reason === "unsupported_encoding" ? 415 : 400, body.message);
  const type = mediaType(request);
  if (type !== "application/json") return reject(415, `Content-Type ${JSON.stringify(type)} not supported for ${what} (application/json)`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body.bytes);
  } catch {
    return reject(400, `${what} body is not valid UTF-8`);
  }
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return reject(400, `invalid JSON in ${what} body: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`);
  }
}

function exposures(input: IngestInput, extraProblems: string[]): Outcome {
  const parsed = parseJsonBody(input, "exposures");
  if (!("value" in parsed)) return parsed;
  const problems = [...extraProblems, ...validateExposurePayload(parsed.value)];
  return {
    status: 202,
    body: "{}",
    contentType: "application/json",
    summary: summarizeExposures(parsed.value, problems),
    decoded: { kind: "exposures", payload: parsed.value, problems },
  };
}

function flagEvaluation(input: IngestInput, extraProblems: string[]): Outcome {
  const parsed = parseJsonBody(input, "flag evaluation");
  if (!("value" in parsed)) return parsed;
  const problems = [...extraProblems, ...validateFlagEvaluationPayload(parsed.value)];
  return {
    status: 202,
    body: "{}",
    contentType: "application/json",
    summary: summarizeFlagEvaluations(parsed.value, problems),
    decoded: { kind: "flagevaluation", payload: parsed.value, problems },
  };
}

/** Handles the agentless intake `POST /api/v2/flagevaluation` (same key rule as exposures). */
export function handleAgentlessFlagEvaluation(input: IngestInput, apiKey: string | undefined): Outcome {
  const key = input.request.headers.get("dd-api-key");
  if (key === null || key === "" || (apiKey !== undefined && key !== apiKey)) {
    return {
      status: 403,
      body: JSON.stringify({ errors: ["Forbidden"] }),
      contentType: "application/json",
      summary: key === null || key === "" ? "403 missing DD-API-KEY" : "403 wrong DD-API-KEY",
      error: "DD-API-KEY missing or not accepted",
    };
  }
  if (input.request.method !== "POST") {
    return reject(405, `${input.request.method} not allowed on /api/v2/flagevaluation (POST)`, { headers: { allow: "POST" } });
  }
  if (!input.body.ok && input.body.reason === "too_large") return reject(413, input.body.message);
  return flagEvaluation(input, []);
}
