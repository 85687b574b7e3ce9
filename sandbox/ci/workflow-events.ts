import { renderJob, renderWorkflow, renderWorkflowRun } from "../render/actions.js";
import type { Sandbox } from "../sandbox.js";
import type { Repo, WorkflowJob, WorkflowRun } from "../state/model.js";
import { emitToAppsWith } from "./check-events.js";
import { commitInfo } from "./commits.js";
import { checkRunOf, suiteOf } from "./run-links.js";

/** The run as the REST API and webhooks show it. */
export async function runJson(sb: Sandbox, repo: Repo, run: WorkflowRun) {
  return renderWorkflowRun(sb, repo, run, suiteOf(run), await commitInfo(repo, run.headSha));
}

export function jobJson(sb: Sandbox, repo: Repo, run: WorkflowRun, job: WorkflowJob) {
  return renderJob(sb, repo, run, job, checkRunOf(job));
}

/** `workflow_run` goes to the Apps with Actions access; the sender is who triggered the run. */
export async function emitWorkflowRun(
  sb: Sandbox,
  repo: Repo,
  run: WorkflowRun,
  action: "requested" | "in_progress" | "completed",
): Promise<void> {
  const workflow = repo.workflows.find((w) => w.id === run.workflowId);
  const payload = {
    action,
    workflow: workflow ? renderWorkflow(sb, repo, workflow) : null,
    workflow_run: await runJson(sb, repo, run),
  };
  const sender = sb.store.user(run.triggeringActorId);
  emitToAppsWith(sb, "actions", { event: "workflow_run", repo, sender, payload });
}

export function emitWorkflowJob(
  sb: Sandbox,
  repo: Repo,
  run: WorkflowRun,
  job: WorkflowJob,
  action: "queued" | "in_progress" | "completed",
): void {
  const payload = { action, workflow_job: jobJson(sb, repo, run, job) };
  const sender = sb.store.user(run.triggeringActorId);
  emitToAppsWith(sb, "actions", { event: "workflow_job", repo, sender, payload });
}
