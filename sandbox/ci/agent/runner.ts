import { readFileAt } from "../../git/repository.js";
import type { Sandbox } from "../../sandbox.js";
import { ciStopSignal, setBuiltInRunner, type WorkflowExecution } from "../executor.js";
import { completeRun, findRun } from "../workflow-runs.js";
import { agentWorkflowOf } from "./definition.js";
import { type AgentOptions, runAgentJob } from "./run-job.js";

/** runAgentWorkflows' arguments, as JSON can carry them. */
export interface AgentWorkflowSettings {
  /** Folders put first on PATH (where a test keeps its `flotilla-runner`). */
  path?: string[];
  /** Extra environment for the runner step (a test's fake agent settings). */
  env?: Record<string, string>;
  /** Replaces the job's `timeout-minutes`. */
  timeoutMs?: number;
}

function normalize(settings: AgentWorkflowSettings): AgentOptions {
  const path = settings.path ?? [];
  if (!Array.isArray(path) || path.some((p) => typeof p !== "string" || p === "" || p.includes(":"))) {
    throw new Error("sandbox: path must be a list of folders (no ':' in them)");
  }
  const env = settings.env ?? {};
  if (typeof env !== "object" || Object.values(env).some((v) => typeof v !== "string")) {
    throw new Error("sandbox: env must map names to strings");
  }
  const { timeoutMs } = settings;
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0)) {
    throw new Error("sandbox: timeoutMs must be a positive number of milliseconds");
  }
  return { path: [...path], env: { ...env }, timeoutMs: timeoutMs ?? null };
}

/**
 * From now on (or, with null, no longer) the sandbox carries out dispatched runs of every workflow whose
 * job has a step `id: runner`, as a GitHub-hosted runner would. Other runs go to the test's executor.
 */
export function runAgentWorkflows(sb: Sandbox, settings: AgentWorkflowSettings | null): void {
  if (settings === null) {
    setBuiltInRunner(sb, null);
    return;
  }
  const options = normalize(settings);
  setBuiltInRunner(sb, (execution) => takeRun(sb, options, execution));
}

/** Takes the run if its workflow file (at the run's commit) is an agent workflow, and carries it out. */
async function takeRun(sb: Sandbox, options: AgentOptions, execution: WorkflowExecution): Promise<boolean> {
  const repo = sb.store.repo(execution.repo);
  const run = findRun(repo, execution.runId);
  const source = await readFileAt(repo.gitDir, run.headSha, execution.workflowPath);
  const workflow = source ? agentWorkflowOf(execution.workflowPath, source.toString("utf8")) : null;
  if (!workflow) return false;
  const signal = AbortSignal.any([execution.signal, ciStopSignal(sb)]);
  try {
    await runAgentJob(sb, repo, run, workflow, options, signal);
  } catch {
    // Something the job could not get past (a bad timeout-minutes, a full disk): the job fails.
    if (run.status !== "completed") await completeRun(sb, repo, run, "failure");
  }
  return true;
}
