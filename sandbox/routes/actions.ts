import { answersRunDetails } from "../ci/dispatch-answers.js";
import { scheduleExecution } from "../ci/executor.js";
import { dispatchRun } from "../ci/workflow-runs.js";
import { findWorkflow, syncWorkflows } from "../ci/workflows.js";
import { notAccessible, notFound } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, noContent, type Route, type RouteContext } from "../http/route.js";
import { renderWorkflow } from "../render/actions.js";
import type { Workflow } from "../state/model.js";
import { artifactRoutes } from "./actions-artifacts.js";
import { listRuns, runRoutes } from "./actions-runs.js";

async function workflowOr404(ctx: RouteContext): Promise<Workflow> {
  const workflow = await findWorkflow(ctx.sandbox, ctx.repo, ctx.params.workflow_id ?? "");
  if (!workflow) throw notFound();
  return workflow;
}

const workflowRoutes: Route[] = [
  {
    op: "GET /repos/{owner}/{repo}/actions/workflows",
    auth: "installation",
    permission: ["actions", "read"],
    async handle(ctx) {
      const workflows = await syncWorkflows(ctx.sandbox, ctx.repo);
      return paginate(ctx, workflows, (page, total) => ({
        total_count: total,
        workflows: page.map((w) => renderWorkflow(ctx.sandbox, ctx.repo, w)),
      }));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}",
    auth: "installation",
    permission: ["actions", "read"],
    handle: async (ctx) => json(200, renderWorkflow(ctx.sandbox, ctx.repo, await workflowOr404(ctx))),
  },
  {
    op: "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
    auth: "installation",
    permission: ["actions", "write"],
    async handle(ctx) {
      if (ctx.caller.kind !== "installation") throw notAccessible();
      const workflow = await workflowOr404(ctx);
      const run = await dispatchRun(ctx.sandbox, ctx.repo, workflow, {
        ref: String(ctx.body.ref),
        inputs: (ctx.body.inputs as Record<string, unknown> | undefined) ?? {},
        actor: ctx.caller.botUser,
      });
      scheduleExecution(ctx.sandbox, ctx.repo, run, workflow.path);
      if (ctx.body.return_run_details !== true || !answersRunDetails(ctx.sandbox)) return noContent();
      const fullName = ctx.sandbox.store.fullName(ctx.repo);
      return json(200, {
        workflow_run_id: run.id,
        run_url: `${ctx.sandbox.baseUrl}/repos/${fullName}/actions/runs/${run.id}`,
        html_url: `${ctx.sandbox.baseUrl}/${fullName}/actions/runs/${run.id}`,
      });
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
    auth: "installation",
    permission: ["actions", "read"],
    async handle(ctx) {
      const workflow = await workflowOr404(ctx);
      return listRuns(
        ctx,
        ctx.repo.workflowRuns.filter((r) => r.workflowId === workflow.id),
      );
    },
  },
];

export const actionsRoutes: Route[] = [...workflowRoutes, ...runRoutes, ...artifactRoutes];
