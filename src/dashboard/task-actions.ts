import { stopAgent } from "../fleet/cancel-task.js";
import type { Fleet } from "../fleet/fleet.js";
import { mayRetry, retryTask } from "../fleet/retry-task.js";
import type { Task } from "../fleet/task.js";

/** What the person is told after pressing Stop or Retry; one of a fixed set, so a URL cannot inject text. */
export const NOTICES = {
  "stop-requested": "Stop requested: the agent is being stopped.",
  stopped: "Stopped before it started.",
  "nothing-to-stop": "Nothing to stop: it had already ended.",
  retried: "Retry queued.",
  "nothing-to-retry": "Nothing to retry: only a failed, timed-out or cancelled attempt can be retried.",
  "already-active": "Nothing to retry: an attempt is already under way.",
} as const;
export type Notice = keyof typeof NOTICES;

/** The dashboard's Stop: the same as `/agent stop`, with the person's name in the reason people read. */
export async function stopFromDashboard(fleet: Fleet, task: Task, login: string): Promise<Notice> {
  const { result } = await stopAgent(
    fleet,
    task.id,
    task.repo.id,
    `@${login} stopped it from the fleet dashboard`,
  );
  if (result === "requested") return "stop-requested";
  return result === "cancelled" ? "stopped" : "nothing-to-stop";
}

/**
 * The dashboard's Retry: the same as `/agent retry`. Keyed by the attempt it retries, so a form sent twice
 * (a double click, a reload) retries once.
 */
export async function retryFromDashboard(fleet: Fleet, task: Task, login: string): Promise<Notice> {
  if (!mayRetry(task)) return "nothing-to-retry";
  // The repository's slot count as its config last said; the next webhook brings any change.
  const perRepo = Number((await fleet.redis.get(fleet.keys.limit(task.repo.id))) ?? 1);
  const outcome = await retryTask(fleet, task, {
    by: login,
    at: new Date().toISOString(),
    key: `dashboard-${task.id}-a${task.attempt}`,
    perRepo,
  });
  if (outcome.kind === "empty-iteration") return "nothing-to-retry";
  if (outcome.kind === "attempt" && outcome.result.status !== "queued") return "already-active";
  return "retried";
}
