import { scheduleExecution } from "../ci/executor.js";
import { jobJson, runJson } from "../ci/workflow-events.js";
import { cancelRun, rerunRun } from "../ci/workflow-runs.js";
import { notAccessible, notFound } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, type Reply, type Route, type RouteContext } from "../http/route.js";
import type { WorkflowRun } from "../state/model.js";

const STATUSES = new Set(["queued", "in_progress", "completed", "requested", "waiting", "pending"]);

function runOr404(ctx: RouteContext): WorkflowRun {
  const run = ctx.repo.workflowRuns.find((r) => r.id === Number(ctx.params.run_id));
  if (!run) throw notFound();
  return run;
}

/** `created`: a date or time, `>=x`, `<=x`, `>x`, `<x` or `a..b`, as in GitHub's search syntax. */
function createdMatches(created: string, filter: string): boolean {
  const range = /^(.+)\.\.(.+)$/.exec(filter);
  if (range?.[1] && range[2]) return created >= range[1] && created.slice(0, range[2].length) <= range[2];
  const cmp = /^(>=|<=|>|<)(.+)$/.exec(filter);
  if (cmp?.[2]) {
    const [, op, value] = cmp;
    if (op === ">=") return created >= value;
    if (op === ">") return created > value;
    if (op === "<=") return created.slice(0, value.length) <= value;
    return created < value;
  }
  return created.startsWith(filter);
}

/** The runs list with GitHub's filters, newest first, as `{total_count, workflow_runs}`. */
export async function listRuns(ctx: RouteContext, runs: WorkflowRun[]): Promise<Reply> {
  const q = (name: string) => ctx.query.get(name);
  const actor = q("actor") ? ctx.sandbox.store.userByLogin(q("actor") ?? "")?.id : undefined;
  const status = q("status");
  const filtered = runs
    .filter(
      (r) =>
        (!q("actor") || r.actorId === actor) &&
        (!q("branch") || r.headBranch === q("branch")) &&
        (!q("event") || r.event === q("event")) &&
        (!q("head_sha") || r.headSha === q("head_sha")) &&
        (!q("created") || createdMatches(r.createdAt, q("created") ?? "")) &&
        (!status || (STATUSES.has(status) ? r.status === status : r.conclusion === status)),
    )
    .sort((a, b) => b.id - a.id);
  const rendered = await Promise.all(filtered.map((r) => runJson(ctx.sandbox, ctx.repo, r)));
  return paginate(ctx, rendered, (page, total) => ({ total_count: total, workflow_runs: page }));
}

export const runRoutes: Route[] = [
  {
    op: "GET /repos/{owner}/{repo}/actions/runs",
    auth: "installation",
    permission: ["actions", "read"],
    handle: (ctx) => listRuns(ctx, ctx.repo.workflowRuns),
  },
  {
    op: "GET /repos/{owner}/{repo}/actions/runs/{run_id}",
    auth: "installation",
    permission: ["actions", "read"],
    handle: async (ctx) => json(200, await runJson(ctx.sandbox, ctx.repo, runOr404(ctx))),
  },
  {
    op: "POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel",
    auth: "installation",
    permission: ["actions", "write"],
    async handle(ctx) {
      await cancelRun(ctx.sandbox, ctx.repo, runOr404(ctx));
      return json(202, {});
    },
  },
  {
    op: "POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun",
    auth: "installation",
    permission: ["actions", "write"],
    async handle(ctx) {
      if (ctx.caller.kind !== "installation") throw notAccessible();
      const run = runOr404(ctx);
      await rerunRun(ctx.sandbox, ctx.repo, run, ctx.caller.botUser);
      const workflow = ctx.repo.workflows.find((w) => w.id === run.workflowId);
      if (workflow) scheduleExecution(ctx.sandbox, ctx.repo, run, workflow.path);
      return json(201, {});
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs",
    auth: "installation",
    permission: ["actions", "read"],
    handle(ctx) {
      const run = runOr404(ctx);
      return paginate(ctx, run.jobs, (page, total) => ({
        total_count: total,
        jobs: page.map((j) => jobJson(ctx.sandbox, ctx.repo, run, j)),
      }));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/actions/jobs/{job_id}",
    auth: "installation",
    permission: ["actions", "read"],
    handle(ctx) {
      const id = Number(ctx.params.job_id);
      for (const run of ctx.repo.workflowRuns) {
        const job = run.jobs.find((j) => j.id === id);
        if (job) return json(200, jobJson(ctx.sandbox, ctx.repo, run, job));
      }
      throw notFound();
    },
  },
];
