import type { PartialWork } from "../app/config/schema.js";
import type { Outcome } from "../runner/adapters/adapter.js";
import type { PartialRun, Task, TaskState } from "./task.js";

/**
 * A run stopped at one of its agent's limits may leave work worth keeping (`limits.partialWork`). These
 * are the pure decisions around it; publish-run.ts does the writing.
 */

/** The task's setting; records made before it had none, and get the default. */
export function partialWorkOf(task: Task): PartialWork {
  return task.settings.limits.partialWork ?? "branch";
}

/**
 * Whether this run's changes are kept although the agent did not finish: it was stopped at a limit (not
 * cancelled, not failed), it changed something, and the config keeps such work. An iteration's partial work
 * is not kept: its commit would land on a pull request people are reviewing, half done, and start the judge.
 */
export function keptPartial(task: Task, outcome: Outcome, changedFiles: number): PartialRun | undefined {
  if (outcome.kind !== "limit" || changedFiles === 0 || task.iteration) return undefined;
  if (partialWorkOf(task) === "discard") return undefined;
  return { limit: outcome.limit, message: outcome.message };
}

/** The state an attempt stopped at a limit ends in: out of time is `timed-out`, any other limit `failed`. */
export function limitState(limit: PartialRun["limit"]): Extract<TaskState, "timed-out" | "failed"> {
  return limit === "time" ? "timed-out" : "failed";
}

/**
 * The branch's page, from the page of a commit in the same repository (`…/commit/<sha>` → `…/tree/<branch>`),
 * so no extra request is needed; undefined when the commit's URL is not shaped so.
 */
export function branchUrlFrom(commitUrl: string, branch: string): string | undefined {
  const match = /^(https?:\/\/[^\s()<>]+)\/commit\/[0-9a-f]{7,64}$/.exec(commitUrl);
  return match ? `${match[1]}/tree/${branch}` : undefined;
}

/** The error a task whose partial work stays on its branch ends with: which limit, and where the work is. */
export function keptOnBranchMessage(partial: PartialRun, branch: string): string {
  const where = partial.branchUrl ? `${branch} (${partial.branchUrl})` : branch;
  return `${partial.message} Its partial work is on the branch ${where}; no pull request was opened.`;
}
