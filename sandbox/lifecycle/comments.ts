import { notFound } from "../http/errors.js";
import { renderIssue, renderIssueComment } from "../render/issues.js";
import type { Sandbox } from "../sandbox.js";
import type { IssueComment, Repo, User } from "../state/model.js";
import type { Actor } from "./actor.js";
import { findIssue } from "./issues.js";

/** Issue comments (also the conversation of a pull request) and their `issue_comment` webhooks. */

export function findComment(repo: Repo, id: number | string): IssueComment {
  const comment = repo.comments.find((c) => c.id === Number(id));
  if (!comment) throw notFound();
  return comment;
}

function emitComment(
  sb: Sandbox,
  repo: Repo,
  comment: IssueComment,
  action: "created" | "edited" | "deleted",
  sender: User,
  extra: Record<string, unknown> = {},
): void {
  const issue = findIssue(repo, comment.issueNumber);
  sb.webhooks.emit({
    event: "issue_comment",
    repo,
    sender,
    payload: {
      action,
      issue: renderIssue(sb, repo, issue),
      comment: renderIssueComment(sb, repo, comment),
      ...extra,
    },
  });
}

export function createComment(
  sb: Sandbox,
  repo: Repo,
  issueNumber: number,
  actor: Actor,
  body: string,
): IssueComment {
  const issue = findIssue(repo, issueNumber);
  const now = sb.store.nowIso();
  const comment: IssueComment = {
    id: sb.store.nextId(),
    issueNumber: issue.number,
    userId: actor.user.id,
    body,
    createdAt: now,
    updatedAt: now,
    reactions: [],
    viaAppId: actor.viaAppId,
  };
  repo.comments.push(comment);
  issue.updatedAt = now;
  emitComment(sb, repo, comment, "created", actor.user);
  return comment;
}

export function editComment(
  sb: Sandbox,
  repo: Repo,
  comment: IssueComment,
  actor: Actor,
  body: string,
): IssueComment {
  const from = comment.body;
  comment.body = body;
  comment.updatedAt = sb.store.nowIso();
  emitComment(sb, repo, comment, "edited", actor.user, { changes: { body: { from } } });
  return comment;
}

export function deleteComment(sb: Sandbox, repo: Repo, comment: IssueComment, actor: Actor): void {
  repo.comments = repo.comments.filter((c) => c.id !== comment.id);
  emitComment(sb, repo, comment, "deleted", actor.user);
}
