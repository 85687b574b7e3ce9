import { renderIssue } from "../render/issues.js";
import { pullStats } from "../render/pull-stats.js";
import { renderPull } from "../render/pulls.js";

const MERGEABILITY_PENDING = new Set(["opened", "synchronize", "reopened"]);

import type { Sandbox } from "../sandbox.js";
import type { Issue, PullRequest, Repo, User } from "../state/model.js";

/**
 * Who makes a change: a person (scripting) or an App's bot user (an installation token). `viaAppId` marks
 * what an App made, which GitHub shows as `performed_via_github_app`.
 */
export interface Actor {
  user: User;
  viaAppId: number | null;
}

export function isPull(issue: Issue): issue is Issue & { pull: PullRequest } {
  return issue.pull !== null;
}

/**
 * Emits an issue-level action the way GitHub does: as `issues` for an issue, as `pull_request` for a pull
 * request (a label added to a PR is `pull_request.labeled`, never `issues.labeled`).
 */
export async function emitIssueAction(
  sb: Sandbox,
  repo: Repo,
  issue: Issue,
  action: string,
  sender: User,
  extra: Record<string, unknown> = {},
): Promise<void> {
  if (isPull(issue)) {
    // GitHub computes mergeability in the background after a head appears or moves: these webhooks say null.
    const mergeability = !MERGEABILITY_PENDING.has(action);
    const pull_request = await renderPull(sb, repo, issue, await pullStats(repo, issue, { mergeability }));
    sb.webhooks.emit({
      event: "pull_request",
      repo,
      sender,
      payload: { action, number: issue.number, pull_request, ...extra },
    });
    return;
  }
  sb.webhooks.emit({
    event: "issues",
    repo,
    sender,
    payload: { action, issue: renderIssue(sb, repo, issue), ...extra },
  });
}
