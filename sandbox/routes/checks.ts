import { type CheckRunChanges, createCheckRun, updateCheckRun } from "../ci/check-runs.js";
import { notAccessible } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, type Route } from "../http/route.js";
import { renderAnnotation, renderCheckRun } from "../render/checks.js";
import type { CheckAnnotation } from "../state/model.js";
import { findCheckRun, listCheckRuns, shaForRef } from "./check-lists.js";
import { checkSuiteRoutes } from "./check-suites.js";
import { statusRoutes } from "./statuses.js";

type Body = Record<string, unknown>;

/** REST body (snake_case, schema-checked) → the changes the check-run rules work on. */
function changesFrom(body: Body): CheckRunChanges {
  const output = body.output as Body | undefined;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    name: str(body.name),
    status: str(body.status) as CheckRunChanges["status"],
    conclusion: str(body.conclusion) as CheckRunChanges["conclusion"],
    startedAt: str(body.started_at),
    completedAt: str(body.completed_at),
    detailsUrl: str(body.details_url),
    externalId: str(body.external_id),
    output: output && {
      title: str(output.title),
      summary: str(output.summary),
      text: str(output.text),
      annotations: output.annotations as CheckAnnotation[] | undefined,
    },
  };
}

const checkRunRoutes: Route[] = [
  {
    op: "POST /repos/{owner}/{repo}/check-runs",
    auth: "installation",
    permission: ["checks", "write"],
    async handle(ctx) {
      if (ctx.caller.kind !== "installation") throw notAccessible();
      const changes = changesFrom(ctx.body);
      const run = await createCheckRun(
        ctx.sandbox,
        ctx.repo,
        ctx.caller.installation.appId,
        String(ctx.body.head_sha),
        { ...changes, name: String(ctx.body.name) },
      );
      return json(201, renderCheckRun(ctx.sandbox, ctx.repo, run));
    },
  },
  {
    op: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
    auth: "installation",
    permission: ["checks", "write"],
    async handle(ctx) {
      const run = findCheckRun(ctx);
      // Only the App that created a check run may change it.
      if (ctx.caller.kind !== "installation" || run.appId !== ctx.caller.installation.appId)
        throw notAccessible();
      await updateCheckRun(ctx.sandbox, ctx.repo, run, changesFrom(ctx.body));
      return json(200, renderCheckRun(ctx.sandbox, ctx.repo, run));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/check-runs/{check_run_id}",
    auth: "installation",
    permission: ["checks", "read"],
    handle: (ctx) => json(200, renderCheckRun(ctx.sandbox, ctx.repo, findCheckRun(ctx))),
  },
  {
    op: "GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations",
    auth: "installation",
    permission: ["checks", "read"],
    handle(ctx) {
      const run = findCheckRun(ctx);
      const all = run.output.annotations.map((a) => renderAnnotation(ctx.sandbox, ctx.repo, run.headSha, a));
      return paginate(ctx, all);
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
    auth: "installation",
    permission: ["checks", "read"],
    async handle(ctx) {
      const sha = await shaForRef(ctx, ctx.params.ref ?? "");
      return listCheckRuns(
        ctx,
        ctx.repo.checkRuns.filter((r) => r.headSha === sha),
      );
    },
  },
];

export const checkRoutes: Route[] = [...checkRunRoutes, ...checkSuiteRoutes, ...statusRoutes];
