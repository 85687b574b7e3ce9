import { paginate } from "../http/pagination.js";
import { json, noContent, type Route, type RouteContext } from "../http/route.js";
import { createComment, deleteComment, editComment, findComment } from "../lifecycle/comments.js";
import { findIssue } from "../lifecycle/issues.js";
import { renderIssueComment } from "../render/issues.js";
import type { IssueComment } from "../state/model.js";
import { actorOf, byDate } from "./acting.js";

/** Issue comments (the conversation of issues and pull requests): list, create, get, update, delete. */

const READ = ["issues", "read"] as [string, "read"];
const WRITE = ["issues", "write"] as [string, "write"];

function listed(ctx: RouteContext, comments: IssueComment[], defaultDirection: string) {
  const since = ctx.query.get("since");
  const matching = comments.filter((c) => !since || c.updatedAt >= since);
  // Ids grow with time, so they break ties between comments made in the same second.
  const key = (c: IssueComment) =>
    `${ctx.query.get("sort") === "updated" ? c.updatedAt : c.createdAt}#${String(c.id).padStart(12, "0")}`;
  const ordered = byDate(matching, key, ctx.query.get("direction") ?? defaultDirection);
  return paginate(
    ctx,
    ordered.map((c) => renderIssueComment(ctx.sandbox, ctx.repo, c)),
  );
}

export const issueCommentRoutes: Route[] = [
  {
    op: "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
    auth: "installation",
    permission: READ,
    handle(ctx) {
      const issue = findIssue(ctx.repo, ctx.params.issue_number ?? "");
      // An issue's conversation reads oldest first; GitHub takes no sort parameter here.
      return listed(
        ctx,
        ctx.repo.comments.filter((c) => c.issueNumber === issue.number),
        "asc",
      );
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/issues/comments",
    auth: "installation",
    permission: READ,
    handle(ctx) {
      return listed(ctx, ctx.repo.comments, "asc");
    },
  },
  {
    op: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
    auth: "installation",
    permission: WRITE,
    handle(ctx) {
      const issue = findIssue(ctx.repo, ctx.params.issue_number ?? "");
      const comment = createComment(ctx.sandbox, ctx.repo, issue.number, actorOf(ctx), String(ctx.body.body));
      return json(201, renderIssueComment(ctx.sandbox, ctx.repo, comment));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/issues/comments/{comment_id}",
    auth: "installation",
    permission: READ,
    handle(ctx) {
      return json(
        200,
        renderIssueComment(ctx.sandbox, ctx.repo, findComment(ctx.repo, ctx.params.comment_id ?? "")),
      );
    },
  },
  {
    op: "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
    auth: "installation",
    permission: WRITE,
    handle(ctx) {
      const comment = findComment(ctx.repo, ctx.params.comment_id ?? "");
      editComment(ctx.sandbox, ctx.repo, comment, actorOf(ctx), String(ctx.body.body));
      return json(200, renderIssueComment(ctx.sandbox, ctx.repo, comment));
    },
  },
  {
    op: "DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}",
    auth: "installation",
    permission: WRITE,
    handle(ctx) {
      const comment = findComment(ctx.repo, ctx.params.comment_id ?? "");
      deleteComment(ctx.sandbox, ctx.repo, comment, actorOf(ctx));
      return noContent();
    },
  },
];
