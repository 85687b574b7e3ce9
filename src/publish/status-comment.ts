import type { GitHub } from "../github/octokit.js";
import type { LimitName } from "../runner/adapters/adapter.js";
import { formatDuration } from "./format-duration.js";
import { codeFence, inlineCode, lastLines, plainText, truncate } from "./markdown.js";
import { findMarkedComment } from "./marked-comment.js";
import { httpStatus } from "./request-error.js";

/**
 * The one status comment per task on its issue, edited in place as the task moves: what happened, in words
 * for the person who asked, and what they can do next.
 */

export type StatusView =
  | {
      state: "queued";
      agent: string;
      /** 1-based place among this repository's waiting tasks. */
      position?: number;
      iteration?: IterationView;
    }
  | {
      state: "running";
      agent: string;
      backend: string;
      /** The workflow run's page (actions backend), where its logs are. */
      logUrl?: string;
      /** Dispatched, but the run has not started on a runner yet. */
      waiting?: boolean;
      iteration?: IterationView;
    }
  /** `partial`: the agent was stopped at a limit and the work it had done is being committed. */
  | { state: "publishing"; agent: string; partial?: boolean }
  | {
      state: "pr-opened";
      agent: string;
      pr: { number: number; url: string };
      durationMs: number;
      review?: ReviewView;
      /** Opened as a draft with the partial work of an agent stopped at this limit. */
      partial?: LimitView;
    }
  /** Stopped at a limit; what it had done is on its branch, with no pull request (`limits.partialWork`). */
  | {
      state: "partial";
      agent: string;
      limit: LimitView;
      branch: string;
      branchUrl?: string;
      outputTail?: string;
      logUrl?: string;
    }
  | { state: "no-changes"; agent: string; durationMs: number; outputTail?: string }
  /** A race's candidate: its branch is pushed, without a pull request (the race's own comment ranks it). */
  | { state: "candidate"; agent: string; durationMs: number; branch: string }
  /** The path policy or the size limits refused the changes. */
  | { state: "refused"; agent: string; reason: string; paths: string[] }
  /** `outputTail` is already redacted. */
  | { state: "failed"; agent: string; reason: string; outputTail?: string; logUrl?: string }
  | { state: "cancelled"; agent: string; reason?: string; logUrl?: string }
  /** A stop was asked for; whoever runs the agent is stopping it. */
  | { state: "stopping"; agent: string; reason: string }
  /** The repository's monthly budget is spent: `reason` says which and how much. */
  | { state: "waiting-budget"; agent: string; reason: string };

/** Which of the agent's limits stopped it, and how much that was ("10 min", "50 turns") when configured. */
export interface LimitView {
  limit: LimitName;
  bound?: string;
}

/** Where the judge is on the pull request's head. */
export interface ReviewView {
  stage: "waiting-ci" | "judging" | "passed" | "failed";
  judge: string;
  /** For `failed`: what the gate is missing, e.g. "CI failed: test". */
  reason?: string;
  /** Automatic fix rounds done, and the most there may be. */
  rounds: number;
  maxRounds: number;
}

/** Set while an attempt works on feedback for an open pull request. */
export interface IterationView {
  pr: { number: number; url: string };
  /** For a fix round: which one. */
  round?: number;
  maxRounds?: number;
}

export interface UpsertStatusCommentInput {
  owner: string;
  repo: string;
  issue: number;
  taskId: string;
  /** The comment's id when the task already knows it; saves paging through the issue. */
  commentId?: number;
  /** From {@link renderStatusComment}: it must start with the task's marker, which is how it is found again. */
  body: string;
}

const TAIL_LINES = 30;
const MAX_REASON = 1_000;
const MAX_PATHS = 30;
const MAX_PATH = 300;
const RETRY = "To try again, remove the label and add it back.";

/**
 * A hidden HTML comment naming the task, at the start of its status comment. The id is URL-encoded, so no id
 * can end the HTML comment early (`-->`) and show the rest.
 */
export function statusMarker(taskId: string): string {
  return `<!-- flotilla:status task=${encodeURIComponent(taskId)} -->`;
}

/**
 * The status comment's body for `view`. Text from agents and GitHub (reasons, paths, output) is shown
 * literally: reasons as plain text, paths as code, output in a fence it cannot break out of. The sizes are
 * capped so the body stays far below GitHub's 65,536 characters.
 */
export function renderStatusComment(taskId: string, view: StatusView): string {
  return [statusMarker(taskId), ...describe(view)].join("\n");
}

function describe(view: StatusView): string[] {
  const agent = inlineCode(view.agent);
  switch (view.state) {
    case "queued":
      if (view.iteration)
        return [
          `⏳ **Queued.** ${agent} will work on the feedback on ${prLink(view.iteration.pr)}${round(view.iteration)} when a slot is free${place(view.position)}.`,
        ];
      return [`⏳ **Queued.** ${agent} will start on this issue when a slot is free${place(view.position)}.`];
    case "running":
      if (view.waiting)
        return [
          `🚀 **Dispatched.** ${agent} will start on this issue when a GitHub Actions runner picks up the job${logLink(view.logUrl, "its run")}.`,
        ];
      if (view.iteration)
        return [
          `🏃 **Iterating.** ${agent} is working on the feedback on ${prLink(view.iteration.pr)}${round(view.iteration)} (${inlineCode(view.backend)}${logLink(view.logUrl, "logs")}). Its commit will be added to the pull request.`,
        ];
      return [
        `🏃 **Running.** ${agent} is working on this issue (${inlineCode(view.backend)}${logLink(view.logUrl, "logs")}). The pull request will be linked here when it is done.`,
      ];
    case "publishing":
      if (view.partial)
        return [
          `📦 **Publishing.** ${agent} was stopped at its limit; the work it had done is being committed.`,
        ];
      return [
        `📦 **Publishing.** ${agent} has finished; its changes are being committed and a pull request opened.`,
      ];
    case "pr-opened":
      if (view.partial)
        return [
          `${LIMIT_ICONS[view.partial.limit]} **Draft pull request opened: ${prLink(view.pr)}.** ${agent} stopped at its ${limitText(view.partial)} and its partial work is there. It is not judged until someone marks it ready for review.`,
          ...reviewLines(view.review),
        ];
      return [
        `✅ **Pull request opened: ${prLink(view.pr)}.** ${agent} worked for ${formatDuration(view.durationMs)}. Review the changes there.`,
        ...reviewLines(view.review),
      ];
    case "candidate":
      return [
        `🏁 **Candidate.** ${agent} finished after ${formatDuration(view.durationMs)}; its work is on the branch ${inlineCode(view.branch)}, without a pull request. The race's comment on this issue says which candidate won.`,
      ];
    case "no-changes":
      return [
        `➖ **No changes.** ${agent} finished after ${formatDuration(view.durationMs)} without changing any file, so no branch or pull request was made. Say more precisely in the issue what should change and where. ${RETRY}`,
        ...outputSection(view.outputTail),
      ];
    case "refused":
      return [
        `🚫 **Not published.** ${agent} made changes Flotilla may not push: ${reasonText(view.reason)}.`,
        ...pathList(view.paths),
        "",
        `No branch or pull request was made. Narrow the issue so the agent stays clear of these paths and within the limits; maintainers set protected paths and limits in \`.github/flotilla.yml\` (workflow files are always protected). ${RETRY}`,
      ];
    case "partial":
      return [
        `${LIMIT_ICONS[view.limit.limit]} **Stopped at its limit.** ${agent} stopped at its ${limitText(view.limit)}. Its partial work is on ${branchLink(view.branch, view.branchUrl)}; no pull request was opened.${runLog(view.logUrl)} Open one from the branch to carry on from there, or raise the limit in \`.github/flotilla.yml\` or narrow the issue and start over: remove the label and add it back.`,
        ...outputSection(view.outputTail),
      ];
    case "failed":
      return [
        `❌ **Failed.** ${agent} could not finish: ${reasonText(view.reason)}.${runLog(view.logUrl)} ${RETRY}`,
        ...outputSection(view.outputTail),
      ];
    case "stopping":
      return [
        `⏹️ **Stopping.** ${agent} is being stopped: ${reasonText(view.reason)}. Nothing it made will be published.`,
      ];
    case "waiting-budget":
      return [
        `⏸️ **Waiting for budget.** ${agent} has not started: ${reasonText(view.reason)}. It starts by itself when the budget allows (next month); after raising \`budget\` in \`.github/flotilla.yml\`, add the label again.`,
      ];
    case "cancelled":
      return [
        `⏹️ **Cancelled.** ${agent} was stopped${view.reason ? `: ${reasonText(view.reason)}` : ""}.${runLog(view.logUrl)} To start over, remove the label and add it back.`,
      ];
  }
}

const LIMIT_ICONS: Record<LimitName, string> = { time: "⏱️", turns: "🔁", budget: "💸", output: "📜" };
const LIMIT_NAMES: Record<LimitName, string> = {
  time: "time limit",
  turns: "turn limit",
  budget: "budget limit",
  output: "output limit",
};

/** "time limit (10 min)"; the bound is Flotilla's own text, from the task's settings. */
function limitText(view: LimitView): string {
  return `${LIMIT_NAMES[view.limit]}${view.bound ? ` (${view.bound})` : ""}`;
}

function branchLink(branch: string, url: string | undefined): string {
  const name = inlineCode(truncate(branch, MAX_PATH));
  return safeUrl(url) ? `[${name}](${url})` : name;
}

function round(iteration: IterationView): string {
  return iteration.round ? ` (automatic fix round ${iteration.round} of ${iteration.maxRounds})` : "";
}

function reviewLines(review: ReviewView | undefined): string[] {
  if (!review) return [];
  const judge = inlineCode(review.judge);
  switch (review.stage) {
    case "waiting-ci":
      return [
        "",
        `🔎 **Checking.** Waiting for the repository's CI on the latest commit; then ${judge} reviews it.`,
      ];
    case "judging":
      return ["", `🧑‍⚖️ **Judging.** ${judge} is reviewing the latest commit with the CI results.`];
    case "passed":
      return [
        "",
        `🟢 **Gate passed.** CI is green and ${judge} approved the latest commit. Merging now needs a person's approval.`,
      ];
    case "failed": {
      const reason = reasonText(review.reason ?? "the gate failed");
      if (review.rounds < review.maxRounds) return ["", `🔴 **Gate failed:** ${reason}.`];
      return [
        "",
        `🔴 **Needs a person.** The gate failed: ${reason}. ${review.maxRounds === 0 ? "Automatic fix rounds are off" : `After ${review.maxRounds} automatic fix ${review.maxRounds === 1 ? "round" : "rounds"}, Flotilla has stopped iterating`}: review the pull request and push a fix to its branch, or close it.`,
      ];
    }
  }
}

function place(position: number | undefined): string {
  if (position === undefined || !Number.isSafeInteger(position) || position < 1) return "";
  if (position === 1) return "; it is next in line";
  return `; ${position - 1} ${position === 2 ? "task is" : "tasks are"} ahead of it`;
}

/** The URL comes from GitHub's API; anything else is left out rather than trusted. */
function safeUrl(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\/[^\s()<>]+$/.test(url);
}

function logLink(url: string | undefined, text: string): string {
  return safeUrl(url) ? `, [${text}](${url})` : "";
}

function runLog(url: string | undefined): string {
  return safeUrl(url) ? ` [The run's log](${url}).` : "";
}

export function prLink(pr: { number: number; url: string }): string {
  return safeUrl(pr.url) ? `[#${pr.number}](${pr.url})` : `#${pr.number}`;
}

/** A reason as one plain-text sentence without its own final full stop (the message adds one). */
function reasonText(reason: string): string {
  return plainText(truncate(reason.trim().replace(/[.\s]+$/, ""), MAX_REASON));
}

function pathList(paths: string[]): string[] {
  const items = paths.slice(0, MAX_PATHS).map((p) => `- ${inlineCode(truncate(p, MAX_PATH))}`);
  if (paths.length > MAX_PATHS) items.push(`- …and ${paths.length - MAX_PATHS} more`);
  return items.length > 0 ? ["", ...items] : [];
}

function outputSection(tail: string | undefined): string[] {
  const { lines } = lastLines(tail ?? "", TAIL_LINES);
  if (lines.length === 0) return [];
  return [
    "",
    "<details>",
    `<summary>Last ${lines.length === 1 ? "line" : `${lines.length} lines`} of the agent's output</summary>`,
    "",
    codeFence(lines.join("\n")),
    "",
    "</details>",
  ];
}

/**
 * Posts the task's status comment, or edits the one it already has: by `commentId` when known (a deleted
 * comment falls back to a search), else the first comment on the issue written by a bot that starts with the
 * task's marker. A person quoting the marker never has their comment taken over.
 */
export async function upsertStatusComment(
  gh: GitHub,
  input: UpsertStatusCommentInput,
): Promise<{ id: number; created: boolean }> {
  const { owner, repo } = input;
  // Without the marker the comment could not be found again, and the next update would post a second one.
  if (!input.body.startsWith(statusMarker(input.taskId)))
    throw new Error(`upsertStatusComment: the body must start with ${statusMarker(input.taskId)}`);
  if (input.commentId !== undefined) {
    try {
      await gh.rest.issues.updateComment({ owner, repo, comment_id: input.commentId, body: input.body });
      return { id: input.commentId, created: false };
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
    }
  }
  // Its status comment was posted when the task was queued, near the top.
  const marker = statusMarker(input.taskId);
  const existing = await findMarkedComment(gh, input, (body) => body.startsWith(marker));
  if (existing) {
    if (existing.body !== input.body)
      await gh.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: input.body });
    return { id: existing.id, created: false };
  }
  const { data } = await gh.rest.issues.createComment({
    owner,
    repo,
    issue_number: input.issue,
    body: input.body,
  });
  return { id: data.id, created: true };
}
