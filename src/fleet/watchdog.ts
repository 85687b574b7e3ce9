import type { Job } from "bullmq";
import type { Logger } from "pino";
import { jobMinutes } from "../backends/actions/workflow-inputs.js";
import { dispatchAgain, findRun, markRunning } from "./dispatch-run.js";
import { finish } from "./finish-task.js";
import { collectJobFor, collectJobId } from "./queues.js";
import type { RunDeps } from "./run-task.js";
import type { Task } from "./task.js";

/** Past the job's own limit, how long a run may go on before the watchdog stops it. */
const MARGIN_MS = 5 * 60_000;

/**
 * Follows up every workflow run in flight, for what webhooks did not tell (GitHub does not promise their
 * delivery): a completed run is collected; one that waited past `actions.startTimeout` for a runner, or that
 * GitHub never reported, is cancelled and dispatched again; one past its time limit is cancelled and the
 * task ends timed out; a stop asked for is carried out. Runs as a repeatable job, one worker at a time.
 */
export async function watchRuns(deps: RunDeps, now = Date.now()): Promise<void> {
  const { fleet } = deps;
  for (const repoId of await fleet.scheduler.repositories()) {
    for (const taskId of await fleet.scheduler.holding(repoId)) {
      const task = await fleet.store.get(taskId);
      if (!task?.run) continue;
      const log = deps.log.child({ task: task.id, attempt: task.attempt, watchdog: true });
      try {
        if (task.state === "dispatched" || task.state === "running") await watchRun(deps, task, now, log);
        else await keepCollecting(deps, task, log);
      } catch (error) {
        log.warn({ err: error }, "watchdog could not check the run");
      }
    }
  }
}

async function watchRun(deps: RunDeps, task: Task, now: number, log: Logger): Promise<void> {
  const backend = deps.backends.actions;
  const run = task.run;
  if (!backend || !run) return;
  const gh = await deps.github(task.installationId);
  const startTimeout = task.settings.actions?.startTimeout ?? 15 * 60_000;
  const waited = now - Date.parse(run.dispatchedAt);
  const when = { states: ["dispatched", "running"] as const, attempt: task.attempt, dispatch: run.dispatch };

  // 1. A run whose id never came: look for it by name; give it up when it never appears.
  const runId = run.id ?? (await findRun(deps, gh, backend, task, run));
  if (!runId) {
    if (waited > startTimeout)
      await dispatchAgain(deps, gh, backend, task, "GitHub never reported the dispatched run", log);
    return;
  }

  // 2. Where GitHub says the run is: completed runs are collected, stop requests carried out.
  const status = await backend.status(gh, task, runId);
  if (status.status === "completed") return collect(deps, task);
  if (task.cancel) return backend.cancel(gh, task, runId);

  // 3. Never started: cancelled, and dispatched again.
  if (status.status !== "in_progress") {
    if (waited <= startTimeout) return;
    log.warn({ run: runId }, "the run never started; cancelling it");
    await backend.cancel(gh, task, runId);
    const minutes = Math.round(waited / 60_000);
    return dispatchAgain(deps, gh, backend, task, `the job waited ${minutes} min for a runner`, log);
  }

  // 4. Running, though its start may not have been reported: the status comment should say so.
  const startedAt = status.startedAt ?? run.startedAt ?? run.dispatchedAt;
  if (task.state === "dispatched") await markRunning(deps.fleet, task, startedAt);

  // 5. Past its time limit (GitHub stops a job at its timeout-minutes; this is for when it did not).
  if (now - Date.parse(startedAt) > jobMinutes(task.settings.agent.timeout) * 60_000 + MARGIN_MS) {
    log.warn({ run: runId }, "the run went past its time limit; cancelling it");
    await backend.cancel(gh, task, runId);
    await finish(
      deps,
      gh,
      task,
      "timed-out",
      {
        error: {
          kind: "agent",
          message: "The Actions run went on past its time limit, so Flotilla cancelled it.",
        },
      },
      when,
    );
  }
}

/**
 * Asks for the run to be collected. A collect job that already ended (it found the run not completed yet, or
 * gave up on GitHub) keeps its id for a day, so it is removed first: otherwise the add would do nothing.
 */
async function collect(deps: RunDeps, task: Task, existing?: Job): Promise<void> {
  const job = collectJobFor(task);
  const ended = existing ?? (await deps.fleet.queues.runs.getJob(collectJobId(job)));
  if (ended && ["completed", "failed"].includes(await ended.getState())) await ended.remove();
  await deps.fleet.queues.runs.add("collect", job, { jobId: collectJobId(job) });
}

/**
 * A task collecting or publishing whose collect job is gone or over: asked again, or, when BullMQ gave up on
 * it with a reason (its workers kept dying), ended as failed.
 */
async function keepCollecting(deps: RunDeps, task: Task, log: Logger): Promise<void> {
  const job = collectJobFor(task);
  const existing = await deps.fleet.queues.runs.getJob(collectJobId(job));
  const state = existing ? await existing.getState() : "missing";
  if (state !== "missing" && state !== "completed" && state !== "failed") return;
  if (state !== "failed" || !existing?.failedReason) return collect(deps, task, existing);
  log.error({ reason: existing.failedReason }, "collect job failed for good; ending the task");
  await finish(
    deps,
    await deps.github(task.installationId),
    task,
    "failed",
    { error: { kind: "internal", message: `Flotilla could not finish this task: ${existing.failedReason}` } },
    { states: ["collecting", "publishing"], attempt: task.attempt, dispatch: job.dispatch },
  );
}
