import type { Fleet } from "./fleet.js";
import { queueIteration } from "./iterate-pull.js";
import { nextAttempt } from "./next-attempt.js";
import { addFeedback } from "./pending-feedback.js";
import type { EnqueueResult } from "./scheduler.js";
import { submitTask } from "./submit-task.js";
import type { Task } from "./task.js";

/** The states a retry starts again from: the attempt did not get to a result. */
export const RETRYABLE_STATES = ["failed", "cancelled", "timed-out"] as const;

export function mayRetry(task: Task): boolean {
  return (RETRYABLE_STATES as readonly string[]).includes(task.state);
}

export type RetryOutcome =
  /** An iteration's feedback went back in line; the iteration starts from the pull request's head. */
  | { kind: "iteration" }
  /** The iteration was stopped before it took any feedback, so there is nothing to do again. */
  | { kind: "empty-iteration" }
  /** A new attempt from the default branch, or the answer that one is already active. */
  | { kind: "attempt"; result: EnqueueResult };

/**
 * A failed or cancelled attempt, again (`/agent retry`, the dashboard's Retry): an iteration gets its feedback
 * back and runs on the pull request as it is now; any other attempt starts over. `key` makes a repeated
 * request (a redelivered comment, a resubmitted form) land once.
 */
export async function retryTask(
  fleet: Fleet,
  last: Task,
  request: { by: string; at: string; key: string; perRepo: number },
): Promise<RetryOutcome> {
  if (last.iteration && last.pr) {
    if (last.iteration.feedback.length === 0) return { kind: "empty-iteration" };
    for (const [i, item] of last.iteration.feedback.entries())
      await addFeedback(fleet, last.id, {
        id: `retry-${request.key}-${i}`,
        author: item.author ?? request.by,
        at: request.at,
        text: item.text,
      });
    await queueIteration(fleet, last.id, last.pr.number, request.key);
    return { kind: "iteration" };
  }
  const result = await submitTask(
    fleet,
    nextAttempt(last, { sender: request.by }),
    request.perRepo,
    request.key,
  );
  return { kind: "attempt", result };
}
