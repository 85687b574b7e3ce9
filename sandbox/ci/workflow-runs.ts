import { resolveCommit } from "../git/objects.js";
import { HttpError, validationFailed } from "../http/errors.js";
import type { Sandbox } from "../sandbox.js";
import type { CheckConclusion, Repo, User, Workflow, WorkflowJob, WorkflowRun } from "../state/model.js";
import { newArtifact } from "./artifacts.js";
import { emitCheckSuite } from "./check-events.js";
import { createCheckRun, newSuite, updateCheckRun } from "./check-runs.js";
import { actionsApp } from "./github-actions-app.js";
import { abortRun, checkRunOf, linkCheckRun, linkSuite, renewAbortSignal, suiteOf } from "./run-links.js";
import { emitWorkflowJob, emitWorkflowRun } from "./workflow-events.js";
import { definitionAt, renderRunName, type WorkflowDefinition } from "./workflows.js";

function invalid(message: string): HttpError {
  return new HttpError(422, message);
}

/**
 * Dispatch inputs checked as GitHub does: no unknown ones, required ones present, a `choice` one among its
 * options, defaults filled in.
 */
function checkInputs(def: WorkflowDefinition, given: Record<string, unknown>): Record<string, unknown> {
  const spec = def.dispatchInputs ?? {};
  const unexpected = Object.keys(given).filter((k) => !(k in spec));
  if (unexpected.length > 0) throw invalid(`Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
  const inputs: Record<string, unknown> = {};
  for (const [key, input] of Object.entries(spec)) {
    if (key in given && input.options && !input.options.includes(String(given[key])))
      throw invalid(
        `Provided value '${String(given[key])}' for input '${key}' not in the list of allowed values`,
      );
    if (key in given) inputs[key] = given[key];
    else if (input.default !== undefined) inputs[key] = input.default;
    else if (input.required) throw invalid(`Required input '${key}' not provided`);
  }
  return inputs;
}

/** `workflow_dispatch`: a new run of the workflow file as it is at `ref`, queued, with its jobs. */
export async function dispatchRun(
  sb: Sandbox,
  repo: Repo,
  workflow: Workflow,
  args: { ref: string; inputs?: Record<string, unknown>; actor: User },
): Promise<WorkflowRun> {
  const refName = args.ref.replace(/^refs\/(heads|tags)\//, "");
  const sha = await resolveCommit(repo.gitDir, args.ref);
  if (!sha) throw validationFailed("Workflow", "ref", "invalid", `No ref found for: ${args.ref}`);
  const def = await definitionAt(repo, sha, workflow.path);
  if (!def) throw invalid(`Workflow does not exist at ref ${args.ref}`);
  if (!def.dispatchInputs) throw invalid("Workflow does not have 'workflow_dispatch' trigger");
  const inputs = checkInputs(def, args.inputs ?? {});
  const title = def.runName
    ? renderRunName(def.runName, { inputs, actor: args.actor.login, refName })
    : def.name;
  return createRun(sb, repo, workflow, def, {
    sha,
    branch: refName,
    event: "workflow_dispatch",
    inputs,
    title,
    actor: args.actor,
  });
}

/** Records a run and its jobs, the Actions check suite and check runs, and sends the `requested`/`queued` events. */
export async function createRun(
  sb: Sandbox,
  repo: Repo,
  workflow: Workflow,
  def: WorkflowDefinition,
  args: {
    sha: string;
    branch: string;
    event: string;
    inputs: Record<string, unknown>;
    title: string;
    actor: User;
  },
): Promise<WorkflowRun> {
  const now = sb.store.nowIso();
  const run: WorkflowRun = {
    id: sb.store.nextId(),
    workflowId: workflow.id,
    name: def.name,
    displayTitle: args.title,
    event: args.event,
    headBranch: args.branch,
    headSha: args.sha,
    status: "queued",
    conclusion: null,
    runNumber: repo.workflowRuns.filter((r) => r.workflowId === workflow.id).length + 1,
    runAttempt: 1,
    inputs: args.inputs,
    actorId: args.actor.id,
    triggeringActorId: args.actor.id,
    createdAt: now,
    updatedAt: now,
    runStartedAt: now,
    jobs: [],
    artifacts: [],
  };
  repo.workflowRuns.push(run);
  // GitHub Actions makes one check suite per workflow run.
  const suite = await newSuite(sb, repo, actionsApp(sb).id, args.sha, args.branch);
  linkSuite(run, suite.id);
  await emitWorkflowRun(sb, repo, run, "requested");
  await addJobs(
    sb,
    repo,
    run,
    def.jobs.map((j) => j.name),
  );
  return run;
}

async function addJobs(sb: Sandbox, repo: Repo, run: WorkflowRun, names: string[]): Promise<void> {
  const suite = repo.checkSuites.find((s) => s.id === suiteOf(run));
  for (const name of names) {
    const check = await createCheckRun(sb, repo, actionsApp(sb).id, run.headSha, { name }, suite);
    // The job and its check run share an id on GitHub; here the check run's id names the job too.
    const job: WorkflowJob = {
      id: check.id,
      runId: run.id,
      name,
      status: "queued",
      conclusion: null,
      startedAt: sb.store.nowIso(),
      completedAt: null,
      runnerName: null,
    };
    run.jobs.push(job);
    linkCheckRun(job, check.id);
    emitWorkflowJob(sb, repo, run, job, "queued");
  }
}

export function findRun(repo: Repo, runId: number): WorkflowRun {
  const run = repo.workflowRuns.find((r) => r.id === runId);
  if (!run) throw new Error(`sandbox: no workflow run ${runId} in ${repo.name}`);
  return run;
}

function checkRunFor(repo: Repo, job: WorkflowJob) {
  const check = repo.checkRuns.find((r) => r.id === checkRunOf(job));
  if (!check) throw new Error(`sandbox: job ${job.id} lost its check run`);
  return check;
}

/** queued → in_progress, for the run and its queued jobs. */
export async function startRun(sb: Sandbox, repo: Repo, run: WorkflowRun): Promise<void> {
  if (run.status !== "queued") return;
  run.status = "in_progress";
  run.updatedAt = sb.store.nowIso();
  await emitWorkflowRun(sb, repo, run, "in_progress");
  for (const job of run.jobs) {
    if (job.status !== "queued") continue;
    job.status = "in_progress";
    job.startedAt = sb.store.nowIso();
    job.runnerName = `GitHub Actions ${job.id}`;
    await updateCheckRun(sb, repo, checkRunFor(repo, job), {
      status: "in_progress",
      startedAt: job.startedAt,
    });
    emitWorkflowJob(sb, repo, run, job, "in_progress");
  }
}

/** Completes one job (e.g. a failing one) while the run goes on. */
export async function completeJob(
  sb: Sandbox,
  repo: Repo,
  run: WorkflowRun,
  job: WorkflowJob,
  conclusion: CheckConclusion,
): Promise<void> {
  if (job.status === "completed") return;
  job.status = "completed";
  job.conclusion = conclusion;
  job.completedAt = sb.store.nowIso();
  if (conclusion === "cancelled") closeSteps(job);
  emitWorkflowJob(sb, repo, run, job, "completed");
  await updateCheckRun(sb, repo, checkRunFor(repo, job), { conclusion, completedAt: job.completedAt });
}

/** A cancelled job's reported steps end as GitHub shows them: the running one cancelled, the rest skipped. */
function closeSteps(job: WorkflowJob): void {
  for (const step of job.steps ?? []) {
    if (step.status === "completed") continue;
    step.conclusion = step.status === "in_progress" ? "cancelled" : "skipped";
    step.status = "completed";
    step.startedAt ??= job.completedAt;
    step.completedAt = job.completedAt;
  }
}

/** Completes the run: open jobs take its conclusion, artifacts are attached, then `workflow_run.completed`. */
export async function completeRun(
  sb: Sandbox,
  repo: Repo,
  run: WorkflowRun,
  conclusion: CheckConclusion,
  artifacts: Record<string, Record<string, string | Buffer>> = {},
): Promise<void> {
  if (run.status === "completed") throw new Error(`sandbox: workflow run ${run.id} is completed already`);
  const starts = conclusion !== "cancelled" && conclusion !== "startup_failure";
  if (run.status === "queued" && starts) await startRun(sb, repo, run);
  for (const job of run.jobs) await completeJob(sb, repo, run, job, conclusion);
  const now = sb.store.nowIso();
  for (const [name, files] of Object.entries(artifacts))
    run.artifacts.push(newArtifact(sb, run, name, files));
  run.status = "completed";
  run.conclusion = conclusion;
  run.updatedAt = now;
  await emitWorkflowRun(sb, repo, run, "completed");
}

/**
 * A run that fails to start (GitHub's `startup_failure`): it ends at once and lists no jobs, so the queued
 * jobs and their check runs are dropped (their `queued`/`created` events were sent already), and the check
 * suite concludes `startup_failure` itself, having no check runs to follow.
 */
export async function failStartup(sb: Sandbox, repo: Repo, run: WorkflowRun): Promise<void> {
  const dropped = new Set(run.jobs.map((j) => checkRunOf(j)));
  repo.checkRuns = repo.checkRuns.filter((c) => !dropped.has(c.id));
  run.jobs = [];
  await completeRun(sb, repo, run, "startup_failure");
  const suite = repo.checkSuites.find((s) => s.id === suiteOf(run));
  if (suite && suite.status !== "completed") {
    suite.status = "completed";
    suite.conclusion = "startup_failure";
    suite.updatedAt = sb.store.nowIso();
    await emitCheckSuite(sb, repo, suite, "completed");
  }
}

/** POST …/cancel: 409 for a completed run, else the run and its open jobs end `cancelled`. */
export async function cancelRun(sb: Sandbox, repo: Repo, run: WorkflowRun): Promise<void> {
  if (run.status === "completed") throw new HttpError(409, "Cannot cancel a workflow run that is completed.");
  abortRun(run);
  await completeRun(sb, repo, run, "cancelled");
}

/** POST …/rerun: a new attempt of a completed run, with fresh jobs in the same check suite. */
export async function rerunRun(sb: Sandbox, repo: Repo, run: WorkflowRun, actor: User): Promise<void> {
  if (run.status !== "completed") throw new HttpError(403, "This workflow is already running");
  const workflow = repo.workflows.find((w) => w.id === run.workflowId);
  const def = workflow ? await definitionAt(repo, run.headSha, workflow.path) : null;
  run.runAttempt += 1;
  // A new attempt is not cancelled by the cancel of an earlier one.
  renewAbortSignal(run);
  run.status = "queued";
  run.conclusion = null;
  run.triggeringActorId = actor.id;
  run.runStartedAt = sb.store.nowIso();
  run.updatedAt = run.runStartedAt;
  const names = def?.jobs.map((j) => j.name) ?? run.jobs.map((j) => j.name);
  run.jobs = [];
  await emitWorkflowRun(sb, repo, run, "requested");
  await addJobs(sb, repo, run, names);
}
