import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Task } from "./task.js";

/**
 * The BullMQ queues. Jobs carry ids only: never tokens, never issue text; a worker reads the task record
 * and authenticates from its installation id.
 */
export const RUN_QUEUE = "flotilla-runs";
export const UPDATE_QUEUE = "flotilla-updates";
/** The judge's short steps: check runs, CI follow-up, the gate, merge groups. */
export const REVIEW_QUEUE = "flotilla-reviews";
/** Judge agent runs, apart from the short steps so that those never wait behind an agent. */
export const JUDGE_QUEUE = "flotilla-judge";
/**
 * The same jobs for tasks whose judge runs on a CI runner (`backend: actions`): the worker only waits for
 * the run there, so many wait at once without taking the slots of judges that run on the worker host.
 */
export const REMOTE_JUDGE_QUEUE = "flotilla-judge-remote";
/** Races' steps: ranking (which runs the judge on each candidate), picking, pruning the losers' branches. */
export const RACE_QUEUE = "flotilla-races";
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
  /**
   * Start the next iteration of the task's pull request with the feedback waiting, if nothing runs; with
   * `reply`, a command asked, and why nothing started is said on that pull request.
   */
  | { kind: "iterate"; taskId: string; reply?: { issue: number } }
  /** A one-off comment explaining why nothing was started (bad config, unknown agent). */
  | {
      kind: "notice";
      installationId: number;
      owner: string;
      repo: string;
      issue: number;
      body: string;
    };

/** A step of the judge's work on one head of a task's pull request. */
export type ReviewJob =
  /** A new head: put up the check runs and wait for CI (`again`: judge a head that was judged once more). */
  | { kind: "start"; taskId: string; sha: string; pr: number; again?: boolean }
  /** CI reported something on the head (or its wait ran out): judge once it is done, or bring the gate up to date. */
  | { kind: "ci"; taskId: string; sha: string }
  /** A head of a pull request no agent made: the gate passes at once, so requiring it holds up no one else. */
  | {
      kind: "pass-gate";
      installationId: number;
      repo: { owner: string; name: string };
      sha: string;
      pr: number;
    }
  /** A merge group in the merge queue: the gate on its head for the pull request in it. */
  | {
      kind: "merge-group";
      installationId: number;
      repo: { id: number; owner: string; name: string };
      headSha: string;
      headRef: string;
    };

/** Run the judge agent on a task's pull request head. */
export interface JudgeJob {
  taskId: string;
  sha: string;
  /** Which review of the head (its judge check run): a head judged again is a new review. */
  judgeCheckId: number;
}

/** A step of a race on an issue (docs/races.md). */
export type RaceJob =
  /** A candidate settled (or, `deadline`, the time limit passed): rank once all have. */
  | { kind: "settle"; raceId: string; deadline?: boolean }
  /** CI and the judge on each candidate, then the winner's pull request or the ranking for a person. */
  | { kind: "rank"; raceId: string }
  /** `/agent pick <agent>`: that candidate's pull request. */
  | { kind: "pick"; raceId: string; taskId: string; by: string }
  /** A losing candidate's branch, deleted once kept long enough, if its head is still the candidate's commit. */
  | { kind: "prune"; raceId: string; taskId: string; branch: string; sha: string }
  /** Bring the race's comment on the issue up to date. */
  | { kind: "status"; raceId: string };

export interface Queues {
  runs: Queue<RunJob | CollectJob>;
  updates: Queue<UpdateJob>;
  reviews: Queue<ReviewJob>;
  judge: Queue<JudgeJob>;
  remoteJudge: Queue<JudgeJob>;
  races: Queue<RaceJob>;
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
  // A job's tries, and the first wait before the next (doubling each time).
  const queue = <T>(name: string, attempts: number, delay: number) =>
    new Queue<T>(name, {
      ...common,
      defaultJobOptions: {
        attempts,
        backoff: { type: "exponential", delay },
        removeOnComplete: KEEP,
        removeOnFail: KEEP,
      },
    });
  const runs = queue<RunJob | CollectJob>(RUN_QUEUE, 5, 5_000);
  const updates = queue<UpdateJob>(UPDATE_QUEUE, 8, 2_000);
  const reviews = queue<ReviewJob>(REVIEW_QUEUE, 8, 2_000);
  // Five tries: a worker shut down mid-run, or one that died, also uses one up.
  const judge = queue<JudgeJob>(JUDGE_QUEUE, 5, 10_000);
  const remoteJudge = queue<JudgeJob>(REMOTE_JUDGE_QUEUE, 5, 10_000);
  const races = queue<RaceJob>(RACE_QUEUE, 5, 5_000);
  const watchdog = new Queue(WATCHDOG_QUEUE, {
    ...common,
    defaultJobOptions: { attempts: 1, removeOnComplete: 10, removeOnFail: 10 },
  });
  const all = [runs, updates, reviews, judge, remoteJudge, races, watchdog];
  for (const queue of all) queue.on("error", onError);
  return {
    runs,
    updates,
    reviews,
    judge,
    remoteJudge,
    races,
    watchdog,
    close: async () => {
      await Promise.all(all.map((queue) => queue.close()));
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

/** One start per head and task: a webhook redelivered and Flotilla's own trigger start it once. */
export function reviewStartJobId(taskId: string, sha: string): string {
  return `review-${taskId}-${sha}`;
}

/** One judge run per review of a head (a head judged again has new check runs, so a new id). */
export function judgeJobId(taskId: string, sha: string, judgeCheckId: number): string {
  return `judge-${taskId}-${sha}-c${judgeCheckId}`;
}

/** The run job's id: one per task attempt, so adding it again (a retry, the reconciler) is a no-op. */
export function runJobId(taskId: string, attempt: number): string {
  return `run-${taskId}-a${attempt}`;
}
