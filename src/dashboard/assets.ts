import { createHash } from "node:crypto";

/**
 * The dashboard's only stylesheet and script, served from memory with an ETag. Plain CSS and a few lines
 * of script: the page is readable and usable without it; the script only swaps in live updates.
 */
const CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --bg: #fff; --accent: #0550ae; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; }
.top { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: .5rem 1rem; border-bottom: 1px solid var(--line); }
.brand { font-weight: 600; text-decoration: none; color: var(--fg); }
.who { display: flex; gap: .5rem; align-items: center; margin: 0; }
main { padding: 1rem; max-width: 90rem; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: .5rem; }
.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
select, button, .button { font: inherit; padding: .3rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: #f6f8fa; color: var(--fg); }
button { cursor: pointer; }
.button { display: inline-block; text-decoration: none; background: #1f883d; color: #fff; border-color: #1a7f37; font-weight: 600; }
button.link { border: 0; background: none; color: var(--accent); text-decoration: underline; padding: 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); white-space: nowrap; vertical-align: top; }
thead th { font-size: .85rem; color: var(--muted); }
tbody th { font-weight: 500; }
.empty { color: var(--muted); text-align: center; padding: 2rem; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .85rem; font-weight: 600; }
.badge.busy { background: #ddf4ff; color: #0a3069; }
.badge.wait { background: #fff8c5; color: #4d2d00; }
.badge.good { background: #dafbe1; color: #0f5323; }
.badge.bad { background: #ffebe9; color: #82071e; }
.badge.done { background: #eaeef2; color: #24292f; }
form.action { display: inline; margin-right: .25rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.reason { color: var(--muted); }
.problem { color: #82071e; }
.notice { background: #ddf4ff; border: 1px solid #54aeff; border-radius: 6px; padding: .5rem .75rem; }
.timeline { padding-left: 1.25rem; }
time { font-variant-numeric: tabular-nums; color: var(--muted); }
pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; border-radius: 6px; }
.add { color: #116329; }
.del { color: #82071e; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (prefers-reduced-motion: no-preference) { .badge { transition: background-color .2s; } }
`;

// Live updates: the server sends the part of the page that changed, already rendered and escaped. While
// focus is inside it (a button about to be pressed), the swap waits, so keyboard users do not lose their place.
const JS = `
"use strict";
(function () {
  var live = document.querySelector("[data-live]");
  if (!live || !("EventSource" in window)) return;
  var summary = document.getElementById("summary");
  var pending = null;
  function apply() {
    if (pending === null || live.contains(document.activeElement)) return;
    live.innerHTML = pending.html;
    if (summary && pending.summary !== undefined) summary.textContent = pending.summary;
    pending = null;
  }
  var source = new EventSource(live.getAttribute("data-live"));
  source.addEventListener("update", function (event) { pending = JSON.parse(event.data); apply(); });
  source.addEventListener("signed-out", function () { source.close(); window.location.reload(); });
  live.addEventListener("focusout", function () { setTimeout(apply, 0); });
})();
`;

export interface Asset {
  body: string;
  type: string;
  etag: string;
}

function asset(body: string, type: string): Asset {
  return { body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"` };
}

export const ASSETS: Record<string, Asset> = {
  "/fleet/assets/fleet.css": asset(CSS, "text/css; charset=utf-8"),
  "/fleet/assets/fleet.js": asset(JS, "text/javascript; charset=utf-8"),
};
