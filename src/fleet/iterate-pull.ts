import type { Logger } from "pino";
import type { GitHub } from "../github/octokit.js";
import { withRetries } from "../github/with-retries.js";
import type { Fleet } from "./fleet.js";
import { nextAttempt } from "./next-attempt.js";
import { dropFeedback, type PendingFeedback, pendingFeedback } from "./pending-feedback.js";
import { submitTask } from "./submit-task.js";
import { type IterationFeedback, isActive, type Task } from "./task.js";
import type { UpdateCondition } from "./task-store.js";

/** Person-asked iterations on one pull request per UTC day, for records made before the setting. */
const DEFAULT_DAILY_ITERATIONS = 10;
/** A day's count outlives the day, so a clock a little off at midnight still finds it. */
const DAY_COUNT_TTL_SECONDS = 2 * 24 * 3600;

export type IterateOutcome =
  /** An iteration is queued; it takes the waiting feedback when it starts. */
  | "started"
  /** A run is in progress: the feedback waits, and the iteration starts when the run ends. */
  | "waiting"
  /** Nothing is waiting. */
  | "nothing"
  /** The task has no pull request to iterate on. */
  | "no-pull"
  /** The pull request is closed or merged. */
  | "closed"
  /** The pull request had `commands.dailyIterations` iterations today; the feedback waits for tomorrow. */
  | "capped";

/**
 * Starts the next iteration of a task's pull request when feedback is waiting and nothing runs: asked by
 * the `iterate` update job, which a command queues and a run queues as it ends. Keyed by the attempt it
 * follows, so the command and the end of the run, racing, start one iteration between them.
 */
export async function iteratePull(
  deps: { fleet: Fleet; log: Logger },
  gh: GitHub,
  taskId: string,
): Promise<IterateOutcome> {
  const { fleet } = deps;
  const task = await fleet.store.get(taskId);
  const pending = await pendingFeedback(fleet, taskId);
  if (!task || pending.length === 0) return "nothing";
  const refuse = async (outcome: "closed"): Promise<IterateOutcome> => {
    // Said so in the reply: kept, it would start an iteration nobody asked for any more.
    await dropFeedback(
      fleet,
      taskId,
      pending.map((p) => p.id),
    );
    return outcome;
  };
  if (isActive(task.state)) return "waiting";
  if (!task.pr) return "no-pull";
  const day = new Date().toISOString().slice(0, 10);
  const countKey = fleet.keys.iterationsOn(taskId, day);
  const cap = task.settings.commands?.dailyIterations ?? DEFAULT_DAILY_ITERATIONS;
  if (Number((await fleet.redis.get(countKey)) ?? 0) >= cap) return "capped";
  const { data: pull } = await withRetries(() =>
    gh.rest.pulls.get({ owner: task.repo.owner, repo: task.repo.name, pull_number: task.pr?.number ?? 0 }),
  );
  if (pull.state !== "open") return refuse("closed");

  // The last person to give feedback asked for it; the last `/agent use` waiting decides who works on it.
  const last = pending.at(-1) ?? pending[0];
  const result = await submitTask(
    fleet,
    nextAttempt(task, {
      sender: last?.author ?? task.sender,
      ...switchedAgent(task, pending),
      iteration: { headSha: pull.head.sha, feedback: [], automatic: false },
    }),
    await fleet.scheduler.limitOf(task.repo.id),
    // One iteration after each attempt: the command's job and the end of the run, racing, start one.
    `iterate-${taskId}-after-a${task.attempt}`,
  );
  deps.log.info({ task: taskId, sha: pull.head.sha, feedback: pending.length, ...result }, "iteration asked");
  if (result.status !== "queued") return "waiting";
  await fleet.redis.multi().incr(countKey).expire(countKey, DAY_COUNT_TTL_SECONDS).exec();
  return "started";
}

/** The agent the last `/agent use` among `feedback` names, with its judge, as task fields; none without one. */
function switchedAgent(task: Task, feedback: PendingFeedback[]): Pick<Partial<Task>, "agent" | "settings"> {
  const to = feedback.findLast((p) => p.agent)?.agent;
  if (!to) return {};
  const { judge, ...settings } = task.settings;
  const switchedJudge = "judge" in to ? to.judge : judge;
  return {
    agent: to.name,
    settings: { ...settings, agent: to.settings, ...(switchedJudge ? { judge: switchedJudge } : {}) },
  };
}

/**
 * Asks for the next iteration once a run ends, if feedback arrived during it (or is still waiting after a
 * day's cap): one job per attempt, however the attempt ended.
 */
export async function iterateWhenIdle(fleet: Fleet, task: Task): Promise<void> {
  if (!task.pr || (await fleet.redis.llen(fleet.keys.feedback(task.id))) === 0) return;
  await queueIteration(fleet, task.id, task.pr.number, `a${task.attempt}`);
}

/**
 * Queues the `iterate` job for a task, once per `key` (the attempt that ended, the command's delivery);
 * why nothing started, if nothing does, is answered on `pull`.
 */
export async function queueIteration(fleet: Fleet, taskId: string, pull: number, key: string): Promise<void> {
  await fleet.queues.updates.add(
    "iterate",
    { kind: "iterate", taskId, reply: { issue: pull } },
    { jobId: `iterate-${taskId}-${key}` },
  );
}

/** What the person who asked is told when no iteration could start; nothing when one did or will. */
export function iterateReply(outcome: IterateOutcome, task: Task): string | undefined {
  switch (outcome) {
    case "capped":
      return `This pull request has had its ${task.settings.commands?.dailyIterations ?? DEFAULT_DAILY_ITERATIONS} iterations for today (UTC), the limit set by \`commands.dailyIterations\`. Your feedback is kept: the agent gets it with the next iteration asked for after midnight UTC.`;
    case "closed":
      return "This pull request is closed, so no agent was started and the feedback was not kept. Reopen it and ask again, or start over on the issue with `/agent run <agent>`.";
    case "no-pull":
      return "The agent has no pull request open for this yet, so there is nothing to iterate on.";
    default:
      return undefined;
  }
}

/**
 * The feedback waiting when an iteration starts becomes its feedback (with an `/agent use` among it, that
 * agent runs it), and leaves the waiting list: what arrives from now on is the next iteration's. The record
 * is written before the list is trimmed, so a crash in between loses nothing and a retried job takes
 * nothing twice.
 */
export async function takeFeedback(fleet: Fleet, task: Task, when: UpdateCondition): Promise<Task> {
  const iteration = task.iteration;
  if (!iteration) return task;
  const taken = new Set(feedbackIds(iteration.feedback));
  const fresh = (await pendingFeedback(fleet, task.id)).filter((p) => !taken.has(p.id));
  let now = task;
  if (fresh.length > 0) {
    const feedback = [...iteration.feedback, ...fresh.map(({ id, text, author }) => ({ id, text, author }))];
    const updated = await fleet.store.updateIf(task.id, when, {
      iteration: { ...iteration, feedback },
      ...switchedAgent(task, fresh),
    });
    if (!updated) return task;
    now = updated;
  }
  await dropFeedback(fleet, task.id, feedbackIds(now.iteration?.feedback ?? []));
  return now;
}

/** The ids of people's feedback among an iteration's (the fix loop's has none). */
export function feedbackIds(feedback: IterationFeedback[]): string[] {
  return feedback.flatMap((f) => (f.id ? [f.id] : []));
}
