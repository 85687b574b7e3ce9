import { dispatchAgain } from "./dispatch-run.js";
import { isTransient, PermanentError } from "./errors.js";
import { finish, internalError, showStatus } from "./finish-task.js";
import { openPullRequest, publishRun } from "./publish-run.js";
import type { CollectJob } from "./queues.js";
import type { RunDeps } from "./run-task.js";
import { SLOT_STATES } from "./task.js";

/**
 * The collect job: a run completed (its webhook, or the watchdog saw it). Reads what it came to and ends the
 * attempt the way the local backend would: its result published, the failure explained, or, when the run
 * was lost to the infrastructure, dispatched again. Every move is conditional on the dispatch still being
 * current, so a watchdog acting on the same run at once cannot make it happen twice.
 */
export async function collectTask(deps: RunDeps, job: CollectJob, lastTry: boolean): Promise<void> {
  const { fleet } = deps;
  const start = await fleet.store.get(job.taskId);
  // 0. Only for the dispatch still current, and not twice.
  if (!start?.run?.id || start.attempt !== job.attempt || start.run.dispatch !== job.dispatch) return;
  if (!(SLOT_STATES as readonly string[]).includes(start.state)) return;
  const runId = start.run.id;
  // Every write below only while the task holds its slot for this attempt and dispatch.
  const when = { states: SLOT_STATES, attempt: job.attempt, dispatch: job.dispatch };
  const log = deps.log.child({ task: start.id, attempt: start.attempt, run: runId });
  const gh = await deps.github(start.installationId);
  let task = start;
  try {
    const backend = deps.backends.actions;
    if (!backend) throw new PermanentError("The actions backend is not available on this worker.");
    if (!(task.state === "publishing" && task.commitSha)) {
      // 1. What the run came to (a retry that finds it publishing, its commit not made yet, stays there).
      if (task.state !== "publishing") {
        const collecting = await fleet.store.updateIf(
          task.id,
          { ...when, states: ["dispatched", "running", "collecting"] },
          { state: "collecting" },
        );
        if (!collecting) return;
        task = collecting;
        await showStatus(deps, gh, task.id);
      }
      const collected = await backend.collect(gh, task, runId);
      log.info({ collected: collected.kind }, "workflow run collected");

      // 2. Lost, ended, or a result to publish like any other.
      if (collected.kind === "pending") {
        // GitHub's API lags its webhook: back to running, for the watchdog (or the next webhook) to collect.
        await fleet.store.updateIf(task.id, { ...when, states: ["collecting"] }, { state: "running" });
        return;
      }
      if (collected.kind === "lost")
        return await dispatchAgain(deps, gh, backend, start, collected.reason, log);
      if (collected.kind === "ended") {
        const cancel = (await fleet.store.get(task.id))?.cancel;
        await finish(
          deps,
          gh,
          task,
          cancel ? "cancelled" : collected.state,
          {
            error: { kind: collected.state === "failed" ? "agent" : "internal", message: collected.message },
          },
          when,
        );
        return;
      }
      task = await publishRun(deps, gh, task, collected.run, log, when);
      if (task.state !== "publishing" || task.attempt !== job.attempt) return;
    }
    // 3. The pull request, as for the local backend.
    await openPullRequest(deps, gh, task, log, when);
  } catch (error) {
    if (isTransient(error) && !lastTry) {
      log.warn({ err: error }, "transient failure; the collect job will retry");
      throw error;
    }
    log.error({ err: error }, "collecting the run failed");
    await finish(deps, gh, task, "failed", { error: internalError(error) }, when);
  }
}
