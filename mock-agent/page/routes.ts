/**
 * The routes of the mock agent's page, on the APM port:
 *
 * - `GET /` — the page (server-rendered; see `renderPage`);
 * - `GET /test/page/app.js`, `/test/page/app.css`, `/test/page/icon.svg` — its script, style and icon;
 * - `GET /test/events` — Server-Sent Events announcing changes (see `PageEvents`);
 * - `POST /test/page/faults`, `POST /test/page/faults/clear` — the fault form (works without JavaScript).
 *
 * Every response carries {@link PAGE_CSP}: only the page's own script,
 * style, images and fetches, no inline script or style, no frames, forms
 * posting only to the agent. The form routes refuse cross-site posts
 * (`Origin` or `Sec-Fetch-Site` naming another site), so a web page a
 * developer visits cannot arm faults in their local agent. None of these
 * requests is recorded in the store.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { FlagpostError } from "../../src/core/errors.ts";
import { readBody } from "../body.ts";
import { FaultLimitError, type FaultRegistry, type FaultSpec, parseFaultSpec } from "../faults.ts";
import type { RequestStore } from "../store.ts";
import { PAGE_SCRIPT } from "./client.ts";
import { PageEvents } from "./events.ts";
import { renderPage } from "./render.ts";
import { PAGE_ICON, PAGE_STYLE } from "./style.ts";
import { buildPageView, type PageQuery, parsePageQuery } from "./view.ts";

/**
 * The page's Content-Security-Policy.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * PAGE_CSP.includes("script-src 'self'"); // true
 * ```
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const MAX_FORM_BYTES = 16 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": PAGE_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

function asset(body: string, type: string): Response {
  return new Response(body, { headers: { ...SECURITY_HEADERS, "content-type": type, "cache-control": "no-cache" } });
}

function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" } });
}

/**
 * True unless the request may come from another site: a browser's
 * `Sec-Fetch-Site` must say `same-origin` (or `none`: typed by the user);
 * without it, an `Origin` must name this host. A client that sends neither
 * (curl, a test) is not a browser and is let through.
 */
function sameOrigin(c: Context): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined) return site === "same-origin" || site === "none";
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  const host = c.req.header("host");
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** `/?tab=faults` with the filters the form carried. */
function backToFaults(form: URLSearchParams): string {
  const params = new URLSearchParams({ tab: "faults" });
  for (const name of ["session", "service", "flag"]) {
    const v = form.get(name);
    if (v !== null && v !== "") params.set(name, v.slice(0, 256));
  }
  return `/?${params}`;
}

/** The fault form's fields as a `FaultSpec` (left to `parseFaultSpec` to check). */
export function faultSpecFromForm(form: URLSearchParams): FaultSpec {
  const spec: Record<string, unknown> = { path: (form.get("path") ?? "").trim() };
  const field = (name: string) => (form.get(name) ?? "").trim();
  const number = (text: string) => (/^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (field("method") !== "") spec["method"] = field("method");
  if (field("status") !== "") spec["status"] = number(field("status"));
  if (field("retryAfter") !== "") {
    spec["retryAfter"] = /^\d+$/.test(field("retryAfter")) ? Number(field("retryAfter")) : field("retryAfter");
  }
  if (field("location") !== "") spec["location"] = field("location");
  if (field("delayMs") !== "") spec["delayMs"] = number(field("delayMs"));
  if (field("times") !== "") spec["times"] = number(field("times"));
  if (form.get("dropConnection") === "true") spec["dropConnection"] = true;
  return spec as unknown as FaultSpec;
}

/**
 * Registers the page's routes on `app` (the mock agent does it on its APM port).
 *
 * @example
 * ```ts
 * // (fragment) with the page's names and an `agent` in scope
 * registerPage(app, agent.store, agent.faults);
 * ```
 */
export function registerPage(app: Hono, store: RequestStore, faults: FaultRegistry): void {
  const events = new PageEvents(store, faults);
  const page = (query: PageQuery, faultError?: string, status = 200) =>
    html(renderPage(buildPageView(store, faults, query), faultError === undefined ? {} : { faultError }), status);

  app.get("/", (c) => page(parsePageQuery(new URL(c.req.url))));
  app.get("/test/page/app.js", () => asset(PAGE_SCRIPT, "text/javascript; charset=utf-8"));
  app.get("/test/page/app.css", () => asset(PAGE_STYLE, "text/css; charset=utf-8"));
  app.get("/test/page/icon.svg", () => asset(PAGE_ICON, "image/svg+xml"));
  app.get("/test/events", (c) => events.open(c.req.raw.signal));

  const form = async (c: Context): Promise<URLSearchParams | Response> => {
    if (!sameOrigin(c)) return c.text("cross-site form posts are refused\n", 403);
    const body = await readBody(c.req.raw, MAX_FORM_BYTES);
    if (!body.ok) return c.text(`${body.message}\n`, body.reason === "too_large" ? 413 : 400);
    return new URLSearchParams(new TextDecoder().decode(body.bytes));
  };
  app.post("/test/page/faults", async (c) => {
    const fields = await form(c);
    if (fields instanceof Response) return fields;
    const query: PageQuery = { ...parsePageQuery(new URL(backToFaults(fields), "http://page")), tab: "faults" };
    try {
      faults.add(parseFaultSpec(faultSpecFromForm(fields)));
    } catch (e) {
      if (e instanceof FlagpostError) return page(query, e.message, 400);
      if (e instanceof FaultLimitError) return page(query, e.message, 429);
      throw e;
    }
    return c.redirect(backToFaults(fields), 303);
  });
  app.post("/test/page/faults/clear", async (c) => {
    const fields = await form(c);
    if (fields instanceof Response) return fields;
    faults.clear();
    return c.redirect(backToFaults(fields), 303);
  });
}
