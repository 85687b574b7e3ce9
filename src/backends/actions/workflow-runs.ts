import type { RemoteRun, Task } from "../../fleet/task.js";
import type { GitHub } from "../../github/octokit.js";
import { withRetries } from "../../github/with-retries.js";
import { httpStatus } from "../../publish/request-error.js";
import { jobMinutes, type WorkflowInputs } from "./workflow-inputs.js";

/** The agent workflow's file name; records made before the setting existed use the template's. */
export function workflowFile(task: Task): string {
  return task.settings.actions?.workflow ?? "flotilla-agent.yml";
}

function where(task: Task) {
  return { owner: task.repo.owner, repo: task.repo.name };
}

/**
 * Dispatches the agent workflow for one try of the task's attempt, always on the default branch: the run
 * uses the workflow file as it is there, which only people who can push to it can change. GitHub answers
 * with the run's id when asked (`return_run_details`); an older GitHub Enterprise Server answers 204, and
 * the run is found afterwards by its name.
 */
export async function dispatchWorkflow(
  gh: GitHub,
  task: Task,
  inputs: WorkflowInputs,
): Promise<Pick<RemoteRun, "id" | "url">> {
  const response = await gh.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
    ...where(task),
    workflow_id: workflowFile(task),
    ref: task.repo.defaultBranch,
    inputs,
    return_run_details: true,
  });
  const details = response.data as { workflow_run_id?: number; html_url?: string } | undefined;
  if (response.status !== 200 || !details?.workflow_run_id) return {};
  return { id: details.workflow_run_id, ...(details.html_url ? { url: details.html_url } : {}) };
}

/** The run of one dispatch, found by the name the template gives it (runTitle), among the runs dispatched since. */
export async function findDispatchedRun(
  gh: GitHub,
  task: Task,
  title: string,
  dispatchedAt: string,
): Promise<Pick<RemoteRun, "id" | "url"> | undefined> {
  // GitHub's clock and ours may differ a little; a minute's slack, the title does the rest.
  const since = new Date(Date.parse(dispatchedAt) - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const runs = await withRetries(() =>
    gh.paginate(gh.rest.actions.listWorkflowRuns, {
      ...where(task),
      workflow_id: workflowFile(task),
      event: "workflow_dispatch",
      branch: task.repo.defaultBranch,
      created: `>=${since}`,
      per_page: 100,
    }),
  );
  // Only a run of the workflow as it is on the default branch: a branch's copy may have been changed.
  const found = runs.find(
    (r) =>
      r.display_title === title &&
      r.head_branch === task.repo.defaultBranch &&
      r.path === `.github/workflows/${workflowFile(task)}`,
  );
  return found ? { id: found.id, url: found.html_url } : undefined;
}

export type RunState = Awaited<ReturnType<GitHub["rest"]["actions"]["getWorkflowRun"]>>["data"];

export async function getRun(gh: GitHub, task: Task, runId: number): Promise<RunState> {
  const { data } = await withRetries(() => gh.rest.actions.getWorkflowRun({ ...where(task), run_id: runId }));
  return data;
}

/** Asks GitHub to cancel the run; one that already completed (409) or is gone (404) needs nothing. */
export async function cancelWorkflowRun(gh: GitHub, task: Task, runId: number): Promise<void> {
  try {
    await withRetries(() => gh.rest.actions.cancelWorkflowRun({ ...where(task), run_id: runId }));
  } catch (error) {
    const status = httpStatus(error);
    if (status !== 409 && status !== 404) throw error;
  }
}

export type RunJobs = Awaited<
  ReturnType<GitHub["rest"]["actions"]["listJobsForWorkflowRun"]>
>["data"]["jobs"];

/** The jobs of the run's latest attempt (the template has one). */
export async function latestJobs(gh: GitHub, task: Task, runId: number): Promise<RunJobs> {
  return withRetries(() =>
    gh.paginate(gh.rest.actions.listJobsForWorkflowRun, {
      ...where(task),
      run_id: runId,
      filter: "latest",
      per_page: 100,
    }),
  );
}

/**
 * Why a failed or cancelled run was lost to the infrastructure rather than failed by its steps, if it was:
 * it could not start, never got a runner, or its job failed without any step failing (the runner went away).
 */
export function lostToInfrastructure(run: RunState, jobs: RunJobs): string | undefined {
  if (run.conclusion === "startup_failure") return "the workflow run could not start";
  const job = jobs[0];
  if (!job || job.runner_name === null || job.runner_name === "") return "the job never got a runner";
  if (job.conclusion === "failure" && !(job.steps ?? []).some((s) => s.conclusion === "failure"))
    return "the runner was lost partway through the job";
  return undefined;
}

/**
 * Whether a cancelled run was GitHub stopping its job at `timeout-minutes`: GitHub reports that as
 * `cancelled`, so the job's own duration tells it from a person's cancel.
 */
export function ranPastItsLimit(timeoutMs: number, jobs: RunJobs): boolean {
  const limitMs = jobMinutes(timeoutMs) * 60_000;
  return jobs.some(
    (job) =>
      job.started_at !== null &&
      job.completed_at !== null &&
      Date.parse(job.completed_at) - Date.parse(job.started_at) >= limitMs - 30_000,
  );
}

/** The name of the step that failed, for the status comment. */
export function failedStep(jobs: RunJobs): string | undefined {
  return jobs.flatMap((j) => j.steps ?? []).find((s) => s.conclusion === "failure")?.name;
}
