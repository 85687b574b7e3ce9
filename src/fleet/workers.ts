import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { resumeWithinBudget } from "./budget-wait.js";
import { cancelRun } from "./cancel-task.js";
import { collectTask } from "./collect-task.js";
import { isTransient } from "./errors.js";
import { iteratePull, iterateReply } from "./iterate-pull.js";
import { postNotice } from "./post-notice.js";
import {
  type CollectJob,
  JUDGE_QUEUE,
  type JudgeJob,
  RACE_QUEUE,
  type RaceJob,
  REMOTE_JUDGE_QUEUE,
  REVIEW_QUEUE,
  type ReviewJob,
  RUN_QUEUE,
  type RunJob,
  UPDATE_QUEUE,
  type UpdateJob,
  WATCHDOG_QUEUE,
} from "./queues.js";
import { raceStep } from "./race/race-step.js";
import { reconcile } from "./reconcile.js";
import { followCi } from "./review/follow-ci.js";
import { gateMergeGroup, passGate } from "./review/gate-merge-group.js";
import { judgePull } from "./review/judge-pull.js";
import { startReview } from "./review/start-review.js";
import { type RunDeps, runTask } from "./run-task.js";
import { syncStatusComment } from "./status-sync.js";
import { watchRuns } from "./watchdog.js";

export interface WorkerOptions {
  /** Agent runs at once in this process. @defaultValue 2 */
  concurrency?: number;
  /** How long a job's lock lasts without renewal; a worker silent that long is presumed dead. @defaultValue 30 s */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died. @defaultValue 30 s */
  stalledIntervalMs?: number;
  /** How often the reconciler runs. @defaultValue 60 s */
  reconcileIntervalMs?: number;
  /** How often the watchdog follows up workflow runs in flight. @defaultValue 60 s */
  watchdogIntervalMs?: number;
  /** Judge agent runs at once in this process. @defaultValue 2 */
  judgeConcurrency?: number;
  /** Judges on CI runners followed at once by this process (it only waits for them). @defaultValue 16 */
  remoteJudgeConcurrency?: number;
  /** How often a judge running on GitHub Actions looks at its workflow run, short of its webhook. @defaultValue 60 s */
  remotePollMs?: number;
}

export interface Workers {
  close(): Promise<void>;
}

/**
 * The worker side: runs tasks (at most `concurrency` at once in this process) and the small GitHub updates,
 * and periodically repairs what a crash left behind. A worker that dies mid-task (even SIGKILL) loses its
 * job lock; another worker's stalled-job check puts the job back, and the task resumes from its record.
 */
export function startWorkers(deps: RunDeps, connection: Redis, options: WorkerOptions = {}): Workers {
  const { fleet, log } = deps;
  const common = {
    connection,
    prefix: fleet.keys.prefix,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // A job whose worker died this many times is failed rather than tried forever.
    maxStalledCount: 3,
  };
  // Closing stops the running agents rather than wait up to their timeout; their jobs go back to the queue.
  const stopping = new AbortController();
  const runs = new Worker<RunJob | CollectJob>(
    RUN_QUEUE,
    async (job: Job<RunJob | CollectJob>) => {
      const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (job.name === "collect") await collectTask(deps, job.data as CollectJob, lastTry);
      else await runTask(deps, job.data, lastTry, stopping.signal);
    },
    { ...common, concurrency: options.concurrency ?? 2 },
  );
  const updates = new Worker<UpdateJob>(UPDATE_QUEUE, (job) => runUpdate(deps, job), {
    ...common,
    concurrency: 8,
  });
  const reviews = new Worker<ReviewJob>(REVIEW_QUEUE, (job) => runReviewStep(deps, job), {
    ...common,
    concurrency: 8,
  });
  const judgeJob = (job: Job<JudgeJob>) =>
    judgePull(deps, job.data, job.attemptsMade + 1 >= (job.opts.attempts ?? 1), stopping.signal);
  const judge = new Worker<JudgeJob>(JUDGE_QUEUE, judgeJob, {
    ...common,
    concurrency: options.judgeConcurrency ?? 2,
  });
  const remoteJudge = new Worker<JudgeJob>(REMOTE_JUDGE_QUEUE, judgeJob, {
    ...common,
    concurrency: options.remoteJudgeConcurrency ?? 16,
  });
  // Ranking runs the judge on each candidate, so races share the judge's concurrency.
  const races = new Worker<RaceJob>(
    RACE_QUEUE,
    (job) => raceStep(deps, job.data, job.attemptsMade + 1 >= (job.opts.attempts ?? 1), stopping.signal),
    { ...common, concurrency: options.judgeConcurrency ?? 2 },
  );
  const watchdog = new Worker(
    WATCHDOG_QUEUE,
    async () => {
      await watchRuns(deps);
      await resumeWithinBudget(deps);
    },
    { ...common, concurrency: 1 },
  );
  const all = [runs, updates, reviews, judge, remoteJudge, races, watchdog];
  for (const worker of all) {
    worker.on("failed", (job, error) => log.warn({ job: job?.id, err: error }, "job failed"));
    worker.on("error", (error) => log.error({ err: error }, "worker error"));
  }
  const reconcileNow = () =>
    reconcile(fleet, log).catch((error: unknown) => log.warn({ err: error }, "reconcile failed"));
  void reconcileNow();
  const timer = setInterval(reconcileNow, options.reconcileIntervalMs ?? 60_000);
  timer.unref();
  // One schedule for all workers: BullMQ runs each tick once, on whichever worker takes it.
  void fleet.queues.watchdog
    .upsertJobScheduler("watchdog", { every: options.watchdogIntervalMs ?? 60_000 }, { name: "watchdog" })
    .catch((error: unknown) => log.warn({ err: error }, "could not schedule the watchdog"));
  return {
    close: async () => {
      clearInterval(timer);
      stopping.abort();
      await Promise.all(all.map((worker) => worker.close()));
    },
  };
}

async function runReviewStep(deps: RunDeps, job: Job<ReviewJob>): Promise<void> {
  const step = job.data;
  try {
    if (step.kind === "start") await startReview(deps, step.taskId, step.sha, step.pr, step.again);
    else if (step.kind === "ci") await followCi(deps, step.taskId, step.sha);
    else if (step.kind === "pass-gate")
      await passGate(
        await deps.github(step.installationId),
        { owner: step.repo.owner, repo: step.repo.name, sha: step.sha },
        step.pr,
      );
    else await gateMergeGroup(deps, step);
  } catch (error) {
    if (!isTransient(error))
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    throw error;
  }
}

async function runUpdate(deps: RunDeps, job: Job<UpdateJob>): Promise<void> {
  const update = job.data;
  try {
    if (update.kind === "status") {
      const task = await deps.fleet.store.get(update.taskId);
      if (!task) return;
      await syncStatusComment(deps.fleet, await deps.github(task.installationId), task.id);
    } else if (update.kind === "cancel-run") {
      await cancelRun(deps, update.taskId);
    } else if (update.kind === "iterate") {
      const task = await deps.fleet.store.get(update.taskId);
      if (!task) return;
      const gh = await deps.github(task.installationId);
      const reply = iterateReply(await iteratePull(deps, gh, task.id), task);
      if (reply && update.reply)
        await postNotice(
          gh,
          { owner: task.repo.owner, repo: task.repo.name, ...update.reply },
          reply,
          String(job.id),
        );
    } else {
      const gh = await deps.github(update.installationId);
      await postNotice(gh, update, update.body, String(job.id));
    }
  } catch (error) {
    // Only passing failures are worth another try; a 404 or 422 would fail the same way again.
    if (!isTransient(error))
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    throw error;
  }
}
