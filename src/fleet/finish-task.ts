import type { GitHub } from "../github/octokit.js";
import { createRedactor } from "../runner/redact.js";
import { isPermanent } from "./errors.js";
import { iterateWhenIdle } from "./iterate-pull.js";
import { candidateSettled } from "./race/settle-race.js";
import { recordUsage } from "./repo-budget.js";
import type { RunDeps } from "./run-task.js";
import { syncStatusComment } from "./status-sync.js";
import { dispatch } from "./submit-task.js";
import type { Task, TaskError, TaskState } from "./task.js";
import type { UpdateCondition } from "./task-store.js";

/**
 * Ends the attempt: records the outcome, updates the status comment, frees the slot for the next task. With
 * `when`, only if the record still is as it says (another actor may have ended or moved the task meanwhile):
 * then nothing else happens, and the record as it is comes back.
 */
export async function finish(
  deps: RunDeps,
  gh: GitHub,
  task: Task,
  state: TaskState,
  patch: Partial<Task>,
  when?: UpdateCondition,
): Promise<Task> {
  const now = new Date();
  const startedAt = task.startedAt ? Date.parse(task.startedAt) : now.getTime();
  const ending = { ...patch, state, finishedAt: now.toISOString(), durationMs: now.getTime() - startedAt };
  const done = when
    ? await deps.fleet.store.updateIf(task.id, when, ending)
    : await deps.fleet.store.update(task.id, ending);
  if (!done) return (await deps.fleet.store.get(task.id)) ?? task;
  await deps.fleet.metrics.taskFinished(done);
  // An attempt that ran counts towards its repository's monthly budget, once.
  if (task.startedAt)
    await recordUsage(
      deps.fleet,
      done,
      `a${done.attempt}`,
      { usd: done.usage?.costUsd ?? 0, seconds: (done.durationMs ?? 0) / 1000 },
      ending.finishedAt,
    );
  // The comment before the slot: on the issues, never more tasks show as running than the limit allows.
  await showStatus(deps, gh, task.id);
  await release(deps, done);
  // Feedback people gave during the run is the next iteration's.
  await iterateWhenIdle(deps.fleet, done);
  // A race ranks its candidates once all of them have settled.
  await candidateSettled(deps.fleet, done);
  return done;
}

/**
 * Brings the status comment up to date. A failure here must not fail the task (a retry would run the agent
 * again): a status job brings the comment up to date later instead.
 */
export async function showStatus(deps: RunDeps, gh: GitHub, taskId: string): Promise<void> {
  try {
    await syncStatusComment(deps.fleet, gh, taskId);
  } catch (error) {
    deps.log.warn({ err: error, task: taskId }, "status comment update failed; queued for later");
    await deps.fleet.queues.updates.add("status", { kind: "status", taskId });
  }
}

export async function release(deps: Pick<RunDeps, "fleet">, task: Task): Promise<void> {
  const admitted = await deps.fleet.scheduler.release(task.repo.id, task.id);
  await dispatch(deps.fleet, admitted);
}

/** Shown on the issue, so only the first line, with anything shaped like a credential removed. */
const redactShapes = createRedactor([]);

export function internalError(error: unknown): TaskError {
  const [message = ""] = redactShapes(error instanceof Error ? error.message : String(error)).split("\n");
  if (isPermanent(error)) return { kind: "internal", message };
  return { kind: "internal", message: `Flotilla could not finish this task: ${message}` };
}
