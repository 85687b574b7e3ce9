import type { Logger } from "pino";
import { workflowFile } from "../backends/actions/workflow-runs.js";
import type { RemoteBackend } from "../backends/backend.js";
import type { GitHub } from "../github/octokit.js";
import { httpStatus } from "../publish/request-error.js";
import { isTransient, PermanentError } from "./errors.js";
import { finish, internalError, showStatus } from "./finish-task.js";
import type { Fleet } from "./fleet.js";
import { takeFeedback } from "./iterate-pull.js";
import { readRequest } from "./read-request.js";
import type { RunDeps } from "./run-task.js";
import { type RemoteRun, SLOT_STATES, type Task } from "./task.js";
import type { UpdateCondition } from "./task-store.js";

/** How long a dispatch's run id is remembered: longer than any Actions job may run. */
const RUN_INDEX_TTL_SECONDS = 7 * 24 * 3600;
const SETUP_DOCS = "https://github.com/flotilla-dev/flotilla/blob/main/docs/setup.md";

/** Only while the task still holds its slot, for this attempt and (when given) this dispatch of it. */
function current(task: Task, dispatch: number | "none" | undefined = task.run?.dispatch): UpdateCondition {
  return { states: SLOT_STATES, attempt: task.attempt, ...(dispatch !== undefined ? { dispatch } : {}) };
}

/**
 * The run job's work on a remote backend: dispatch the workflow and return, the slot still held. A job
 * resumed after a crash finds the dispatch recorded and never dispatches again: a run whose id was lost
 * with the worker is found by its name (here, by its `requested` webhook, or by the watchdog).
 */
export async function startRemoteRun(
  deps: RunDeps,
  gh: GitHub,
  backend: RemoteBackend,
  task: Task,
  log: Logger,
): Promise<void> {
  if (task.run) {
    const runId = task.run.id ?? (await findRun(deps, gh, backend, task, task.run));
    // A stop asked for meanwhile: the run's completion ends the task (or the watchdog, if it never appears).
    if (runId && task.cancel) await backend.cancel(gh, task, runId);
    return;
  }
  if (task.cancel) {
    await finish(deps, gh, task, "cancelled", {});
    return;
  }
  // An iteration takes the feedback waiting now, and its request is stored for the runner to read.
  const asked = task.iteration ? await takeFeedback(deps.fleet, task, current(task, "none")) : task;
  const request = asked.iteration ? await storeIteration(deps, gh, backend, asked) : undefined;
  const run = { dispatch: 1, dispatchedAt: new Date().toISOString(), ...(request ? { request } : {}) };
  await dispatchRun(deps, gh, backend, asked, run, log);
}

/**
 * An iteration's request (the issue, the feedback, the pull request's conversation and diff, as the local
 * backend's agent gets them), stored for the runner, which cannot rebuild it from the issue alone.
 */
async function storeIteration(
  deps: RunDeps,
  gh: GitHub,
  backend: RemoteBackend,
  task: Task,
): Promise<string | undefined> {
  if (!task.iteration) return undefined;
  return backend.storeRequest(gh, task, {
    version: 1,
    role: "iterate",
    agentName: task.agent,
    agent: task.settings.agent,
    request: await readRequest(deps, gh, task),
    protectedPaths: task.settings.protectedPaths,
    head: task.iteration.headSha,
  });
}

/**
 * Records the dispatch, then makes it: the record is written only if the dispatch before it (or none, for
 * the first) is still the task's, so two actors that both saw a run lost dispatch it again once. A dispatch
 * GitHub refused for good ends the task with why; one whose answer was lost (5xx, a timeout) may still have
 * made a run, so it stays recorded, to be found by name or, after `actions.startTimeout`, dispatched again.
 */
async function dispatchRun(
  deps: RunDeps,
  gh: GitHub,
  backend: RemoteBackend,
  task: Task,
  run: RemoteRun,
  log: Logger,
): Promise<void> {
  const recorded = await deps.fleet.store.updateIf(task.id, current(task, task.run?.dispatch ?? "none"), {
    state: "dispatched",
    run,
  });
  if (!recorded) return;
  let made: Pick<RemoteRun, "id" | "url">;
  try {
    made = await backend.start(gh, recorded, run.dispatch);
  } catch (error) {
    if (!isTransient(error)) {
      log.warn({ err: error, dispatch: run.dispatch }, "dispatch refused");
      await finish(
        deps,
        gh,
        recorded,
        "failed",
        { error: internalError(dispatchRefused(error, recorded)) },
        current(recorded),
      );
      return;
    }
    log.warn(
      { err: error, dispatch: run.dispatch },
      "dispatch unanswered; the run will be looked for by name",
    );
    made = {};
  }
  log.info({ run: made.id, dispatch: run.dispatch }, "workflow dispatched");
  if (made.id) await recordRunId(deps.fleet, recorded, made.id, made.url);
  await showStatus(deps, gh, task.id);
  // Stopped while the dispatch was on its way: cancel what it made.
  const now = await deps.fleet.store.get(task.id);
  if (made.id && now?.cancel) await backend.cancel(gh, recorded, made.id);
}

/** What GitHub's refusal of a dispatch means for the person who asked, and what to do about it. */
function dispatchRefused(error: unknown, task: Task): Error {
  const status = httpStatus(error);
  const file = `.github/workflows/${workflowFile(task)}`;
  if (status === 404)
    return new PermanentError(
      `The agent workflow ${file} is not on ${task.repo.defaultBranch}: copy Flotilla's template there (${SETUP_DOCS}), or set \`backend: local\``,
    );
  if (status === 403)
    return new PermanentError(
      `GitHub refused to dispatch ${file} (403): a maintainer must accept Flotilla's \`actions: write\` permission in the installation's settings, and Actions must be enabled for this repository`,
    );
  if (status === 422)
    return new PermanentError(
      `GitHub refused to dispatch ${file}: ${(error as Error).message}. Is it Flotilla's template, with its inputs? (${SETUP_DOCS})`,
    );
  return error instanceof Error ? error : new Error(String(error));
}

/** Looks the run of the task's current dispatch up by name, and records it when found. */
export async function findRun(
  deps: RunDeps,
  gh: GitHub,
  backend: RemoteBackend,
  task: Task,
  run: RemoteRun,
): Promise<number | undefined> {
  const found = await backend.find(gh, task, run);
  if (!found?.id) return undefined;
  return (await recordRunId(deps.fleet, { ...task, run }, found.id, found.url)) ? found.id : undefined;
}

/**
 * Remembers which task a run works for, so its webhooks find it: only for the dispatch still current (a run
 * of an older dispatch, or of a superseded attempt, is not taken up). Returns whether it was recorded.
 */
export async function recordRunId(fleet: Fleet, task: Task, runId: number, url?: string): Promise<boolean> {
  const run = task.run;
  if (!run) return false;
  const recorded = await fleet.store.updateIf(task.id, current(task, run.dispatch), {
    run: { ...run, id: runId, ...(url ? { url } : {}) },
  });
  if (!recorded) return false;
  await fleet.redis.set(fleet.keys.remoteRun(task.repo.id, runId), task.id, "EX", RUN_INDEX_TTL_SECONDS);
  return true;
}

/**
 * Dispatched → running, once, for the dispatch still current: a late webhook (or the watchdog seeing the run
 * in progress) never moves a task back. Counts its queue wait and brings its status comment up to date.
 */
export async function markRunning(
  fleet: Fleet,
  task: Task,
  startedAt: string,
  logUrl?: string,
): Promise<void> {
  if (!task.run) return;
  const moved = await fleet.store.updateIf(
    task.id,
    { states: ["dispatched"], attempt: task.attempt, dispatch: task.run.dispatch },
    { state: "running", startedAt, run: { ...task.run, startedAt, ...(logUrl ? { url: logUrl } : {}) } },
  );
  if (!moved) return;
  await fleet.metrics.taskStarted(moved, startedAt);
  await fleet.queues.updates.add("status", { kind: "status", taskId: task.id });
}

/** The task a workflow run works for, when it is one of Flotilla's runs and still the task's current one. */
export async function taskOfRun(fleet: Fleet, repoId: number, runId: number): Promise<Task | undefined> {
  const taskId = await fleet.redis.get(fleet.keys.remoteRun(repoId, runId));
  const task = taskId ? await fleet.store.get(taskId) : undefined;
  return task?.run?.id === runId ? task : undefined;
}

/**
 * A run lost to the infrastructure (no runner, runner gone, never reported) is dispatched again, up to the
 * configured count; then the task fails saying so. Whoever notices first (the collect job, the watchdog)
 * does it, once: every write is conditional on the lost dispatch still being the task's.
 *
 * @param task the record as the caller read it: the dispatch it saw lost.
 */
export async function dispatchAgain(
  deps: RunDeps,
  gh: GitHub,
  backend: RemoteBackend,
  task: Task,
  reason: string,
  log: Logger,
): Promise<void> {
  const run = task.run;
  if (!run) return;
  const lost = [...(run.lost ?? []), reason];
  const now = (await deps.fleet.store.get(task.id)) ?? task;
  if (now.cancel) {
    await finish(deps, gh, task, "cancelled", { run: { ...run, lost } }, current(task));
    return;
  }
  const retries = task.settings.actions?.retries ?? 2;
  if (run.dispatch > retries) {
    const tries = `${run.dispatch} ${run.dispatch === 1 ? "try" : "tries"}`;
    await finish(
      deps,
      gh,
      task,
      "failed",
      {
        run: { ...run, lost },
        error: {
          kind: "internal",
          message: `GitHub Actions did not carry out the run (${lost.join("; ")}), after ${tries}`,
        },
      },
      current(task),
    );
    return;
  }
  log.warn({ reason, dispatch: run.dispatch }, "workflow run lost; dispatching again");
  // The same request: an iteration's feedback was taken with its first dispatch.
  const next = {
    dispatch: run.dispatch + 1,
    dispatchedAt: new Date().toISOString(),
    lost,
    ...(run.request ? { request: run.request } : {}),
  };
  await dispatchRun(deps, gh, backend, task, next, log);
}
