import type { Sandbox } from "../sandbox.js";
import type { Issue, PullRequest, Repo, Review, ReviewComment } from "../state/model.js";
import { nodeId, renderRepo, renderUser, renderUserById } from "./core.js";
import { apiUrl, authorAssociation, renderIssue, renderReactionRollup, webUrl } from "./issues.js";
import { type PullStats, pullStats } from "./pull-stats.js";

/**
 * Pull requests, reviews and review comments as GitHub renders them, for REST responses and webhook
 * payloads alike. A pull request is an issue record with `pull` set; the issue fields come from renderIssue.
 */

export type PullIssue = Issue & { pull: PullRequest };

function branchSide(sb: Sandbox, repo: Repo, ref: string, sha: string) {
  const owner = sb.store.user(repo.ownerId);
  return {
    label: `${owner.login}:${ref}`,
    ref,
    sha,
    user: renderUser(sb, owner),
    repo: renderRepo(sb, repo),
  };
}

/** `pull-request-simple`: what lists show; no numbers that need git to compute. */
export function renderPullSimple(sb: Sandbox, repo: Repo, issue: PullIssue) {
  const pr = issue.pull;
  const base = renderIssue(sb, repo, issue);
  const api = `${apiUrl(sb, repo)}/pulls/${issue.number}`;
  const web = `${webUrl(sb, repo)}/pull/${issue.number}`;
  const statuses = `${apiUrl(sb, repo)}/statuses/${pr.headSha}`;
  const reviewComment = `${apiUrl(sb, repo)}/pulls/comments{/number}`;
  return {
    url: api,
    id: pr.id,
    node_id: nodeId("PullRequest", pr.id),
    html_url: web,
    diff_url: `${web}.diff`,
    patch_url: `${web}.patch`,
    issue_url: base.url,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: reviewComment,
    comments_url: base.comments_url,
    statuses_url: statuses,
    number: issue.number,
    state: issue.state,
    locked: issue.locked,
    title: issue.title,
    user: base.user,
    body: issue.body,
    labels: base.labels,
    milestone: null,
    active_lock_reason: null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: base.assignee,
    assignees: base.assignees,
    requested_reviewers: pr.requestedReviewerIds.map((id) => renderUserById(sb, id)),
    requested_teams: [],
    head: branchSide(sb, repo, pr.headRef, pr.headSha),
    base: branchSide(sb, repo, pr.baseRef, pr.baseSha),
    _links: {
      self: { href: api },
      html: { href: web },
      issue: { href: base.url },
      comments: { href: base.comments_url },
      review_comments: { href: `${api}/comments` },
      review_comment: { href: reviewComment },
      commits: { href: `${api}/commits` },
      statuses: { href: statuses },
    },
    author_association: base.author_association,
    auto_merge: null,
    draft: pr.draft,
  };
}

/** The full `pull-request` (single GET, create, update, webhooks): adds merge state and diff numbers. */
export async function renderPull(sb: Sandbox, repo: Repo, issue: PullIssue, known?: PullStats) {
  const pr = issue.pull;
  const stats = known ?? (await pullStats(repo, issue));
  return {
    ...renderPullSimple(sb, repo, issue),
    merged: pr.merged,
    mergeable: stats.mergeable,
    rebaseable: stats.mergeable,
    mergeable_state: stats.mergeableState,
    merged_by: pr.mergedById === null ? null : renderUserById(sb, pr.mergedById),
    comments: repo.comments.filter((c) => c.issueNumber === issue.number).length,
    review_comments: pr.reviewComments.length,
    maintainer_can_modify: pr.maintainerCanModify,
    commits: stats.commits,
    additions: stats.additions,
    deletions: stats.deletions,
    changed_files: stats.changedFiles,
  };
}

export function renderReview(sb: Sandbox, repo: Repo, number: number, review: Review) {
  const pullUrl = `${apiUrl(sb, repo)}/pulls/${number}`;
  const html = `${webUrl(sb, repo)}/pull/${number}#pullrequestreview-${review.id}`;
  return {
    id: review.id,
    node_id: nodeId("PullRequestReview", review.id),
    user: renderUserById(sb, review.userId),
    body: review.body,
    state: review.state,
    html_url: html,
    pull_request_url: pullUrl,
    _links: { html: { href: html }, pull_request: { href: pullUrl } },
    // GitHub leaves a pending review's submitted_at out; a submitted one carries it.
    ...(review.submittedAt ? { submitted_at: review.submittedAt } : {}),
    commit_id: review.commitId,
    author_association: authorAssociation(sb, repo, review.userId),
  };
}

/** Review comments do not store their hunk; a one-line hunk header naming the line is enough for clients. */
function diffHunk(comment: ReviewComment): string {
  const line = comment.line ?? 1;
  return comment.side === "LEFT" ? `@@ -${line},1 +${line},0 @@` : `@@ -${line},0 +${line},1 @@`;
}

export function renderReviewComment(sb: Sandbox, repo: Repo, number: number, comment: ReviewComment) {
  const api = `${apiUrl(sb, repo)}/pulls/comments/${comment.id}`;
  const pullUrl = `${apiUrl(sb, repo)}/pulls/${number}`;
  const html = `${webUrl(sb, repo)}/pull/${number}#discussion_r${comment.id}`;
  return {
    url: api,
    pull_request_review_id: comment.reviewId,
    id: comment.id,
    node_id: nodeId("PullRequestReviewComment", comment.id),
    diff_hunk: diffHunk(comment),
    path: comment.path,
    position: comment.line,
    original_position: comment.line,
    commit_id: comment.commitId,
    original_commit_id: comment.commitId,
    ...(comment.inReplyToId === null ? {} : { in_reply_to_id: comment.inReplyToId }),
    user: renderUserById(sb, comment.userId),
    body: comment.body,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    html_url: html,
    pull_request_url: pullUrl,
    author_association: authorAssociation(sb, repo, comment.userId),
    _links: { self: { href: api }, html: { href: html }, pull_request: { href: pullUrl } },
    start_line: comment.startLine,
    original_start_line: comment.startLine,
    start_side: comment.startLine === null ? null : comment.side,
    line: comment.line,
    original_line: comment.line,
    side: comment.side,
    subject_type: "line",
    reactions: renderReactionRollup(`${api}/reactions`, comment.reactions),
  };
}
