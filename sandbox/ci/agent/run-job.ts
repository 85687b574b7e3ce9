import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sandbox } from "../../sandbox.js";
import type { Repo, WorkflowJob, WorkflowRun } from "../../state/model.js";
import { updateCheckRun } from "../check-runs.js";
import { checkRunOf } from "../run-links.js";
import { secretsOf } from "../secrets.js";
import { completeJob, completeRun, failStartup, startRun } from "../workflow-runs.js";
import { type AgentWorkflow, defaultStepName } from "./definition.js";
import { type JobFacts, jobContext } from "./environment.js";
import { type Context, resolve, resolveText } from "./expressions.js";
import { takeAgentFault } from "./faults.js";
import { JobSteps } from "./job-steps.js";
import { jobPermissions, mintJobToken, revokeToken } from "./job-token.js";
import { type AgentRunRecord, newRecord } from "./records.js";
import { type JobInProgress, type JobOutcome, runSteps } from "./run-steps.js";

/** GitHub's `timeout-minutes` when a job sets none. */
const DEFAULT_TIMEOUT_MINUTES = 360;

/** What runAgentWorkflows was given. */
export interface AgentOptions {
  path: string[];
  env: Record<string, string>;
  /** Replaces the job's `timeout-minutes` when set. */
  timeoutMs: number | null;
}

/**
 * Carries out one attempt of an agent run, from queued to completed:
 * 1. a fault may keep it from starting (left queued, or `startup_failure`);
 * 2. "Set up job": folders, the job token, the run and its job in progress;
 * 3. the workflow's steps (checkout, the runner step, the upload);
 * 4. "Complete job": the token revoked and the folders removed, then the job and the run completed.
 */
export async function runAgentJob(
  sb: Sandbox,
  repo: Repo,
  run: WorkflowRun,
  workflow: AgentWorkflow,
  options: AgentOptions,
  signal: AbortSignal,
): Promise<void> {
  const record = newRecord(repo, run.id, run.runAttempt, takeAgentFault(repo));
  // Cancelled before a runner looked at it: nothing to do.
  if (run.status !== "queued") return;
  const job = run.jobs.find((j) => j.name === workflow.job.name);
  if (!job) throw new Error(`sandbox: run ${run.id} has no job "${workflow.job.name}"`);
  if (record.fault === "startup-failure") {
    await failStartup(sb, repo, run);
    record.conclusion = run.conclusion;
    return;
  }
  // No runner ever takes the job; a cancel through the API ends the run.
  if (record.fault === "never-start") return;

  const root = await mkdtemp(join(tmpdir(), "sandbox-agent-"));
  const token = mintJobToken(sb, repo, jobPermissions(workflow.permissions));
  record.token = token;
  let outcome: JobOutcome | "cancelled";
  let steps: JobSteps | undefined;
  try {
    const progress = await setUp(sb, repo, run, job, workflow, options, { root, token, record, signal });
    steps = progress.steps;
    outcome = await runSteps(progress);
  } finally {
    // GITHUB_TOKEN dies with its job, before anyone hears that the job ended.
    revokeToken(sb, token);
    await rm(root, { recursive: true, force: true });
  }
  await conclude(sb, repo, run, job, steps, outcome);
  record.conclusion = run.conclusion;
}

/** "Set up job": the runner's folders, the contexts, the steps, the job in progress and its deadline. */
async function setUp(
  sb: Sandbox,
  repo: Repo,
  run: WorkflowRun,
  job: WorkflowJob,
  workflow: AgentWorkflow,
  options: AgentOptions,
  given: { root: string; token: string; record: AgentRunRecord; signal: AbortSignal },
): Promise<JobInProgress> {
  const owner = sb.store.user(repo.ownerId).login;
  const facts: JobFacts = {
    baseUrl: sb.baseUrl,
    repository: sb.store.fullName(repo),
    repositoryId: repo.id,
    owner,
    runId: run.id,
    runNumber: run.runNumber,
    runAttempt: run.runAttempt,
    workflow: workflow.name,
    jobId: workflow.job.id,
    branch: run.headBranch,
    sha: run.headSha,
    actor: sb.store.user(run.actorId).login,
    // Where a hosted runner keeps them: work/<repo>/<repo>, a temp folder, a home.
    workspace: join(given.root, "work", repo.name, repo.name),
    runnerTemp: join(given.root, "temp"),
    home: join(given.root, "home"),
    token: given.token,
    inputs: run.inputs,
    inputTypes: workflow.inputTypes,
    secrets: secretsOf(repo),
  };
  for (const dir of [facts.workspace, facts.runnerTemp, facts.home]) await mkdir(dir, { recursive: true });
  const context = jobContext(facts);
  const names = workflow.job.steps.map((s) => (s.name ? resolveText(s.name, context) : defaultStepName(s)));
  const steps = new JobSteps(sb, job, names);
  steps.begin(1);
  await startRun(sb, repo, run);
  const timeoutMinutes = timeoutOf(workflow, context);
  steps.end(1, "success");
  return {
    sb,
    repo,
    run,
    workflow,
    facts,
    context,
    steps,
    record: given.record,
    pathDirs: options.path,
    extraEnv: options.env,
    deadline: Date.now() + (options.timeoutMs ?? timeoutMinutes * 60_000),
    timeoutMinutes,
    runnerName: job.runnerName ?? "GitHub Actions",
    signal: given.signal,
  };
}

/** `timeout-minutes`, evaluated (`${{ fromJSON(inputs.minutes) }}`); GitHub's 360 when absent. */
function timeoutOf(workflow: AgentWorkflow, context: Context): number {
  if (workflow.job.timeoutMinutes === undefined) return DEFAULT_TIMEOUT_MINUTES;
  const minutes = Number(resolve(workflow.job.timeoutMinutes, context));
  if (!(minutes > 0)) throw new Error(`sandbox: timeout-minutes is not a positive number (${minutes})`);
  return minutes;
}

/** "Complete job", the annotations on the job's check run, then the job and the run completed. */
async function conclude(
  sb: Sandbox,
  repo: Repo,
  run: WorkflowRun,
  job: WorkflowJob,
  steps: JobSteps | undefined,
  outcome: JobOutcome | "cancelled",
): Promise<void> {
  // Cancelled through the API: the cancel completed the run already.
  if (run.status === "completed") return;
  if (outcome === "cancelled") {
    await completeRun(sb, repo, run, "cancelled");
    return;
  }
  if (steps && outcome.completes) {
    steps.begin(steps.last);
    steps.end(steps.last, "success");
  }
  const check = repo.checkRuns.find((c) => c.id === checkRunOf(job));
  if (check && outcome.annotations.length > 0) {
    await updateCheckRun(sb, repo, check, {
      output: {
        annotations: outcome.annotations.map((message) => ({
          path: ".github",
          start_line: 1,
          end_line: 1,
          annotation_level: "failure" as const,
          message,
        })),
      },
    });
  }
  await completeJob(sb, repo, run, job, outcome.job);
  await completeRun(sb, repo, run, outcome.run);
}
