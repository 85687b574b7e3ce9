import type { Sandbox } from "../sandbox.js";
import type { CheckConclusion, Repo, WorkflowRun } from "../state/model.js";
import { abortSignalOf } from "./run-links.js";
import { completeRun, startRun } from "./workflow-runs.js";

/** What an executor is told about a run it should carry out. */
export interface WorkflowExecution {
  sandbox: Sandbox;
  /** `owner/name` */
  repo: string;
  runId: number;
  /** `.github/workflows/<file>` */
  workflowPath: string;
  ref: string;
  sha: string;
  inputs: Record<string, unknown>;
  /** Aborted when the run is cancelled through the API. */
  signal: AbortSignal;
}

/** The run's outcome; no result (or no conclusion) means success. */
export interface WorkflowResult {
  conclusion?: CheckConclusion;
  /** Artifact name → file path → content. */
  artifacts?: Record<string, Record<string, string | Buffer>>;
}

/**
 * Plays the Actions runner: called for every dispatched run once it is in progress. A thrown error makes
 * the run fail, as a crashing job would.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: lets an executor be a plain `async () => {}` (success).
export type WorkflowExecutor = (execution: WorkflowExecution) => Promise<WorkflowResult | undefined | void>;

const executors = new WeakMap<Sandbox, WorkflowExecutor | null>();
const pending = new WeakMap<Sandbox, Set<Promise<unknown>>>();
const stopping = new WeakMap<Sandbox, AbortController>();

export function setExecutor(sb: Sandbox, executor: WorkflowExecutor | null): void {
  executors.set(sb, executor);
}

/** Work the CI runs in the background (executors, the CI actor), so tests can wait for it. */
export function track(sb: Sandbox, work: Promise<unknown>): void {
  let set = pending.get(sb);
  if (!set) {
    set = new Set();
    pending.set(sb, set);
  }
  const entry = work.catch(() => undefined).finally(() => set.delete(entry));
  set.add(entry);
}

/** Aborted when the sandbox stops, so CI commands in flight are killed rather than outliving it. */
export function ciStopSignal(sb: Sandbox): AbortSignal {
  let controller = stopping.get(sb);
  if (!controller) {
    controller = new AbortController();
    stopping.set(sb, controller);
  }
  return controller.signal;
}

/** Kills the CI commands in flight (their runs end `cancelled`) and waits for all background CI work. */
export async function stopCi(sb: Sandbox): Promise<void> {
  ciStopSignal(sb);
  stopping.get(sb)?.abort(new Error("the sandbox is stopping"));
  await settleCi(sb);
}

/** Resolves when all background CI work has finished, and its webhooks are settled. */
export async function settleCi(sb: Sandbox): Promise<void> {
  while ((pending.get(sb)?.size ?? 0) > 0) await Promise.all([...(pending.get(sb) ?? [])]);
  await sb.webhooks.settled();
}

/** Hands a new run to the executor, if one is set, after the current request has been answered. */
export function scheduleExecution(sb: Sandbox, repo: Repo, run: WorkflowRun, workflowPath: string): void {
  const executor = executors.get(sb);
  if (!executor) return;
  track(
    sb,
    new Promise((resolve) => setImmediate(resolve)).then(() =>
      execute(sb, repo, run, workflowPath, executor),
    ),
  );
}

async function execute(
  sb: Sandbox,
  repo: Repo,
  run: WorkflowRun,
  workflowPath: string,
  executor: WorkflowExecutor,
) {
  await startRun(sb, repo, run);
  let result: WorkflowResult = {};
  try {
    result =
      (await executor({
        sandbox: sb,
        repo: sb.store.fullName(repo),
        runId: run.id,
        workflowPath,
        ref: run.headBranch,
        sha: run.headSha,
        inputs: run.inputs,
        signal: abortSignalOf(run),
      })) ?? {};
  } catch {
    result = { conclusion: "failure" };
  }
  // A run cancelled meanwhile stays cancelled.
  if (run.status !== "completed")
    await completeRun(sb, repo, run, result.conclusion ?? "success", result.artifacts);
}
