import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Task } from "./task.js";

/**
 * The two BullMQ queues. Jobs carry ids only: never tokens, never issue text; a worker reads the task record
 * and authenticates from its installation id.
 */
export const RUN_QUEUE = "flotilla-runs";
export const UPDATE_QUEUE = "flotilla-updates";
/** The watchdog's repeatable job, in a queue of its own so that it never looks like pending work. */
export const WATCHDOG_QUEUE = "flotilla-watchdog";

/** Run one attempt of a task: workspace, agent, publishing (or, on the actions backend, dispatch it). */
export interface RunJob {
  taskId: string;
  attempt: number;
}

/** Collect a completed workflow run's result and publish it (the actions backend); job name `collect`. */
export interface CollectJob {
  taskId: string;
  attempt: number;
  dispatch: number;
}

/** Small GitHub writes that a handler must not wait for. */
export type UpdateJob =
  /** Bring the task's status comment up to date with its record. */
  | { kind: "status"; taskId: string }
  /** Cancel the task's workflow run, which a person asked to stop. */
  | { kind: "cancel-run"; taskId: string }
  /** A one-off comment explaining why nothing was started (bad config, unknown agent). */
  | {
      kind: "notice";
      installationId: number;
      owner: string;
      repo: string;
      issue: number;
      body: string;
    };

export interface Queues {
  runs: Queue<RunJob | CollectJob>;
  updates: Queue<UpdateJob>;
  watchdog: Queue;
  close(): Promise<void>;
}

// Finished jobs are kept a day (then trimmed), so a job id re-added by a retry or a redelivery is recognised
// instead of run again; the task record, not the job, is the lasting history.
const KEEP = { age: 24 * 3600, count: 10_000 };

/**
 * @param onError where connection errors go (Redis restarting, unreachable); commands that fail also reject,
 * so this is for the log. Without a listener an EventEmitter's "error" would be thrown.
 */
export function openQueues(
  connection: Redis,
  prefix: string,
  onError: (error: Error) => void = () => {},
): Queues {
  const common = { connection, prefix, skipWaitingForReady: true } as const;
  const runs = new Queue<RunJob | CollectJob>(RUN_QUEUE, {
    ...common,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: "exponential", delay: 5_000 },
      removeOnComplete: KEEP,
      removeOnFail: KEEP,
    },
  });
  const updates = new Queue<UpdateJob>(UPDATE_QUEUE, {
    ...common,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: "exponential", delay: 2_000 },
      removeOnComplete: KEEP,
      removeOnFail: KEEP,
    },
  });
  const watchdog = new Queue(WATCHDOG_QUEUE, {
    ...common,
    defaultJobOptions: { attempts: 1, removeOnComplete: 10, removeOnFail: 10 },
  });
  for (const queue of [runs, updates, watchdog]) queue.on("error", onError);
  return {
    runs,
    updates,
    watchdog,
    close: async () => {
      await Promise.all([runs.close(), updates.close(), watchdog.close()]);
    },
  };
}

/** The collect job for a task's current attempt and dispatch. */
export function collectJobFor(task: Pick<Task, "id" | "attempt" | "run">): CollectJob {
  return { taskId: task.id, attempt: task.attempt, dispatch: task.run?.dispatch ?? 1 };
}

/** The collect job's id: one per dispatch, so the webhook and the watchdog both asking collect once. */
export function collectJobId(job: CollectJob): string {
  return `collect-${job.taskId}-a${job.attempt}-d${job.dispatch}`;
}

/** The run job's id: one per task attempt, so adding it again (a retry, the reconciler) is a no-op. */
export function runJobId(taskId: string, attempt: number): string {
  return `run-${taskId}-a${attempt}`;
}
