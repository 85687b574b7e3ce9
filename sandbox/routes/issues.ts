import { paginate } from "../http/pagination.js";
import { json, type Route, type RouteContext } from "../http/route.js";
import { findIssue, type IssueChanges, openIssue, updateIssue } from "../lifecycle/issues.js";
import { findLabel } from "../lifecycle/labels.js";
import { renderIssue } from "../render/issues.js";
import type { Issue } from "../state/model.js";
import { actorOf, byDate, labelNames } from "./acting.js";

/** Issues: create, get, list (pull requests included, as on GitHub), update. */

const READ = ["issues", "read"] as [string, "read"];
const WRITE = ["issues", "write"] as [string, "write"];

function assigneesOf(body: Record<string, unknown>): string[] | undefined {
  if (Array.isArray(body.assignees)) return body.assignees as string[];
  if (typeof body.assignee === "string") return [body.assignee];
  if (body.assignee === null) return [];
  return undefined;
}

function listFilter(ctx: RouteContext, repo: RouteContext["repo"]): (issue: Issue) => boolean {
  const state = ctx.query.get("state") ?? "open";
  const labels = (ctx.query.get("labels") ?? "").split(",").filter(Boolean);
  const since = ctx.query.get("since");
  const creator = ctx.query.get("creator")?.toLowerCase();
  const assignee = ctx.query.get("assignee");
  const store = ctx.sandbox.store;
  return (issue) =>
    (state === "all" || issue.state === state) &&
    labels.every((name) => {
      const label = findLabel(repo, name);
      return label !== undefined && issue.labelIds.includes(label.id);
    }) &&
    (!since || issue.updatedAt >= since) &&
    (!creator || store.user(issue.userId).login.toLowerCase() === creator) &&
    (!assignee ||
      (assignee === "none"
        ? issue.assigneeIds.length === 0
        : assignee === "*"
          ? issue.assigneeIds.length > 0
          : issue.assigneeIds.some((id) => store.user(id).login.toLowerCase() === assignee.toLowerCase())));
}

export const issueRoutes: Route[] = [
  {
    op: "POST /repos/{owner}/{repo}/issues",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const issue = await openIssue(ctx.sandbox, ctx.repo, actorOf(ctx), {
        title: String(ctx.body.title),
        body: (ctx.body.body as string | null | undefined) ?? null,
        labels: labelNames(ctx.body),
        assignees: assigneesOf(ctx.body) ?? [],
      });
      return json(201, renderIssue(ctx.sandbox, ctx.repo, issue));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/issues",
    auth: "installation",
    permission: READ,
    handle(ctx) {
      const matching = [...ctx.repo.issues.values()].filter(listFilter(ctx, ctx.repo));
      const sort = ctx.query.get("sort") ?? "created";
      const key = sort === "updated" ? (i: Issue) => i.updatedAt : (i: Issue) => i.createdAt;
      // Same-second timestamps are common in tests: the number breaks ties, newest first.
      const ordered = byDate(
        matching,
        (i) => `${key(i)}#${String(i.number).padStart(9, "0")}`,
        ctx.query.get("direction"),
      );
      return paginate(
        ctx,
        ordered.map((issue) => renderIssue(ctx.sandbox, ctx.repo, issue)),
      );
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/issues/{issue_number}",
    auth: "installation",
    permission: READ,
    handle(ctx) {
      return json(
        200,
        renderIssue(ctx.sandbox, ctx.repo, findIssue(ctx.repo, ctx.params.issue_number ?? "")),
      );
    },
  },
  {
    op: "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const issue = findIssue(ctx.repo, ctx.params.issue_number ?? "");
      const b = ctx.body;
      const changes: IssueChanges = {
        ...(b.title !== undefined && b.title !== null ? { title: String(b.title) } : {}),
        ...(b.body !== undefined ? { body: b.body as string | null } : {}),
        ...(b.state !== undefined ? { state: b.state as "open" | "closed" } : {}),
        ...(b.state_reason !== undefined
          ? { stateReason: b.state_reason as IssueChanges["stateReason"] }
          : {}),
        ...(b.labels !== undefined ? { labels: labelNames(b) } : {}),
      };
      const assignees = assigneesOf(b);
      if (assignees) changes.assignees = assignees;
      await updateIssue(ctx.sandbox, ctx.repo, issue, actorOf(ctx), changes);
      return json(200, renderIssue(ctx.sandbox, ctx.repo, issue));
    },
  },
];
