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

/**
 * A runner built into the sandbox (the agent workflow). It is asked first about every dispatched run and
 * answers false for the runs it does not carry out, which go on to the executor. It drives a run it takes
 * itself, from queued to completed, so it can also leave a run queued or fail it before any job starts.
 */
export type BuiltInRunner = (execution: WorkflowExecution) => Promise<boolean>;

const executors = new WeakMap<Sandbox, WorkflowExecutor | null>();
const builtInRunners = new WeakMap<Sandbox, BuiltInRunner | null>();
const pending = new WeakMap<Sandbox, Set<Promise<unknown>>>();
const stopping = new WeakMap<Sandbox, AbortController>();

export function setExecutor(sb: Sandbox, executor: WorkflowExecutor | null): void {
  executors.set(sb, executor);
}

/** Installs (or, with null, removes) the built-in runner; a test's executor stays as it is. */
export function setBuiltInRunner(sb: Sandbox, runner: BuiltInRunner | null): void {
  builtInRunners.set(sb, runner);
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

/**
 * Hands a new run to the built-in runner, or else to the executor, if either is set, after the current
 * request has been answered.
 */
export function scheduleExecution(sb: Sandbox, repo: Repo, run: WorkflowRun, workflowPath: string): void {
  const executor = executors.get(sb);
  const builtIn = builtInRunners.get(sb);
  if (!executor && !builtIn) return;
  const execution = (): WorkflowExecution => ({
    sandbox: sb,
    repo: sb.store.fullName(repo),
    runId: run.id,
    workflowPath,
    ref: run.headBranch,
    sha: run.headSha,
    inputs: run.inputs,
    signal: abortSignalOf(run),
  });
  track(
    sb,
    new Promise((resolve) => setImmediate(resolve)).then(async () => {
      if (builtIn && (await builtIn(execution()))) return;
      if (executor) await execute(sb, repo, run, execution(), executor);
    }),
  );
}

async function execute(
  sb: Sandbox,
  repo: Repo,
  run: WorkflowRun,
  execution: WorkflowExecution,
  executor: WorkflowExecutor,
) {
  await startRun(sb, repo, run);
  let result: WorkflowResult = {};
  try {
    result = (await executor(execution)) ?? {};
  } catch {
    result = { conclusion: "failure" };
  }
  // A run cancelled meanwhile stays cancelled.
  if (run.status !== "completed")
    await completeRun(sb, repo, run, result.conclusion ?? "success", result.artifacts);
}
