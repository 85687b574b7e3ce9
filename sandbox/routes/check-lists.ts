import { resolveCommit } from "../git/objects.js";
import { notFound, validationFailed } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import type { RouteContext } from "../http/route.js";
import { renderCheckRun } from "../render/checks.js";
import type { CheckRun } from "../state/model.js";

export function findCheckRun(ctx: RouteContext): CheckRun {
  const id = Number(ctx.params.check_run_id);
  const run = ctx.repo.checkRuns.find((r) => r.id === id);
  if (!run) throw notFound();
  return run;
}

/** A ref of the REST API (sha, branch or tag) → sha, or GitHub's 422 for one that names no commit. */
export async function shaForRef(ctx: RouteContext, ref: string): Promise<string> {
  const sha = await resolveCommit(ctx.repo.gitDir, ref);
  if (!sha) throw validationFailed("Commit", "ref", "invalid", `No commit found for SHA: ${ref}`);
  return sha;
}

/** `filter=latest` (the default) keeps the newest run per App and name. */
export function filterCheckRuns(ctx: RouteContext, runs: CheckRun[]): CheckRun[] {
  const name = ctx.query.get("check_name");
  const status = ctx.query.get("status");
  const appId = ctx.query.get("app_id");
  let out = runs.filter(
    (r) =>
      (!name || r.name === name) && (!status || r.status === status) && (!appId || r.appId === Number(appId)),
  );
  if ((ctx.query.get("filter") ?? "latest") === "latest") {
    const newest = new Map<string, CheckRun>();
    for (const r of out) {
      const key = `${r.appId}\0${r.name}`;
      const seen = newest.get(key);
      if (!seen || seen.id < r.id) newest.set(key, r);
    }
    out = [...newest.values()];
  }
  return out.sort((a, b) => b.id - a.id);
}

export function listCheckRuns(ctx: RouteContext, runs: CheckRun[]) {
  return paginate(ctx, filterCheckRuns(ctx, runs), (page, total) => ({
    total_count: total,
    check_runs: page.map((r) => renderCheckRun(ctx.sandbox, ctx.repo, r)),
  }));
}
