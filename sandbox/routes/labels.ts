import { notFound, validationFailed } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, noContent, type Route, type RouteContext } from "../http/route.js";
import { findIssue } from "../lifecycle/issues.js";
import { addLabels, createLabel, findLabel, removeLabel, setLabels } from "../lifecycle/labels.js";
import { renderLabel } from "../render/core.js";
import type { Issue } from "../state/model.js";
import { actorOf, labelNames } from "./acting.js";

/** Repository labels, and the labels on an issue or pull request (which emit labeled/unlabeled). */

const READ = ["issues", "read"] as [string, "read"];
const WRITE = ["issues", "write"] as [string, "write"];

function issueLabels(ctx: RouteContext, issue: Issue) {
  return issue.labelIds.flatMap((id) => {
    const label = ctx.repo.labels.find((l) => l.id === id);
    return label ? [renderLabel(ctx.sandbox, ctx.repo, label)] : [];
  });
}

function issueOf(ctx: RouteContext): Issue {
  return findIssue(ctx.repo, ctx.params.issue_number ?? "");
}

export const labelRoutes: Route[] = [
  {
    op: "GET /repos/{owner}/{repo}/labels",
    auth: "installation",
    permission: READ,
    handle(ctx) {
      return paginate(
        ctx,
        ctx.repo.labels.map((l) => renderLabel(ctx.sandbox, ctx.repo, l)),
      );
    },
  },
  {
    op: "POST /repos/{owner}/{repo}/labels",
    auth: "installation",
    permission: WRITE,
    handle(ctx) {
      const name = String(ctx.body.name);
      if (findLabel(ctx.repo, name)) throw validationFailed("Label", "name", "already_exists");
      const label = createLabel(ctx.sandbox, ctx.repo, {
        name,
        ...(typeof ctx.body.color === "string" ? { color: ctx.body.color } : {}),
        description: (ctx.body.description as string | undefined) ?? null,
      });
      return json(201, renderLabel(ctx.sandbox, ctx.repo, label));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/labels/{name}",
    auth: "installation",
    permission: READ,
    handle(ctx) {
      const label = findLabel(ctx.repo, ctx.params.name ?? "");
      if (!label) throw notFound();
      return json(200, renderLabel(ctx.sandbox, ctx.repo, label));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/issues/{issue_number}/labels",
    auth: "installation",
    permission: READ,
    handle(ctx) {
      return paginate(ctx, issueLabels(ctx, issueOf(ctx)));
    },
  },
  {
    op: "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const issue = issueOf(ctx);
      await addLabels(ctx.sandbox, ctx.repo, issue, actorOf(ctx), labelNames(ctx.body));
      return json(200, issueLabels(ctx, issue));
    },
  },
  {
    op: "PUT /repos/{owner}/{repo}/issues/{issue_number}/labels",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const issue = issueOf(ctx);
      await setLabels(ctx.sandbox, ctx.repo, issue, actorOf(ctx), labelNames(ctx.body));
      return json(200, issueLabels(ctx, issue));
    },
  },
  {
    op: "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const issue = issueOf(ctx);
      await removeLabel(ctx.sandbox, ctx.repo, issue, actorOf(ctx), ctx.params.name ?? "");
      return json(200, issueLabels(ctx, issue));
    },
  },
  {
    op: "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      await setLabels(ctx.sandbox, ctx.repo, issueOf(ctx), actorOf(ctx), []);
      return noContent();
    },
  },
];
