import type { Logger } from "pino";
import type { SenderPermissions } from "../app/validation/sender-permission.js";
import type { AgentRun, InlineBackend, RemoteBackend } from "../backends/backend.js";
import type { GitHub } from "../github/octokit.js";
import { readOnlyToken } from "../github/read-token.js";
import { withRetries } from "../github/with-retries.js";
import { waitForBudget } from "./budget-wait.js";
import { startRemoteRun } from "./dispatch-run.js";
import { isTransient, PermanentError, WorkerStoppingError } from "./errors.js";
import { finish, internalError, release, showStatus } from "./finish-task.js";
import type { Fleet } from "./fleet.js";
import { takeFeedback } from "./iterate-pull.js";
import { openPullRequest, publishRun } from "./publish-run.js";
import type { RunJob } from "./queues.js";
import { readRequest } from "./read-request.js";
import { overBudget } from "./repo-budget.js";
import { isActive, SLOT_STATES, type Task } from "./task.js";
import type { UpdateCondition } from "./task-store.js";

export interface RunDeps {
  fleet: Fleet;
  backends: { local?: InlineBackend; actions?: RemoteBackend };
  /** An Octokit for the installation, authenticated by the App; jobs never carry tokens. */
  github(installationId: number): Promise<GitHub>;
  /** Who may be heard in the prompt (the same check, and cache, as for who may start agents). */
  permissions: SenderPermissions;
  /** The App's id: its own check runs are not the repository's CI. */
  appId: number;
  log: Logger;
  /** How often a running local agent looks for a stop request. @defaultValue 1 s */
  cancelPollMs?: number;
  /** How often a judge running on GitHub Actions looks at its workflow run, short of its webhook. @defaultValue 60 s */
  remotePollMs?: number;
}

/**
 * One attempt of a task, as numbered steps. Every step reads the record first and writes what it did, so a
 * retried job or a worker restarted after a crash resumes without doing anything twice: the commit is keyed by
 * its tree, the PR by its branch, the status comment by its marker. On a remote backend this only dispatches
 * the run; `collectTask` publishes it when GitHub says it completed.
 *
 * @param lastTry no retry follows: a transient failure now ends the task instead of being thrown.
 */
export async function runTask(
  deps: RunDeps,
  job: RunJob,
  lastTry: boolean,
  /** Aborted when this worker shuts down: the agent is stopped and the job left for another worker. */
  stopping?: AbortSignal,
): Promise<void> {
  const { fleet } = deps;
  let task = await fleet.store.get(job.taskId);
  // 0. A job for an attempt that was superseded does nothing; one whose attempt already ended (a crash after
  //    the last write) only frees the slot it may still hold.
  if (!task || task.attempt !== job.attempt) return;
  if (!isActive(task.state)) return release(deps, task);

  const log = deps.log.child({ task: task.id, attempt: task.attempt });
  const gh = await deps.github(task.installationId);
  try {
    const backend = deps.backends[task.settings.backend];
    if (!backend)
      throw new PermanentError(`The ${task.settings.backend} backend is not available on this worker.`);
    // A run about to start past the repository's monthly budget waits, without its slot.
    const fresh = task.state === "dispatched" && !task.run && !task.startedAt && !task.cancel;
    const over = fresh ? await overBudget(fleet, task) : undefined;
    if (over) return await waitForBudget(deps, gh, task, over);
    if (backend.kind === "remote") return await startRemoteRun(deps, gh, backend, task, log);
    if (task.cancel) {
      await finish(deps, gh, task, "cancelled", {});
      return;
    }
    // Every write from here on only while this attempt holds its slot.
    const when = { states: SLOT_STATES, attempt: task.attempt };
    if (!(task.state === "publishing" && task.commitSha))
      task = await runInline(deps, gh, backend, task, log, when, stopping);
    if (task.state !== "publishing" || task.attempt !== job.attempt) return;
    await openPullRequest(deps, gh, task, log, when);
  } catch (error) {
    if (error instanceof WorkerStoppingError) throw error;
    if (isTransient(error) && !lastTry) {
      log.warn({ err: error }, "transient failure; the job will retry");
      throw error;
    }
    log.error({ err: error }, "task failed");
    await finish(deps, gh, task, "failed", { error: internalError(error) });
  }
}

/** Steps 1–3 on the worker host, then the shared publishing steps. */
async function runInline(
  deps: RunDeps,
  gh: GitHub,
  backend: InlineBackend,
  start: Task,
  log: Logger,
  when: UpdateCondition,
  stopping?: AbortSignal,
): Promise<Task> {
  const { fleet } = deps;
  // 1. Running, and say so on the issue. An iteration takes the feedback people left meanwhile.
  const startedAt = new Date().toISOString();
  const running = await fleet.store.update(start.id, { state: "running", startedAt });
  const task = await takeFeedback(fleet, running, when);
  await fleet.metrics.taskStarted(task, startedAt);
  await showStatus(deps, gh, task.id);

  // 2. What the agent is asked (the issue as it was when asked, and the comments that may be heard), and a
  //    read-only token to fetch the repository with.
  const request = await readRequest(deps, gh, task);
  const token = await withRetries(() => readOnlyToken(gh, task.installationId, task.repo.id));

  // 3. The agent, stopped when this worker shuts down or a person asks to stop it.
  log.info({ backend: backend.name, agent: task.agent }, "agent starting");
  const stop = new AbortController();
  const onStopping = () => stop.abort();
  stopping?.addEventListener("abort", onStopping, { once: true });
  if (stopping?.aborted) stop.abort();
  const watch = setInterval(async () => {
    if ((await fleet.store.get(task.id).catch(() => undefined))?.cancel) stop.abort();
  }, deps.cancelPollMs ?? 1_000);
  let run: AgentRun;
  try {
    run = await backend.run({
      task,
      request,
      token,
      signal: stop.signal,
      // An iteration continues the pull request from the head it was asked on.
      ...(task.iteration ? { checkout: { branch: task.branch, sha: task.iteration.headSha } } : {}),
    });
  } finally {
    clearInterval(watch);
    stopping?.removeEventListener("abort", onStopping);
  }
  try {
    // Stopped because this worker is shutting down, not because of the agent: another worker runs it again.
    if (stopping?.aborted) throw new WorkerStoppingError();
    return await publishRun(deps, gh, task, run, log, when);
  } finally {
    await disposeQuietly(run, log);
  }
}

async function disposeQuietly(run: AgentRun, log: Logger): Promise<void> {
  try {
    await run.dispose();
  } catch (error) {
    log.warn({ err: error }, "workspace cleanup failed");
  }
}
