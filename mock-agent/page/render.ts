/**
 * Server-side rendering of the mock agent's page: a complete HTML document
 * built from a {@link PageView}, useful without JavaScript (tabs are links,
 * filters a GET form, the fault form a POST). The page's script only swaps
 * in a fresh rendering of the same document when the store changes.
 *
 * Safe by construction: every value reaches the HTML through
 * {@link escapeHtml} (text and attribute values alike), no payload value is
 * ever put in a URL scheme, a tag name, a `style` or an event attribute, and
 * the page loads only its own script and style (see `PAGE_CSP`).
 *
 * @module
 */
import {
  type EvaluationsView,
  PAGE_LIMITS,
  PAGE_TABS,
  type PageQuery,
  type PageTab,
  type PageView,
  type ProblemRow,
  type TraceView,
} from "./view.ts";

/**
 * Escapes `&`, `<`, `>`, `"` and `'`: the result is safe as HTML text and as a quoted attribute value.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * escapeHtml('<script>alert("x")</script>'); // "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
 * ```
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"),
  );
}

const e = escapeHtml;

const TAB_TITLES: Record<PageTab, string> = {
  exposures: "Exposures",
  evaluations: "Evaluations",
  traces: "Traces",
  requests: "Requests",
  faults: "Faults",
};

/** `/` with the page's query (empty values left out). */
function pageHref(q: PageQuery, tab: PageTab): string {
  const params = new URLSearchParams({ tab });
  if (q.session !== null) params.set("session", q.session);
  if (q.service !== "") params.set("service", q.service);
  if (q.flag !== "") params.set("flag", q.flag);
  return `/?${params}`;
}

function time(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(ms);
  return new Date(ms).toISOString().slice(11, 23);
}

function millis(ns: string): string {
  const n = Number(ns) / 1e6;
  return n >= 100 ? `${n.toFixed(0)} ms` : n >= 1 ? `${n.toFixed(2)} ms` : `${n.toFixed(3)} ms`;
}

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

/** A table of already-escaped cells; `rowClass` marks rows (`problem`, `fault`). */
function table(id: string, headers: string[], rows: Array<{ cells: string[]; className?: string }>, empty: string): string {
  if (rows.length === 0) return `<p class="empty">${e(empty)}</p>`;
  const head = headers.map((h) => `<th>${e(h)}</th>`).join("");
  const body = rows.map((r) =>
    `<tr${r.className !== undefined ? ` class="${e(r.className)}"` : ""}>${r.cells.map((c) => `<td>${c}</td>`).join("")}</tr>`
  )
    .join("\n");
  return `<table id="${e(id)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function shownOf(shown: number, total: number, what: string): string {
  return shown < total ? `<p class="note">Showing the newest ${e(shown)} of ${e(plural(total, what))}.</p>` : "";
}

function problems(list: ProblemRow[], total: number): string {
  if (total === 0) return "";
  const items = list.map((p) =>
    `<li class="problem"><span class="ref">request #${e(p.requestId)} · ${e(time(p.time))} · ${e(p.path)}</span><ul>${
      p.problems.map((x) => `<li><code>${e(x)}</code></li>`).join("")
    }${p.more > 0 ? `<li>… ${e(plural(p.more, "more problem"))}</li>` : ""}</ul></li>`
  ).join("\n");
  return `<h3 class="warn">Schema problems in ${e(plural(total, "payload"))}</h3><ul class="problems">\n${items}\n</ul>${
    shownOf(list.length, total, "payload")
  }`;
}

function exposuresPanel(v: PageView): string {
  const x = v.exposures;
  const groups = table(
    "exposure-groups",
    ["Flag", "Variant", "Events", "Distinct subjects"],
    x.groups.map((g) => ({ cells: [e(g.flag), e(g.variant), e(g.events), `${g.subjectsCapped ? "≥ " : ""}${e(g.subjects)}`] })),
    "No exposures yet.",
  );
  const rows = table(
    "exposure-rows",
    ["Time", "Flag", "Variant", "Allocation", "Subject", "Attributes", "Service", "Request"],
    x.rows.map((r) => ({
      cells: [
        e(time(r.time)),
        e(r.flag),
        e(r.variant),
        e(r.allocation),
        e(r.subject),
        `<code>${e(r.attributes)}</code>`,
        e(r.service),
        `#${e(r.requestId)}`,
      ],
    })),
    "No exposure events match.",
  );
  return `${problems(x.problems, x.problemPayloads)}
<h3>Per flag and variant</h3>${groups}${
    x.groupsMore > 0 ? `<p class="note">${e(plural(x.groupsMore, "more event"))} in further groups.</p>` : ""
  }
<h3>Events (newest first)</h3>${rows}${shownOf(x.rows.length, x.events, "event")}`;
}

function barChart(ev: EvaluationsView): string {
  const n = ev.bucketTotals.length;
  if (n === 0) return "";
  const max = Math.max(1, ...ev.bucketTotals);
  const w = 600 / n;
  const bars = ev.bucketTotals.map((count, i) => {
    const h = (count / max) * 100;
    const from = time(ev.bucketStart + i * ev.bucketMs);
    return `<rect class="bar" x="${(i * w + 1).toFixed(1)}" y="${(110 - h).toFixed(1)}" width="${(w - 2).toFixed(1)}" height="${
      h.toFixed(1)
    }"><title>${e(`${from}: ${count.toLocaleString("en-US")} evaluations`)}</title></rect>`;
  }).join("");
  const end = time(ev.bucketStart + n * ev.bucketMs);
  return `<figure><svg id="evaluations-chart" class="chart" viewBox="0 0 600 130" role="img" aria-label="evaluations over time">${bars}<line class="axis" x1="0" y1="110.5" x2="600" y2="110.5"/><text x="0" y="126">${
    e(time(ev.bucketStart))
  }</text><text x="600" y="126" text-anchor="end">${e(end)}</text><text x="0" y="10">${e(max.toLocaleString("en-US"))}</text></svg>
<figcaption>feature_flag.evaluations per ${
    e(ev.bucketMs >= 1000 ? `${(ev.bucketMs / 1000).toFixed(1)} s` : `${ev.bucketMs} ms`)
  } (by receipt time)</figcaption></figure>`;
}

function sparkline(buckets: number[]): string {
  const max = Math.max(1, ...buckets);
  const step = 120 / Math.max(1, buckets.length - 1);
  const points = buckets.map((b, i) => `${(i * step).toFixed(1)},${(22 - (b / max) * 20).toFixed(1)}`).join(" ");
  return `<svg class="spark" viewBox="0 0 120 24" aria-hidden="true"><polyline points="${points}"/></svg>`;
}

function evaluationsPanel(v: PageView): string {
  const ev = v.evaluations;
  const series = table(
    "evaluation-series",
    ["Flag", "Variant", "Reason", "Service", "Evaluations", "Over time"],
    ev.series.map((s) => ({
      cells: [e(s.flag), e(s.variant), e(s.reason), e(s.service), e(s.count.toLocaleString("en-US")), sparkline(s.buckets)],
    })),
    "No feature_flag.evaluations metrics yet.",
  );
  const rows = table(
    "flagevaluation-rows",
    ["Flag", "Variant", "Allocation", "Count", "First", "Last", "Runtime default", "Error", "Targeting key", "Service", "Request"],
    ev.rows.map((r) => ({
      cells: [
        e(r.flag),
        e(r.variant),
        e(r.allocation),
        e(r.count),
        e(r.first),
        e(r.last),
        r.runtimeDefault ? "yes" : "",
        e(r.error),
        `<code>${e(r.targetingKey)}</code>`,
        e(r.service),
        `#${e(r.requestId)}`,
      ],
      ...(r.error !== "" ? { className: "problem" } : {}),
    })),
    "No flagevaluation rows (that signal is sent only when enabled).",
  );
  return `<h3>feature_flag.evaluations (${e(ev.total.toLocaleString("en-US"))})</h3>${barChart(ev)}${series}${
    ev.seriesMore > 0 ? `<p class="note">${e(plural(ev.seriesMore, "more data point"))} in further series.</p>` : ""
  }
${problems(ev.problems, ev.problemPayloads)}
<h3>flagevaluation rows (${e(ev.rowCount.toLocaleString("en-US"))})</h3>${rows}${shownOf(ev.rows.length, ev.rowCount, "row")}`;
}

function ffeBlock(t: TraceView): string {
  if (t.ffeError !== undefined) return `<p class="problem ffe-error">ffe_* tags do not decode: <code>${e(t.ffeError)}</code></p>`;
  if (t.ffe === undefined) return `<p class="note">No ffe_* tags on the root span.</p>`;
  const f = t.ffe;
  const subjects = f.subjects.length === 0
    ? "none"
    : `<ul>${
      f.subjects.map(([hash, ids]) => `<li><code title="${e(hash)}">${e(hash.slice(0, 12))}…</code> → ${e(ids.join(", "))}</li>`).join("")
    }</ul>`;
  const defaults = f.runtimeDefaults.length === 0
    ? "none"
    : `<ul>${f.runtimeDefaults.map(([flag, value]) => `<li>${e(flag)} = <code>${e(value)}</code></li>`).join("")}</ul>`;
  return `<dl class="ffe"><dt>Serial ids</dt><dd class="serial-ids">${
    e(f.serialIds.join(", ") || "none")
  }</dd><dt>Subjects</dt><dd>${subjects}</dd><dt>Runtime defaults</dt><dd>${defaults}</dd><dt>Raw tags</dt><dd>${
    f.raw.map(([k, val]) => `<code>${e(k)}=${e(val)}</code>`).join("<br>")
  }</dd></dl>`;
}

function tracePanel(t: TraceView): string {
  const spans = t.spans.map((s) =>
    `<tr${s.error ? ' class="problem"' : ""}><td class="d${Math.min(s.depth, 9)}">${e(s.name)}</td><td>${e(s.resource)}</td><td>${
      e(s.service)
    }</td><td class="num">${
      e(millis(s.durationNs))
    }</td><td class="wf"><svg viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true"><rect class="${
      s.error ? "span err" : "span"
    }" x="${(s.left * 1000).toFixed(1)}" width="${Math.max(2, s.width * 1000).toFixed(1)}" height="10"/></svg></td></tr>`
  ).join("\n");
  return `<article class="trace"><h3>${e(t.rootName)} <span class="dim">${e(t.rootResource)}</span> · ${e(t.service)} · ${
    e(millis(t.durationNs))
  } · ${e(plural(t.spanCount, "span"))} <span class="dim">trace ${e(t.traceId)}</span></h3>
${ffeBlock(t)}
<table class="waterfall"><thead><tr><th>Span</th><th>Resource</th><th>Service</th><th>Duration</th><th>Waterfall</th></tr></thead><tbody>
${spans}
</tbody></table>${
    t.spans.length < t.spanCount ? `<p class="note">First ${e(t.spans.length)} spans of ${e(t.spanCount)}.</p>` : ""
  }</article>`;
}

function tracesPanel(v: PageView): string {
  const t = v.traces;
  if (t.count === 0) return `<p class="empty">No traces yet.</p>`;
  return `${v.query.flag !== "" ? `<p class="note">The flag filter does not apply to traces (serial ids do not name flags).</p>` : ""}${
    t.shown.map(tracePanel).join("\n")
  }${shownOf(t.shown.length, t.count, "trace")}`;
}

function requestsPanel(v: PageView): string {
  const r = v.requests;
  return table(
    "request-rows",
    ["#", "Time", "Method", "Path", "Status", "Size", "Kind", "Session", "Summary", "Fault"],
    r.rows.map((x) => ({
      cells: [
        e(x.id),
        e(time(x.time)),
        e(x.method),
        `<code>${e(x.url)}</code>`,
        e(x.status === 0 ? "—" : x.status),
        e(bytes(x.bytes)),
        e(x.kind),
        e(x.session),
        e(x.error !== "" && x.error !== x.summary ? `${x.summary} (${x.error})` : x.summary),
        e(x.fault),
      ],
      ...(x.fault !== "" ? { className: "fault" } : x.status >= 400 || x.status === 0 ? { className: "problem" } : {}),
    })),
    "No requests yet.",
  ) + shownOf(r.rows.length, r.count, "request");
}

function faultsList(v: PageView): string {
  return table(
    "fault-rows",
    ["#", "Path", "Method", "Status", "Retry-After", "Location", "Delay", "Drop", "Remaining"],
    v.faults.map((f) => ({
      cells: [
        e(f.id),
        `<code>${e(f.path)}</code>`,
        e(f.method ?? "any"),
        e(f.status ?? ""),
        e(f.retryAfter ?? ""),
        `<code>${e(f.location ?? "")}</code>`,
        f.delayMs > 0 ? e(`${f.delayMs} ms`) : "",
        f.dropConnection ? "yes" : "",
        e(`${f.remaining} of ${f.times}`),
      ],
    })),
    "No faults pending.",
  );
}

const FAULT_PATHS = [
  "/evp_proxy/v2/api/v2/exposures",
  "/evp_proxy/v2/api/v2/flagevaluation",
  "/evp_proxy/*",
  "/v0.5/traces",
  "/v0.4/traces",
  "/v1/metrics",
  "/info",
  "/api/v2/exposures",
];

function faultForm(q: PageQuery, error: string | undefined): string {
  const keep = `${q.session !== null ? `<input type="hidden" name="session" value="${e(q.session)}">` : ""}${
    q.service !== "" ? `<input type="hidden" name="service" value="${e(q.service)}">` : ""
  }${q.flag !== "" ? `<input type="hidden" name="flag" value="${e(q.flag)}">` : ""}`;
  return `${error !== undefined ? `<p id="fault-error" class="problem">${e(error)}</p>` : ""}
<form id="fault-form" class="fault-form" method="post" action="/test/page/faults">${keep}
<label>Path <input name="path" required list="fault-paths" value="/evp_proxy/v2/api/v2/exposures" size="34"></label>
<datalist id="fault-paths">${FAULT_PATHS.map((p) => `<option value="${e(p)}">`).join("")}</datalist>
<label>Method <select name="method"><option value="">any</option><option>GET</option><option>POST</option><option>PUT</option></select></label>
<label>Status <input name="status" type="number" min="100" max="599" placeholder="503"></label>
<label>Retry-After <input name="retryAfter" placeholder="seconds or HTTP date" size="12"></label>
<label>Location (3xx) <input name="location" placeholder="redirect target" size="14"></label>
<label>Delay (ms) <input name="delayMs" type="number" min="0" max="60000" placeholder="0"></label>
<label>Times <input name="times" type="number" min="1" max="1000000" value="1"></label>
<label class="check"><input name="dropConnection" type="checkbox" value="true"> Drop the connection</label>
<button type="submit">Add fault</button>
</form>
<form id="fault-clear" method="post" action="/test/page/faults/clear">${keep}<button type="submit" class="danger">Clear all faults</button></form>`;
}

function count(v: PageView, tab: PageTab): number {
  switch (tab) {
    case "exposures":
      return v.exposures.events;
    case "evaluations":
      // The metric's sum; the flagevaluation rows when only that signal arrived.
      return v.evaluations.total > 0 ? v.evaluations.total : v.evaluations.rowCount;
    case "traces":
      return v.traces.count;
    case "requests":
      return v.requests.count;
    case "faults":
      return v.faults.length;
  }
}

function tabs(v: PageView): string {
  return PAGE_TABS.map((tab) => {
    const warn = tab === "exposures" && v.exposures.problemPayloads > 0
      ? ` <span class="badge" title="payloads with schema problems">⚠ ${e(v.exposures.problemPayloads)}</span>`
      : tab === "evaluations" && v.evaluations.problemPayloads > 0
      ? ` <span class="badge" title="payloads with schema problems">⚠ ${e(v.evaluations.problemPayloads)}</span>`
      : "";
    return `<a id="tab-${tab}" class="tab${tab === v.query.tab ? " active" : ""}" data-tab="${tab}" href="${e(pageHref(v.query, tab))}">${
      TAB_TITLES[tab]
    } <span class="count">(${e(count(v, tab).toLocaleString("en-US"))})</span>${warn}</a>`;
  }).join("");
}

function statsLine(v: PageView): string {
  const s = v.stats;
  return `received ${e(s.received.toLocaleString("en-US"))} · stored ${e(s.stored.toLocaleString("en-US"))} of ${
    e(s.maxRequests.toLocaleString("en-US"))
  } (${e(bytes(s.storedBytes))} of ${e(bytes(s.maxBytes))}) · evicted ${e(s.evicted.toLocaleString("en-US"))} · ${
    e(plural(v.faults.length, "fault"))
  } pending`;
}

/** Extra state of one rendering. */
export interface RenderOptions {
  /** A fault form error to show (the form was posted and refused). */
  faultError?: string;
}

/**
 * Renders the whole page. Elements with `data-live` are the ones the page's
 * script replaces on each update (the filter inputs and the fault form are
 * outside them, so typing is never interrupted).
 *
 * @example
 * ```ts
 * // (fragment) with the page's names and an `agent` in scope
 * const html = renderPage(buildPageView(agent.store, agent.faults, parsePageQuery(new URL("http://agent/"))));
 * ```
 */
export function renderPage(v: PageView, options: RenderOptions = {}): string {
  const q = v.query;
  const panel = (tab: PageTab, body: string, after = "") =>
    `<section id="panel-${tab}" class="panel" data-tab="${tab}"${tab === q.tab ? "" : " hidden"}><h2>${
      TAB_TITLES[tab]
    }</h2><div id="live-${tab}" data-live>${body}</div>${after}</section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>flagpost mock agent</title>
<link rel="icon" href="/test/page/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/test/page/app.css">
<script type="module" src="/test/page/app.js"></script>
</head>
<body>
<header>
<h1>flagpost <span class="dim">mock agent</span></h1>
<p id="stats" data-live>${statsLine(v)}</p>
<p id="live" class="live" data-generated="${e(v.generatedAt)}">Snapshot at ${e(time(v.generatedAt))} UTC (reload to refresh)</p>
</header>
<form id="filters" method="get" action="/">
<input type="hidden" name="tab" value="${e(q.tab)}">
<label>Session <input name="session" list="sessions" value="${e(q.session ?? "")}" placeholder="any" autocomplete="off"></label>
<datalist id="sessions" data-live>${v.sessions.map((s) => `<option value="${e(s)}">`).join("")}</datalist>
<label>Service <input name="service" value="${e(q.service)}" placeholder="any" autocomplete="off"></label>
<label>Flag key <input name="flag" value="${e(q.flag)}" placeholder="any" autocomplete="off"></label>
<button type="submit">Filter</button>
<a href="${e(pageHref({ tab: q.tab, session: null, service: "", flag: "" }, q.tab))}">Clear filters</a>
</form>
<nav id="tabs" data-live>${tabs(v)}</nav>
<main>
${panel("exposures", exposuresPanel(v))}
${panel("evaluations", evaluationsPanel(v))}
${panel("traces", tracesPanel(v))}
${panel("requests", requestsPanel(v))}
${panel("faults", faultsList(v), faultForm(q, options.faultError))}
</main>
<footer>At most ${e(PAGE_LIMITS.rows)} rows per table and ${
    e(PAGE_LIMITS.traces)
  } traces are shown; counts cover everything stored. JSON: <a href="/test/requests">/test/requests</a>, <a href="/test/exposures">/test/exposures</a>, <a href="/test/metrics">/test/metrics</a>, <a href="/test/traces">/test/traces</a>, <a href="/test/stats">/test/stats</a>.</footer>
</body>
</html>
`;
}
