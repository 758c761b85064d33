/**
 * The page's stylesheet and icon, as strings built into the package (served
 * at `/test/page/app.css` and `/test/page/icon.svg`): no external font or
 * CDN, so the page works offline and its Content-Security-Policy allows only
 * its own origin.
 *
 * @module
 */

/**
 * The stylesheet served at `/test/page/app.css`.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * PAGE_STYLE.includes(".panel"); // true
 * ```
 */
export const PAGE_STYLE =
  `:root{color-scheme:light dark;--bg:#fbfbfd;--fg:#1d1f24;--dim:#6b7280;--line:#e3e5ea;--accent:#5b3cc4;--warn:#b45309;--bad:#b91c1c;--badbg:#fdecec;--faultbg:#fff4e0;--bar:#7c5ce0}
@media (prefers-color-scheme:dark){:root{--bg:#15161a;--fg:#e6e7ea;--dim:#9aa0aa;--line:#2c2f36;--accent:#a58bff;--warn:#f59e0b;--bad:#f87171;--badbg:#3a1d1d;--faultbg:#3a2c12;--bar:#8f74ff}}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.4rem 1.2rem;padding:.8rem 1.2rem;border-bottom:1px solid var(--line)}
h1{font-size:1.2rem;margin:0}h2{font-size:1.1rem;margin:.6rem 0}h3{font-size:1rem;margin:1rem 0 .4rem}
.dim,.note,.empty,footer{color:var(--dim)}
#stats{margin:0;color:var(--dim)}
.live{margin:0 0 0 auto;font-size:.85rem;color:var(--dim)}
.live[data-state=live]::before{content:"● ";color:#16a34a}
.live[data-state=error]::before,.live[data-state=polling]::before{content:"● ";color:var(--warn)}
form#filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.6rem 1.2rem;border-bottom:1px solid var(--line)}
label{display:inline-flex;gap:.35rem;align-items:center}
input,select,button{font:inherit;padding:.2rem .4rem;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}
button{cursor:pointer;background:var(--accent);color:#fff;border-color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad)}
#pause{background:transparent;color:var(--fg);border-color:var(--line)}
nav#tabs{display:flex;gap:.2rem;padding:0 1.2rem;border-bottom:1px solid var(--line);overflow-x:auto}
a{color:var(--accent)}
a.tab{padding:.55rem .9rem;text-decoration:none;color:var(--fg);border-bottom:3px solid transparent;white-space:nowrap}
a.tab.active{border-bottom-color:var(--accent);font-weight:600}
.count{color:var(--dim);font-weight:400}
.badge{color:var(--warn);font-size:.85em}
main{padding:.2rem 1.2rem 1rem}
table{border-collapse:collapse;width:100%;margin:.3rem 0}
th,td{text-align:left;vertical-align:top;padding:.25rem .5rem;border-bottom:1px solid var(--line)}
th{font-weight:600;color:var(--dim);font-size:.85rem}
td{overflow-wrap:anywhere}
#exposure-rows td:first-child,#request-rows td:nth-child(2),#request-rows td:nth-child(5){white-space:nowrap}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
tr.problem td,.problem{background:var(--badbg)}
tr.fault td{background:var(--faultbg)}
.warn{color:var(--warn)}
ul.problems{padding-left:1rem}
li.problem{padding:.3rem .5rem;margin:.3rem 0;border-left:3px solid var(--bad);list-style:none}
li.problem .ref{color:var(--dim);font-size:.85rem}
.chart{width:100%;max-width:720px;height:auto}
.chart .bar{fill:var(--bar)}
.chart .axis{stroke:var(--line)}
.chart text{font-size:10px;fill:var(--dim)}
figure{margin:.3rem 0}figcaption{color:var(--dim);font-size:.85rem}
.spark{width:120px;height:24px}.spark polyline{fill:none;stroke:var(--bar);stroke-width:1.5}
article.trace{border:1px solid var(--line);border-radius:6px;padding:.2rem .8rem .6rem;margin:.8rem 0}
article.trace h3{font-weight:600}
dl.ffe{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:.4rem 0}
dl.ffe dt{color:var(--dim)}dl.ffe dd{margin:0;overflow-wrap:anywhere;min-width:0}dl.ffe ul{margin:0;padding-left:1rem}
.serial-ids{font-weight:600}
table.waterfall td.num{white-space:nowrap;text-align:right}
table.waterfall td.wf{width:38%;min-width:160px}
table.waterfall svg{width:100%;height:12px;display:block}
rect.span{fill:var(--bar)}rect.span.err{fill:var(--bad)}
.d1{padding-left:1.3rem}.d2{padding-left:2.1rem}.d3{padding-left:2.9rem}.d4{padding-left:3.7rem}.d5{padding-left:4.5rem}.d6{padding-left:5.3rem}.d7{padding-left:6.1rem}.d8{padding-left:6.9rem}.d9{padding-left:7.7rem}
.fault-form{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:1rem 0 .5rem}
footer{padding:.8rem 1.2rem;border-top:1px solid var(--line);font-size:.85rem}
`;

/**
 * The page's icon (a small flag), served at `/test/page/icon.svg`.
 *
 * @example
 * ```ts
 * // (fragment) with the page's names in scope
 * PAGE_ICON.startsWith("<svg"); // true
 * ```
 */
export const PAGE_ICON =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M3 1v14" stroke="#5b3cc4" stroke-width="2"/><path d="M4 2h9l-2 3 2 3H4z" fill="#7c5ce0"/></svg>`;
