import type { Logger } from "pino";
import type { Fleet } from "./fleet.js";
import { runJobId } from "./queues.js";
import { dispatch } from "./submit-task.js";
import { isActive } from "./task.js";

/**
 * Repairs what a crash between two Redis writes can leave behind, so nothing is lost and no slot leaks:
 * a task holding a slot without a run job gets one; a task whose run job BullMQ failed for good (its workers
 * kept dying) is ended as failed; a task that ended but still holds a slot frees it; a repository with free
 * slots admits its next tasks. Every repair is idempotent, so any number of workers
 * may run this at once.
 */
export async function reconcile(fleet: Fleet, log: Logger): Promise<void> {
  for (const repoId of await fleet.scheduler.repositories()) {
    for (const taskId of await fleet.scheduler.holding(repoId)) {
      const task = await fleet.store.get(taskId);
      if (!task || !isActive(task.state)) {
        await dispatch(fleet, await fleet.scheduler.release(repoId, taskId));
        continue;
      }
      // A workflow run in flight is the watchdog's to follow: its run job finished when it dispatched.
      if (task.run) continue;
      const job = await fleet.queues.runs.getJob(runJobId(task.id, task.attempt));
      if (!job) {
        log.warn({ task: task.id }, "task held a slot without a run job; dispatching it again");
        await dispatch(fleet, [task.id]);
      } else if (await job.isFailed()) {
        // BullMQ gave up without our code ending the task: its workers kept dying (maxStalledCount).
        log.error({ task: task.id, reason: job.failedReason }, "run job failed for good; ending the task");
        await fleet.store.update(task.id, {
          state: "failed",
          finishedAt: new Date().toISOString(),
          error: {
            kind: "internal",
            message: `Flotilla could not finish this task: ${job.failedReason || "its worker stopped"}`,
          },
        });
        await fleet.queues.updates.add("status", { kind: "status", taskId: task.id });
        await dispatch(fleet, await fleet.scheduler.release(repoId, task.id));
      }
    }
    await dispatch(fleet, await fleet.scheduler.release(repoId));
  }
}
