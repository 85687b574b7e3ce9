import type { GitHub } from "../github/octokit.js";
import { withRetries } from "../github/with-retries.js";
import { type UpsertPullRequestResult, upsertPullRequest } from "../publish/pull-request.js";
import { pullRequestTitle } from "../publish/pull-request-body.js";
import type { Task } from "./task.js";

/**
 * The task's pull request from its branch, with the title and body its run rendered: found by its branch,
 * so a resumed attempt or a retried job updates the one it opened.
 */
export function openTaskPull(gh: GitHub, task: Task): Promise<UpsertPullRequestResult> {
  return withRetries(() =>
    upsertPullRequest(gh, {
      owner: task.repo.owner,
      repo: task.repo.name,
      head: task.branch,
      base: task.repo.defaultBranch,
      title: pullRequestTitle(task.prTitle ?? `Issue #${task.issue}`, task.issue),
      body: task.prBody ?? `Closes #${task.issue}`,
      // Partial work (`draft-pr`) is a draft: the judge and its fix rounds wait until a person marks it ready.
      draft: task.partial !== undefined,
    }),
  );
}
