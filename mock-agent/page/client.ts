/**
 * The page's script, written as a type-checked function and served as its
 * source text (`/test/page/app.js`), so it is built into the package with
 * the rest of the mock agent: no bundler step, no CDN, works offline.
 *
 * What it adds to the server-rendered page: tab switching without a reload,
 * filters applied as you type, and live updates — it listens to
 * `/test/events` (Server-Sent Events: one `change` event when the store or
 * the faults change) and then fetches the page again and swaps in its
 * `data-live` elements, at most once a second. The swapped elements replace
 * the old ones (never appended to), so the DOM stays as large as one
 * rendering, which the server bounds. It never builds HTML from data: the
 * new elements come from the server's escaped rendering, parsed by
 * `DOMParser` (which runs no script), and its own messages are set with
 * `textContent`.
 *
 * The function must stay self-contained (no imports, no outer names): its
 * source text is all the browser gets.
 *
 * @module
 */

/**
 * The browser side of the page (serialized by {@link PAGE_SCRIPT}; not called on the server).
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * const source = `(${pageClient.toString()})();`;
 * ```
 */
export function pageClient(): void {
  const doc = document;
  const live = doc.getElementById("live");
  const filters = doc.getElementById("filters") as HTMLFormElement | null;
  let paused = false;
  let inFlight = false;
  let again = false;
  let lastRefresh = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let poller: ReturnType<typeof setInterval> | undefined;

  const say = (text: string, state: string) => {
    if (live === null) return;
    live.textContent = text;
    live.dataset.state = state;
  };
  const clock = () => new Date().toISOString().slice(11, 19);

  const currentQuery = (): URLSearchParams => {
    const params = new URLSearchParams();
    if (filters !== null) {
      for (const [name, value] of new FormData(filters)) {
        if (typeof value === "string" && value.trim() !== "") params.set(name, value.trim());
      }
    }
    return params;
  };

  const refresh = async (): Promise<void> => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const res = await fetch(`/?${currentQuery()}`, { headers: { accept: "text/html" }, cache: "no-store" });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const next = new DOMParser().parseFromString(await res.text(), "text/html");
      for (const fresh of Array.from(next.querySelectorAll<HTMLElement>("[data-live]"))) {
        const old = fresh.id === "" ? null : doc.getElementById(fresh.id);
        if (old !== null) old.replaceWith(doc.adoptNode(fresh));
      }
      say(paused ? "Paused" : `Live · updated ${clock()} UTC`, paused ? "paused" : "live");
    } catch (err) {
      say(`Update failed (${err instanceof Error ? err.message : String(err)}); retrying`, "error");
    } finally {
      inFlight = false;
      lastRefresh = Date.now();
      if (again) {
        again = false;
        schedule();
      }
    }
  };

  /** At most one refresh a second, however many changes arrive. */
  const schedule = () => {
    if (paused || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void refresh();
    }, Math.max(0, 1000 - (Date.now() - lastRefresh)));
  };

  const showTab = (tab: string) => {
    for (const panel of Array.from(doc.querySelectorAll<HTMLElement>("section.panel"))) panel.hidden = panel.dataset.tab !== tab;
    for (const link of Array.from(doc.querySelectorAll<HTMLElement>("#tabs a.tab"))) {
      link.classList.toggle("active", link.dataset.tab === tab);
    }
    const input = filters?.querySelector<HTMLInputElement>('input[name="tab"]');
    if (input) input.value = tab;
    history.replaceState(null, "", `/?${currentQuery()}`);
  };

  doc.addEventListener("click", (ev) => {
    const target = ev.target instanceof Element ? ev.target.closest<HTMLAnchorElement>("#tabs a.tab") : null;
    if (target === null || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    const tab = target.dataset.tab;
    if (tab === undefined) return;
    ev.preventDefault();
    showTab(tab);
  });

  if (filters !== null) {
    let typing: ReturnType<typeof setTimeout> | undefined;
    const apply = () => {
      history.replaceState(null, "", `/?${currentQuery()}`);
      void refresh();
    };
    filters.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(apply, 300);
    });
    filters.addEventListener("submit", (ev) => {
      ev.preventDefault();
      clearTimeout(typing);
      apply();
    });
  }

  const header = doc.querySelector("header");
  if (header !== null) {
    const pause = doc.createElement("button");
    pause.type = "button";
    pause.id = "pause";
    pause.textContent = "Pause";
    pause.addEventListener("click", () => {
      paused = !paused;
      pause.textContent = paused ? "Resume" : "Pause";
      if (paused) say("Paused", "paused");
      else void refresh();
    });
    header.append(pause);
  }

  const poll = () => {
    if (poller === undefined) poller = setInterval(schedule, 5000);
  };
  if (typeof EventSource === "function") {
    const events = new EventSource("/test/events");
    events.addEventListener("change", schedule);
    events.addEventListener("open", () => {
      if (!paused) say(`Live · connected ${clock()} UTC`, "live");
    });
    events.addEventListener("error", () => {
      // The browser reconnects by itself, unless the server refused the stream: then poll.
      if (events.readyState === EventSource.CLOSED) {
        say("Live updates unavailable; polling every 5 s", "polling");
        poll();
      } else say("Reconnecting…", "error");
    });
  } else poll();
}

/**
 * The script served at `/test/page/app.js`.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * PAGE_SCRIPT.startsWith('"use strict"'); // true
 * ```
 */
export const PAGE_SCRIPT = `"use strict";\n(${pageClient.toString()})();\n`;
