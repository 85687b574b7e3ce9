import { ensureSuite } from "../ci/check-runs.js";
import { commitInfo } from "../ci/commits.js";
import { notAccessible, notFound, validationFailed } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, type Route, type RouteContext } from "../http/route.js";
import { renderCheckSuite } from "../render/checks.js";
import type { CheckSuite } from "../state/model.js";
import { listCheckRuns, shaForRef } from "./check-lists.js";

function findSuite(ctx: RouteContext): CheckSuite {
  const id = Number(ctx.params.check_suite_id);
  const suite = ctx.repo.checkSuites.find((s) => s.id === id);
  if (!suite) throw notFound();
  return suite;
}

async function render(ctx: RouteContext, suite: CheckSuite) {
  return renderCheckSuite(ctx.sandbox, ctx.repo, suite, await commitInfo(ctx.repo, suite.headSha));
}

export const checkSuiteRoutes: Route[] = [
  {
    op: "POST /repos/{owner}/{repo}/check-suites",
    auth: "installation",
    permission: ["checks", "write"],
    async handle(ctx) {
      if (ctx.caller.kind !== "installation") throw notAccessible();
      const sha = String(ctx.body.head_sha);
      if (!(await commitInfo(ctx.repo, sha))) {
        throw validationFailed("CheckSuite", "head_sha", "invalid", `No commit found for SHA: ${sha}`);
      }
      const appId = ctx.caller.installation.appId;
      const existed = ctx.repo.checkSuites.some((s) => s.appId === appId && s.headSha === sha);
      const suite = await ensureSuite(ctx.sandbox, ctx.repo, appId, sha);
      // 200 when the App already had a suite for this sha, 201 when it was created.
      return json(existed ? 200 : 201, await render(ctx, suite));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/check-suites/{check_suite_id}",
    auth: "installation",
    permission: ["checks", "read"],
    handle: async (ctx) => json(200, await render(ctx, findSuite(ctx))),
  },
  {
    op: "GET /repos/{owner}/{repo}/check-suites/{check_suite_id}/check-runs",
    auth: "installation",
    permission: ["checks", "read"],
    handle(ctx) {
      const suite = findSuite(ctx);
      return listCheckRuns(
        ctx,
        ctx.repo.checkRuns.filter((r) => r.suiteId === suite.id),
      );
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/commits/{ref}/check-suites",
    auth: "installation",
    permission: ["checks", "read"],
    async handle(ctx) {
      const sha = await shaForRef(ctx, ctx.params.ref ?? "");
      const appId = ctx.query.get("app_id");
      const name = ctx.query.get("check_name");
      const suites = ctx.repo.checkSuites.filter(
        (s) =>
          s.headSha === sha &&
          (!appId || s.appId === Number(appId)) &&
          (!name || ctx.repo.checkRuns.some((r) => r.suiteId === s.id && r.name === name)),
      );
      const head = await commitInfo(ctx.repo, sha);
      return paginate(ctx, suites, (page, total) => ({
        total_count: total,
        check_suites: page.map((s) => renderCheckSuite(ctx.sandbox, ctx.repo, s, head)),
      }));
    },
  },
];
