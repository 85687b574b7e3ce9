import type { RowFilter, TaskRow } from "../fleet-rows.js";
import { checksText, costText, elapsedText, judgeText, STATE_LABELS, stateTone } from "./format.js";
import { type Html, html } from "./html.js";
import { layout, type Viewer } from "./layout.js";

export interface FleetView {
  rows: TaskRow[];
  /** Every repository, state and agent among the tasks the person may see, for the filters. */
  choices: { repos: string[]; states: string[]; agents: string[] };
  filter: RowFilter;
  viewer: Viewer;
  /** What the last Stop or Retry did. */
  notice?: string;
}

/** `/fleet`: every task the person may see, with filters; the table's body is replaced as it changes. */
export function fleetPage(view: FleetView): string {
  const query = filterQuery(view.filter);
  const back = `/fleet${query ? `?${query}` : ""}`;
  return layout(
    "Fleet",
    html`<h1>Fleet</h1>
${noticeHtml(view.notice)}
<form class="filters" method="get" action="/fleet">
  ${select("repo", "Repository", view.choices.repos, view.filter.repo)}
  ${select("state", "State", view.choices.states, view.filter.state, (s) => STATE_LABELS[s as TaskRow["state"]] ?? s)}
  ${select("agent", "Agent", view.choices.agents, view.filter.agent)}
  <button type="submit">Filter</button>
  ${query ? html`<a href="/fleet">Clear filters</a>` : ""}
</form>
<p id="summary" aria-live="polite">${summary(view.rows)}</p>
<div class="table-wrap">
<table>
  <caption class="visually-hidden">Tasks</caption>
  <thead><tr>
    <th scope="col">Task</th><th scope="col">Agent</th><th scope="col">State</th><th scope="col">Queue</th>
    <th scope="col">Elapsed</th><th scope="col">Cost</th><th scope="col">Pull request</th>
    <th scope="col">Checks</th><th scope="col">Judge</th><th scope="col">Logs</th><th scope="col">Actions</th>
  </tr></thead>
  <tbody id="tasks" data-live="/fleet/events${query ? `?${query}` : ""}">
${rowsHtml(view.rows, view.viewer.formToken, back)}
  </tbody>
</table>
</div>`,
    view.viewer,
  );
}

/** The table's rows: the page's first view, and each live update. */
export function rowsHtml(rows: TaskRow[], formToken: string, back: string): Html {
  if (rows.length === 0) return html`<tr><td colspan="11" class="empty">No tasks to show.</td></tr>`;
  return html`${rows.map(
    (row) => html`<tr data-task="${row.id}">
  <th scope="row"><a href="/fleet/tasks/${row.id}">${row.repo}#${row.issue}</a></th>
  <td>${row.agent}</td>
  <td>${stateBadge(row.state)}</td>
  <td>${row.position ?? "—"}</td>
  <td>${elapsedText(row.elapsed)}</td>
  <td>${costText(row.costUsd)}</td>
  <td>${row.pr ? html`<a href="${row.pr.url}">#${row.pr.number}</a>` : "—"}</td>
  <td>${checksText(row.checks)}</td>
  <td>${judgeText(row.judge)}</td>
  <td>${row.logsUrl ? html`<a href="${row.logsUrl}">run</a>` : html`<a href="/fleet/tasks/${row.id}#output">output</a>`}</td>
  <td>${actionButtons(row, formToken, back)}</td>
</tr>
`,
  )}`;
}

export function noticeHtml(notice: string | undefined): Html | string {
  return notice ? html`<p class="notice" role="status">${notice}</p>` : "";
}

export function stateBadge(state: TaskRow["state"]): Html {
  return html`<span class="badge ${stateTone(state)}">${STATE_LABELS[state]}</span>`;
}

/** Stop and Retry, for people with write access; each names its task for screen readers. */
export function actionButtons(row: TaskRow, formToken: string, back: string): Html {
  const what = `${row.agent} on ${row.repo}#${row.issue}`;
  const button = (action: "stop" | "retry", label: string) =>
    html`<form class="action" method="post" action="/fleet/tasks/${row.id}/${action}">
    <input type="hidden" name="token" value="${formToken}"><input type="hidden" name="back" value="${back}">
    <button type="submit" aria-label="${label} ${what}">${label}</button></form>`;
  return html`${row.canStop ? button("stop", "Stop") : ""}${row.canRetry ? button("retry", "Retry") : ""}`;
}

/** "5 tasks: 2 running, 1 queued", for the live region. */
export function summary(rows: TaskRow[]): string {
  if (rows.length === 0) return "No tasks.";
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(STATE_LABELS[row.state], (counts.get(STATE_LABELS[row.state]) ?? 0) + 1);
  const parts = [...counts].map(([label, n]) => `${n} ${label}`);
  return `${rows.length} ${rows.length === 1 ? "task" : "tasks"}: ${parts.join(", ")}`;
}

export function filterQuery(filter: RowFilter): string {
  const params = new URLSearchParams();
  for (const key of ["repo", "state", "agent"] as const) {
    const value = filter[key];
    if (value) params.set(key, value);
  }
  return params.toString();
}

function select(
  name: string,
  label: string,
  values: string[],
  chosen: string | undefined,
  text: (value: string) => string = (v) => v,
): Html {
  return html`<label>${label}
    <select name="${name}">
      <option value="">All</option>
      ${values.map((v) => html`<option value="${v}"${v === chosen ? html` selected` : ""}>${text(v)}</option>`)}
    </select></label>`;
}
