import type { Task } from "../../fleet/task.js";
import type { TimelineEntry } from "../../fleet/task-timeline.js";
import type { TaskRow } from "../fleet-rows.js";
import { actionButtons, noticeHtml, stateBadge } from "./fleet-page.js";
import { checksText, costText, elapsedText, judgeText, STATE_LABELS } from "./format.js";
import { type Html, html } from "./html.js";
import { layout, type Viewer } from "./layout.js";

/** The pull request's changes, as GitHub counts them; or why they could not be read. */
export type DiffStat =
  | {
      additions: number;
      deletions: number;
      changedFiles: number;
      files: { filename: string; additions: number; deletions: number; status: string }[];
    }
  | { problem: string };

export interface TaskView {
  row: TaskRow;
  task: Task;
  timeline: TimelineEntry[];
  /** undefined: no pull request yet. */
  diff?: DiffStat;
  viewer: Viewer;
  /** What the last Stop or Retry did. */
  notice?: string;
}

/** `/fleet/tasks/<id>`: one task, its timeline and its pull request's changes. */
export function taskPage(view: TaskView): string {
  const { row } = view;
  return layout(
    `${row.repo}#${row.issue} · ${row.agent}`,
    html`<p><a href="/fleet">← Fleet</a></p>
<h1>${row.repo}#${row.issue} · ${row.agent}</h1>
${noticeHtml(view.notice)}
<div id="task" data-live="/fleet/events?task=${encodeURIComponent(row.id)}">
${taskDetails(view)}
</div>
<section aria-labelledby="changes"><h2 id="changes">Changes</h2>
${diffHtml(view.diff)}
</section>`,
    view.viewer,
  );
}

/** What changes while the page is open: the facts, the actions, the timeline, the output. */
export function taskDetails(view: Omit<TaskView, "diff">): Html {
  const { row, task } = view;
  const back = `/fleet/tasks/${row.id}`;
  return html`<dl class="facts">
  <dt>State</dt><dd>${stateBadge(row.state)}${task.error ? html` <span class="reason">${task.error.message}</span>` : ""}</dd>
  <dt>Issue</dt><dd><a href="${row.issueUrl}">${row.repo}#${row.issue}</a></dd>
  <dt>Attempt</dt><dd>${row.attempt}</dd>
  <dt>Branch</dt><dd><code>${task.branch}</code></dd>
  <dt>Pull request</dt><dd>${row.pr ? html`<a href="${row.pr.url}">#${row.pr.number}</a>` : "none yet"}</dd>
  <dt>Queue</dt><dd>${row.position ?? "—"}</dd>
  <dt>Elapsed</dt><dd>${elapsedText(row.elapsed)}</dd>
  <dt>Cost</dt><dd>${costText(row.costUsd)}${task.usage?.turns !== undefined ? ` · ${task.usage.turns} turns` : ""}</dd>
  <dt>Checks</dt><dd>${checksText(row.checks)}</dd>
  <dt>Judge</dt><dd>${judgeText(row.judge)}</dd>
  <dt>Logs</dt><dd>${row.logsUrl ? html`<a href="${row.logsUrl}">workflow run</a>` : html`<a href="#output">output below</a>`}</dd>
</dl>
<div class="actions">${actionButtons(row, view.viewer.formToken, back)}</div>
<section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>
${
  view.timeline.length === 0
    ? html`<p>Nothing recorded yet.</p>`
    : html`<ol class="timeline">${view.timeline.map(
        (entry) =>
          html`<li><time datetime="${entry.at}">${entry.at.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC")}</time> ${STATE_LABELS[entry.state] ?? entry.state}${entry.attempt > 1 ? ` (attempt ${entry.attempt})` : ""}${entry.note ? html` <span class="reason">${entry.note}</span>` : ""}</li>`,
      )}</ol>`
}
</section>
<section aria-labelledby="output"><h2 id="output">Output</h2>
${task.outputTail ? html`<pre>${task.outputTail}</pre>` : html`<p>None kept: the agent's last lines are kept when a run fails or changes nothing.</p>`}
</section>`;
}

function diffHtml(diff: DiffStat | undefined): Html {
  if (!diff) return html`<p>No pull request yet.</p>`;
  if ("problem" in diff) return html`<p class="problem">${diff.problem}</p>`;
  return html`<p>${diff.changedFiles} ${diff.changedFiles === 1 ? "file" : "files"} changed,
<span class="add">+${diff.additions}</span> <span class="del">−${diff.deletions}</span></p>
<table class="diff"><caption class="visually-hidden">Files changed</caption>
<thead><tr><th scope="col">File</th><th scope="col">Added</th><th scope="col">Removed</th></tr></thead>
<tbody>${diff.files.map(
    (f) =>
      html`<tr><th scope="row"><code>${f.filename}</code>${f.status !== "modified" ? ` (${f.status})` : ""}</th><td class="add">+${f.additions}</td><td class="del">−${f.deletions}</td></tr>`,
  )}</tbody></table>`;
}
