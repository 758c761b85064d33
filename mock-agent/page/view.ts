/**
 * What the mock agent's page shows, computed from the store: exposures,
 * evaluation counts, traces (with the root span's `ffe_*` tags decoded),
 * requests and faults, filtered by session token, service and flag key.
 *
 * The view is the one place the page's size is decided: whatever the store
 * holds (at most its `maxRequests` / `maxBytes`), a view keeps at most
 * {@link PAGE_LIMITS} rows, traces, spans, problems and series, and every
 * text from a payload is cut to `cellChars`. Counts (tab titles, totals)
 * are computed over everything that matches; only the rows are capped. A
 * page left open re-renders a view, it never appends to one, so it cannot
 * grow without limit.
 *
 * @module
 */
import { decodeSpanTags } from "../../src/enrichment/decode-span-tags.ts";
import type { DecodedSpan } from "../decode/msgpack-traces.ts";
import { type OtlpMetricsJson, sumEvaluations } from "../decode/otlp-metrics.ts";
import type { Fault, FaultRegistry } from "../faults.ts";
import type { RecordedRequest, RequestStore, StoreStats } from "../store.ts";
import { groupTraces } from "../test-api.ts";

/**
 * How much one page shows at most (rows are the newest ones; counts cover everything that matches).
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * PAGE_LIMITS.rows; // 200 rows per table
 * ```
 */
export const PAGE_LIMITS = Object.freeze({
  /** Rows per table (exposures, flag evaluation rows, requests). */
  rows: 200,
  /** Traces drawn as waterfalls. */
  traces: 20,
  /** Spans drawn per trace. */
  spansPerTrace: 50,
  /** Payloads with schema problems listed, and problems shown per payload. */
  problemPayloads: 50,
  problemsPerPayload: 10,
  /** Flag / variant groups, and flag / variant / reason series. */
  groups: 200,
  /** Distinct subjects counted per flag / variant (beyond, shown as "at least"). */
  subjectsPerGroup: 10_000,
  /** Time buckets of the evaluations chart. */
  buckets: 30,
  /** Session tokens offered in the filter. */
  sessions: 100,
  /** Characters kept of any text from a payload (attributes JSON: four times this). */
  cellChars: 200,
  /** Characters kept of a span's name, resource and service (a waterfall has up to traces × spansPerTrace rows). */
  spanChars: 100,
});

/**
 * The page's tabs.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * const tab: PageTab = "traces";
 * ```
 */
export type PageTab = "exposures" | "evaluations" | "traces" | "requests" | "faults";

/**
 * Every tab, in display order.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * PAGE_TABS.includes("faults"); // true
 * ```
 */
export const PAGE_TABS: readonly PageTab[] = ["exposures", "evaluations", "traces", "requests", "faults"];

/**
 * The page's state, all of it in the URL: `?tab=&session=&service=&flag=`.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * parsePageQuery(new URL("http://127.0.0.1:8126/?tab=traces&service=shop")).service; // "shop"
 * ```
 */
export interface PageQuery {
  tab: PageTab;
  /** Exact session token, or null for every request. */
  session: string | null;
  /** Case-insensitive substring of the service name ("" matches everything). */
  service: string;
  /** Case-insensitive substring of the flag key ("" matches everything). */
  flag: string;
}

/**
 * Reads the page's query; unknown or oversized values fall back to defaults (never throws).
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * parsePageQuery(new URL("http://agent/?tab=nope")).tab; // "exposures"
 * ```
 */
export function parsePageQuery(url: URL): PageQuery {
  const text = (name: string): string => (url.searchParams.get(name) ?? "").trim().slice(0, 256);
  const tab = text("tab") as PageTab;
  const session = text("session");
  return {
    tab: PAGE_TABS.includes(tab) ? tab : "exposures",
    session: session === "" ? null : session,
    service: text("service"),
    flag: text("flag"),
  };
}

/** One exposure event row. */
export interface ExposureRow {
  requestId: number;
  time: number;
  service: string;
  flag: string;
  variant: string;
  allocation: string;
  subject: string;
  attributes: string;
}

/** Exposure events per flag and variant. */
export interface ExposureGroup {
  flag: string;
  variant: string;
  events: number;
  /** Distinct subject ids (at most `PAGE_LIMITS.subjectsPerGroup`, see `subjectsCapped`). */
  subjects: number;
  subjectsCapped: boolean;
}

/** A payload the agent found schema problems in. */
export interface ProblemRow {
  requestId: number;
  time: number;
  path: string;
  /** The first `PAGE_LIMITS.problemsPerPayload` problems. */
  problems: string[];
  /** How many more the payload had. */
  more: number;
}

/** `feature_flag.evaluations` summed per flag / variant / reason (and service). */
export interface EvaluationSeries {
  service: string;
  flag: string;
  variant: string;
  reason: string;
  count: number;
  /** The count per time bucket (see `EvaluationsView.bucketStart` / `bucketMs`). */
  buckets: number[];
}

/** One `flagevaluation` row as sent. */
export interface FlagEvaluationRow {
  requestId: number;
  service: string;
  flag: string;
  variant: string;
  allocation: string;
  count: string;
  first: string;
  last: string;
  runtimeDefault: boolean;
  error: string;
  targetingKey: string;
}

/** One span in a waterfall. */
export interface SpanRow {
  name: string;
  resource: string;
  service: string;
  spanId: string;
  depth: number;
  /** Offset from the trace's start and duration, in nanoseconds (decimal strings, exact). */
  offsetNs: string;
  durationNs: string;
  /** Position in the trace's time range, from 0 to 1. */
  left: number;
  width: number;
  error: boolean;
}

/** A trace: its spans as a waterfall and its root span's decoded `ffe_*` tags. */
export interface TraceView {
  traceId: string;
  service: string;
  rootName: string;
  rootResource: string;
  durationNs: string;
  spanCount: number;
  spans: SpanRow[];
  /** Decoded `ffe_*` tags of the root span (absent when it has none). */
  ffe?: {
    serialIds: number[];
    subjects: Array<[string, number[]]>;
    runtimeDefaults: Array<[string, string]>;
    raw: Array<[string, string]>;
  };
  /** Why the root span's `ffe_*` tags did not decode. */
  ffeError?: string;
}

/** One request row. */
export interface RequestRow {
  id: number;
  time: number;
  method: string;
  url: string;
  status: number;
  bytes: number;
  kind: string;
  session: string;
  summary: string;
  error: string;
  /** The injected fault that applied, described ("" when none). */
  fault: string;
}

/** Everything the evaluations tab shows. */
export interface EvaluationsView {
  /** Sum of every matching `feature_flag.evaluations` point. */
  total: number;
  series: EvaluationSeries[];
  seriesMore: number;
  /** Time of the first bucket (ms since the epoch) and bucket width. */
  bucketStart: number;
  bucketMs: number;
  /** Sum of all series per bucket. */
  bucketTotals: number[];
  /** `flagevaluation` rows (newest first), their total, and payloads with problems. */
  rows: FlagEvaluationRow[];
  rowCount: number;
  problems: ProblemRow[];
  problemPayloads: number;
}

/**
 * The page's data, bounded by {@link PAGE_LIMITS}.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names and an `agent` in scope
 * const view: PageView = buildPageView(agent.store, agent.faults, parsePageQuery(new URL("http://agent/")));
 * view.requests.count; // requests stored for the session
 * ```
 */
export interface PageView {
  query: PageQuery;
  generatedAt: number;
  stats: StoreStats;
  sessions: string[];
  exposures: {
    events: number;
    rows: ExposureRow[];
    groups: ExposureGroup[];
    groupsMore: number;
    problems: ProblemRow[];
    problemPayloads: number;
  };
  evaluations: EvaluationsView;
  traces: { count: number; shown: TraceView[] };
  requests: { count: number; rows: RequestRow[] };
  faults: Fault[];
}

/** Cuts a payload text to `max` characters (without splitting a surrogate pair). */
export function cut(value: unknown, max: number = PAGE_LIMITS.cellChars): string {
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

function jsonCut(value: unknown, max: number): string {
  try {
    return cut(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) ?? "", max);
  } catch {
    return "(unrenderable)";
  }
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {};
}

function keyOf(v: unknown): string {
  const k = record(v)["key"];
  return typeof k === "string" ? k : "";
}

function matches(value: string, filter: string): boolean {
  return filter === "" || value.toLowerCase().includes(filter.toLowerCase());
}

/**
 * Describes an applied fault in one line (`503, Retry-After 1`, `delay 200 ms`, `dropped connection`).
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * describeFault({ id: 1, path: "/v1/metrics", method: null, status: 503, retryAfter: "1", delayMs: 0, dropConnection: false, times: 1, remaining: 0 });
 * // "#1 503, Retry-After 1"
 * ```
 */
export function describeFault(f: Fault): string {
  const parts: string[] = [];
  if (f.status !== null) parts.push(String(f.status));
  if (f.retryAfter !== null) parts.push(`Retry-After ${f.retryAfter}`);
  if (f.location !== null && f.location !== undefined) parts.push(`Location ${cut(f.location, 80)}`);
  if (f.delayMs > 0) parts.push(`delay ${f.delayMs} ms`);
  if (f.dropConnection) parts.push("dropped connection");
  return `#${f.id} ${parts.join(", ")}`;
}

function problemRow(r: RecordedRequest, problems: readonly string[]): ProblemRow {
  return {
    requestId: r.id,
    time: r.time,
    path: cut(r.path),
    problems: problems.slice(0, PAGE_LIMITS.problemsPerPayload).map((p) => cut(p)),
    more: Math.max(0, problems.length - PAGE_LIMITS.problemsPerPayload),
  };
}

/**
 * Walks the EVP payloads of `kind` (exposures or flag evaluation rows) newest
 * first, keeping those of the service filter: counts and keeps their schema
 * problems in `out`, and calls `each` for every item (newest first) whose
 * flag key matches the flag filter.
 */
function eachEvpItem(
  records: readonly RecordedRequest[],
  kind: "exposures" | "flagevaluation",
  q: PageQuery,
  out: { problems: ProblemRow[]; problemPayloads: number },
  each: (r: RecordedRequest, service: string, item: Record<string, unknown>, flag: string) => void,
): void {
  const listKey = kind === "exposures" ? "exposures" : "flagEvaluations";
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.decoded?.kind !== kind) continue;
    const payload = record(r.decoded.payload);
    const service = String(record(payload["context"])["service"] ?? "");
    if (!matches(service, q.service)) continue;
    if (r.decoded.problems.length > 0) {
      out.problemPayloads++;
      if (out.problems.length < PAGE_LIMITS.problemPayloads) out.problems.push(problemRow(r, r.decoded.problems));
    }
    const items = Array.isArray(payload[listKey]) ? payload[listKey] as unknown[] : [];
    for (let j = items.length - 1; j >= 0; j--) {
      const item = record(items[j]);
      const flag = keyOf(item["flag"]);
      if (matches(flag, q.flag)) each(r, service, item, flag);
    }
  }
}

function exposuresView(records: readonly RecordedRequest[], q: PageQuery): PageView["exposures"] {
  const out: PageView["exposures"] = { events: 0, rows: [], groups: [], groupsMore: 0, problems: [], problemPayloads: 0 };
  const groups = new Map<string, { group: ExposureGroup; subjects: Set<string> }>();
  eachEvpItem(records, "exposures", q, out, (r, service, e, flag) => {
    out.events++;
    const variant = keyOf(e["variant"]);
    const subject = record(e["subject"]);
    const subjectId = typeof subject["id"] === "string" ? subject["id"] : "";
    if (out.rows.length < PAGE_LIMITS.rows) {
      out.rows.push({
        requestId: r.id,
        time: typeof e["timestamp"] === "number" ? e["timestamp"] : r.time,
        service: cut(service),
        flag: cut(flag),
        variant: cut(variant),
        allocation: cut(keyOf(e["allocation"])),
        subject: cut(subjectId),
        attributes: jsonCut(subject["attributes"] ?? {}, PAGE_LIMITS.cellChars * 4),
      });
    }
    const key = JSON.stringify([flag, variant]);
    let g = groups.get(key);
    if (g === undefined) {
      if (groups.size >= PAGE_LIMITS.groups) {
        out.groupsMore++;
        return;
      }
      g = { group: { flag: cut(flag), variant: cut(variant), events: 0, subjects: 0, subjectsCapped: false }, subjects: new Set() };
      groups.set(key, g);
    }
    g.group.events++;
    if (g.subjects.size < PAGE_LIMITS.subjectsPerGroup) g.subjects.add(subjectId);
    else if (!g.subjects.has(subjectId)) g.group.subjectsCapped = true;
  });
  out.groups = [...groups.values()].map((g) => ({ ...g.group, subjects: g.subjects.size })).sort((a, b) =>
    a.flag < b.flag ? -1 : a.flag > b.flag ? 1 : b.events - a.events
  );
  return out;
}

function text(v: unknown): string {
  return typeof v === "string"
    ? v
    : typeof v === "number" || typeof v === "boolean"
    ? String(v)
    : v === undefined || v === null
    ? ""
    : jsonCut(v, 80);
}

function evaluationsView(records: readonly RecordedRequest[], q: PageQuery): EvaluationsView {
  const out: EvaluationsView = {
    total: 0,
    series: [],
    seriesMore: 0,
    bucketStart: 0,
    bucketMs: 1,
    bucketTotals: [],
    rows: [],
    rowCount: 0,
    problems: [],
    problemPayloads: 0,
  };
  // Metrics: one sum per request (its receipt time places it in a bucket).
  const points: Array<{ time: number; key: string; series: Omit<EvaluationSeries, "buckets" | "count">; count: number }> = [];
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    if (r.decoded?.kind !== "metrics") continue;
    for (const row of sumEvaluations([r.decoded.request as OtlpMetricsJson])) {
      const service = text(row.resource["service.name"]);
      const flag = text(row.attributes["feature_flag.key"]);
      if (!matches(service, q.service) || !matches(flag, q.flag)) continue;
      const series = {
        service: cut(service),
        flag: cut(flag),
        variant: cut(text(row.attributes["feature_flag.result.variant"])),
        reason: cut(text(row.attributes["feature_flag.result.reason"])),
      };
      points.push({ time: r.time, key: JSON.stringify(series), series, count: row.count });
      first = Math.min(first, r.time);
      last = Math.max(last, r.time);
    }
  }
  if (points.length > 0) {
    const n = PAGE_LIMITS.buckets;
    out.bucketStart = first;
    out.bucketMs = Math.max(1, Math.ceil((last - first + 1) / n));
    out.bucketTotals = new Array<number>(n).fill(0);
    const bySeries = new Map<string, EvaluationSeries>();
    for (const p of points) {
      const bucket = Math.min(n - 1, Math.floor((p.time - first) / out.bucketMs));
      out.total += p.count;
      out.bucketTotals[bucket]! += p.count;
      let s = bySeries.get(p.key);
      if (s === undefined) {
        if (bySeries.size >= PAGE_LIMITS.groups) {
          out.seriesMore++;
          continue;
        }
        s = { ...p.series, count: 0, buckets: new Array<number>(n).fill(0) };
        bySeries.set(p.key, s);
      }
      s.count += p.count;
      s.buckets[bucket]! += p.count;
    }
    out.series = [...bySeries.values()].sort((a, b) => (a.flag < b.flag ? -1 : a.flag > b.flag ? 1 : b.count - a.count));
  }
  // Flag evaluation rows (EVP), newest first.
  eachEvpItem(records, "flagevaluation", q, out, (r, service, row, flag) => {
    out.rowCount++;
    if (out.rows.length >= PAGE_LIMITS.rows) return;
    out.rows.push({
      requestId: r.id,
      service: cut(service),
      flag: cut(flag),
      variant: cut(keyOf(row["variant"])),
      allocation: cut(keyOf(row["allocation"])),
      count: cut(text(row["evaluation_count"])),
      first: cut(text(row["first_evaluation"])),
      last: cut(text(row["last_evaluation"])),
      runtimeDefault: row["runtime_default_used"] === true,
      error: cut(text(record(row["error"])["message"])),
      targetingKey: cut(text(row["targeting_key"])),
    });
  });
  return out;
}

function traceView(spans: readonly DecodedSpan[]): TraceView {
  const ids = new Set(spans.map((s) => s.span_id));
  const root = spans.find((s) => s.parent_id === 0n || !ids.has(s.parent_id)) ?? spans[0]!;
  let start = spans[0]!.start;
  let end = spans[0]!.start + spans[0]!.duration;
  for (const s of spans) {
    if (s.start < start) start = s.start;
    if (s.start + s.duration > end) end = s.start + s.duration;
  }
  // A trace of zero duration (a frozen clock, as in Workers) draws every span across the whole row.
  const range = end > start ? Number(end - start) : 0;
  const parentOf = new Map(spans.map((s) => [s.span_id, s.parent_id] as const));
  const depthOf = (s: DecodedSpan): number => {
    let depth = 0;
    let parent = s.parent_id;
    while (parent !== 0n && parentOf.has(parent) && depth < 10) {
      depth++;
      parent = parentOf.get(parent)!;
    }
    return depth;
  };
  const drawn = [...spans].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)).slice(0, PAGE_LIMITS.spansPerTrace);
  const view: TraceView = {
    traceId: root.trace_id.toString(),
    service: cut(root.service),
    rootName: cut(root.name),
    rootResource: cut(root.resource),
    durationNs: (end - start).toString(),
    spanCount: spans.length,
    spans: drawn.map((s) => ({
      name: cut(s.name, PAGE_LIMITS.spanChars),
      resource: cut(s.resource, PAGE_LIMITS.spanChars),
      service: cut(s.service, PAGE_LIMITS.spanChars),
      spanId: s.span_id.toString(),
      depth: depthOf(s),
      offsetNs: (s.start - start).toString(),
      durationNs: s.duration.toString(),
      left: range === 0 ? 0 : Number(s.start - start) / range,
      width: range === 0 ? 1 : Number(s.duration) / range,
      error: s.error !== 0,
    })),
  };
  const raw = Object.entries(root.meta).filter(([k]) => k.startsWith("ffe_"));
  if (raw.length > 0) {
    try {
      const decoded = decodeSpanTags(root.meta);
      view.ffe = {
        serialIds: decoded.serialIds.slice(0, PAGE_LIMITS.rows),
        subjects: Object.entries(decoded.subjects).slice(0, PAGE_LIMITS.problemsPerPayload).map((
          [k, v],
        ) => [k, v.slice(0, PAGE_LIMITS.rows)]),
        runtimeDefaults: Object.entries(decoded.runtimeDefaults).slice(0, PAGE_LIMITS.rows).map(([k, v]) => [cut(k), cut(v)]),
        raw: raw.map(([k, v]) => [cut(k), cut(v, PAGE_LIMITS.cellChars * 4)]),
      };
    } catch (e) {
      view.ffeError = cut(e instanceof Error ? e.message : String(e));
    }
  }
  return view;
}

function tracesView(records: readonly RecordedRequest[], q: PageQuery): PageView["traces"] {
  const traces = groupTraces(records).filter((t) => q.service === "" || t.some((s) => matches(s.service, q.service)));
  return { count: traces.length, shown: traces.slice(-PAGE_LIMITS.traces).reverse().map(traceView) };
}

function requestsView(records: readonly RecordedRequest[]): PageView["requests"] {
  const rows: RequestRow[] = [];
  for (let i = records.length - 1; i >= 0 && rows.length < PAGE_LIMITS.rows; i--) {
    const r = records[i]!;
    rows.push({
      id: r.id,
      time: r.time,
      method: cut(r.method, 16),
      url: cut(r.path + r.query),
      status: r.status,
      bytes: r.body.length,
      kind: r.kind,
      session: cut(r.sessionToken ?? ""),
      summary: cut(r.summary),
      error: cut(r.error ?? ""),
      fault: r.appliedFault !== undefined ? describeFault(r.appliedFault) : r.fault ? "injected fault" : "",
    });
  }
  return { count: records.length, rows };
}

function sessionsOf(records: readonly RecordedRequest[]): string[] {
  const seen = new Set<string>();
  for (let i = records.length - 1; i >= 0 && seen.size < PAGE_LIMITS.sessions; i--) {
    const token = records[i]!.sessionToken;
    if (token !== null) seen.add(cut(token, 256));
  }
  return [...seen];
}

/**
 * Builds the page's data from the store and the fault registry. Never
 * throws on stored payloads (they were decoded by the agent, but their
 * shapes are whatever a client sent).
 *
 * @example
 * ```ts
 * // (fragment) with the page's names and an `agent` in scope
 * buildPageView(agent.store, agent.faults, parsePageQuery(new URL("http://agent/?tab=traces"))).traces.count;
 * ```
 */
export function buildPageView(store: RequestStore, faults: FaultRegistry, query: PageQuery, now: number = Date.now()): PageView {
  const all = store.list();
  const records = query.session === null ? all : all.filter((r) => r.sessionToken === query.session);
  return {
    query,
    generatedAt: now,
    stats: store.stats(),
    sessions: sessionsOf(all),
    exposures: exposuresView(records, query),
    evaluations: evaluationsView(records, query),
    traces: tracesView(records, query),
    requests: requestsView(records),
    faults: faults.list().slice(0, PAGE_LIMITS.rows),
  };
}
