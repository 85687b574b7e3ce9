import type { Fleet } from "./fleet.js";
import { runJobId } from "./queues.js";
import type { EnqueueResult, Lane, TaskDraft } from "./scheduler.js";

/**
 * Puts a task in line: records it, takes a repository slot if one is free, hands every newly admitted task to
 * the run queue and asks for its status comment. Resolves only once all of that is in Redis, so the webhook
 * is acknowledged after the work is safe, and rejects (a 5xx for GitHub to redeliver) when Redis is away.
 */
export async function submitTask(
  fleet: Fleet,
  draft: TaskDraft,
  perRepo: number,
  deliveryId?: string,
  lane: Lane = "normal",
): Promise<EnqueueResult> {
  const result = await fleet.scheduler.enqueue(draft, perRepo, deliveryId, lane);
  if (result.status !== "queued") return result;
  await dispatch(fleet, result.admitted);
  await fleet.queues.updates.add(
    "status",
    { kind: "status", taskId: draft.id },
    { jobId: `status-${draft.id}-a${result.attempt}` },
  );
  return result;
}

/** Hands admitted tasks to the run queue. Idempotent: the job id is the task attempt. */
export async function dispatch(fleet: Fleet, taskIds: string[]): Promise<void> {
  const jobs = [];
  for (const taskId of taskIds) {
    const task = await fleet.store.get(taskId);
    if (!task) continue;
    const attempt = task.attempt;
    jobs.push({ name: "run", data: { taskId, attempt }, opts: { jobId: runJobId(taskId, attempt) } });
  }
  if (jobs.length > 0) await fleet.queues.runs.addBulk(jobs);
}
