import { resolve } from "node:path";
import type { Sandbox } from "../../sandbox.js";
import type { CheckConclusion, Repo, WorkflowRun } from "../../state/model.js";
import { attachArtifact } from "../artifacts.js";
import { CheckoutError, checkout } from "./checkout.js";
import { type AgentWorkflow, RUNNER_STEP_ID, type StepSpec } from "./definition.js";
import { type JobFacts, stepEnvironment, stepInputs } from "./environment.js";
import { type Context, evaluate, type JobStatus, resolveText, truthy } from "./expressions.js";
import { JobSteps } from "./job-steps.js";
import type { AgentRunRecord } from "./records.js";
import { runScript } from "./run-script.js";
import { collectFiles } from "./upload.js";

/** Everything the steps of one job attempt share. */
export interface JobInProgress {
  sb: Sandbox;
  repo: Repo;
  run: WorkflowRun;
  workflow: AgentWorkflow;
  facts: JobFacts;
  context: Context;
  steps: JobSteps;
  record: AgentRunRecord;
  /** Dirs put first on PATH and extra env, from runAgentWorkflows. */
  pathDirs: string[];
  extraEnv: Record<string, string>;
  /** When the job's time is up (Date.now() clock). */
  deadline: number;
  timeoutMinutes: number;
  runnerName: string;
  signal: AbortSignal;
}

/** How the job ended: its own conclusion and the run's, and the messages GitHub annotates the job with. */
export interface JobOutcome {
  job: CheckConclusion;
  run: CheckConclusion;
  annotations: string[];
  /** False when the runner went away: no "Complete job" step then. */
  completes: boolean;
}

type StepResult =
  | { kind: "success" }
  | { kind: "failure"; message: string }
  | { kind: "timed_out" | "cancelled" | "lost" };

const SUCCESS: StepResult = { kind: "success" };

/**
 * An `if:` as GitHub reads it: `${{ }}` optional, and `success() && (…)` implied when the condition uses no
 * status function. No `if:` means `success()`.
 */
function shouldRun(step: StepSpec, context: Context, status: JobStatus): boolean {
  let condition = (step.if ?? "success()").trim();
  const wrapped = /^\$\{\{(.*)\}\}$/s.exec(condition);
  if (wrapped?.[1] !== undefined) condition = wrapped[1];
  if (!/\b(success|failure|always|cancelled)\s*\(/i.test(condition))
    condition = `success() && (${condition})`;
  return truthy(evaluate(condition, context, status));
}

/** The workflow's steps in order; returns "cancelled" when the run was cancelled meanwhile. */
export async function runSteps(job: JobInProgress): Promise<JobOutcome | "cancelled"> {
  const annotations: string[] = [];
  let failed = false;
  const specs = job.workflow.job.steps;
  for (const [index, step] of specs.entries()) {
    const number = JobSteps.numberOf(index);
    if (job.signal.aborted) return "cancelled";
    const { env, context } = stepEnvironment(
      job.facts,
      job.context,
      { workflow: job.workflow.env, job: job.workflow.job.env, extra: job.extraEnv, step: step.env },
      job.pathDirs,
    );
    if (!shouldRun(step, context, { failed, cancelled: false })) {
      job.steps.skip(number);
      continue;
    }
    job.steps.begin(number);
    const result =
      Date.now() >= job.deadline ? ({ kind: "timed_out" } as const) : await carryOut(job, step, env, context);
    if (result.kind === "cancelled") return "cancelled";
    if (result.kind === "lost") {
      const message = `The hosted runner: ${job.runnerName} lost communication with the server. Anything in your workflow that terminates the runner process, starves it for CPU/Memory, or blocks its network access can cause this error.`;
      return { job: "failure", run: "failure", annotations: [...annotations, message], completes: false };
    }
    if (result.kind === "timed_out") {
      job.steps.end(number, "cancelled");
      for (let rest = number + 1; rest < job.steps.last; rest += 1) job.steps.skip(rest);
      const message = `The job running on runner ${job.runnerName} has exceeded the maximum execution time of ${job.timeoutMinutes} minutes.`;
      return { job: "cancelled", run: "timed_out", annotations: [...annotations, message], completes: true };
    }
    if (result.kind === "failure") {
      failed = true;
      annotations.push(result.message);
    }
    job.steps.end(number, result.kind);
  }
  const conclusion = failed ? "failure" : "success";
  return { job: conclusion, run: conclusion, annotations, completes: true };
}

/** Checkout and upload are done by the sandbox, the runner step is run; other steps are shown as done. */
function carryOut(
  job: JobInProgress,
  step: StepSpec,
  env: Record<string, string>,
  context: Context,
): Promise<StepResult> {
  const action = step.uses?.split("@")[0]?.toLowerCase();
  if (action === "actions/checkout") return checkoutStep(job, stepInputs(step, context));
  if (step.id === RUNNER_STEP_ID) return runnerStep(job, step, env, context);
  if (action === "actions/upload-artifact") return uploadStep(job, stepInputs(step, context));
  return Promise.resolve(SUCCESS);
}

async function checkoutStep(job: JobInProgress, inputs: Record<string, string>): Promise<StepResult> {
  const { facts } = job;
  if (inputs.repository && inputs.repository.toLowerCase() !== facts.repository.toLowerCase()) {
    return {
      kind: "failure",
      message: `The sandbox checks out only ${facts.repository}, not ${inputs.repository}`,
    };
  }
  const dir = resolve(facts.workspace, inputs.path ?? "");
  if (dir !== facts.workspace && !dir.startsWith(`${facts.workspace}/`)) {
    return { kind: "failure", message: `Repository path '${dir}' is not under '${facts.workspace}'` };
  }
  try {
    job.record.sha = await checkout(dir, {
      gitDir: job.repo.gitDir,
      ref: inputs.ref ?? "",
      runBranch: facts.branch,
      runSha: facts.sha,
      remoteUrl: `${facts.baseUrl}/${facts.repository}.git`,
    });
    return SUCCESS;
  } catch (error) {
    if (error instanceof CheckoutError) return { kind: "failure", message: error.message };
    throw error;
  }
}

async function runnerStep(
  job: JobInProgress,
  step: StepSpec,
  env: Record<string, string>,
  context: Context,
): Promise<StepResult> {
  job.record.env = env;
  const cwd = step.workingDirectory
    ? resolve(job.facts.workspace, resolveText(step.workingDirectory, context))
    : job.facts.workspace;
  const outcome = await runScript({
    script: resolveText(step.run ?? "", context),
    cwd,
    env,
    timeoutMs: job.deadline - Date.now(),
    signal: job.signal,
    masked: [...Object.values(job.facts.secrets), job.facts.token],
    loseRunner: job.record.fault === "runner-lost",
    record: job.record,
  });
  if (outcome === "succeeded") return SUCCESS;
  if (outcome === "failed") {
    const code = job.record.exitCode;
    return {
      kind: "failure",
      message: code === null ? "The process was killed." : `Process completed with exit code ${code}.`,
    };
  }
  return { kind: outcome };
}

async function uploadStep(job: JobInProgress, inputs: Record<string, string>): Promise<StepResult> {
  const path = inputs.path ?? "";
  const files = await collectFiles(path, job.facts.workspace, inputs["include-hidden-files"] === "true");
  if (Object.keys(files).length === 0) {
    const message = `No files were found with the provided path: ${path}. No artifacts will be uploaded.`;
    return inputs["if-no-files-found"] === "error" ? { kind: "failure", message } : SUCCESS;
  }
  const name = inputs.name || "artifact";
  const days = Number(inputs["retention-days"]);
  attachArtifact(job.sb, job.run, name, files, days >= 1 && days <= 90 ? days : undefined);
  return SUCCESS;
}
