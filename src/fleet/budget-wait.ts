import type { GitHub } from "../github/octokit.js";
import { finish } from "./finish-task.js";
import { nextAttempt } from "./next-attempt.js";
import { overBudget } from "./repo-budget.js";
import type { RunDeps } from "./run-task.js";
import { submitTask } from "./submit-task.js";
import { SLOT_STATES, type Task } from "./task.js";

/**
 * A run that would start past its repository's monthly budget waits instead: it gives its slot back, says
 * why on the issue, and joins the repository's budget line, from which the watchdog starts it again.
 */
export async function waitForBudget(deps: RunDeps, gh: GitHub, task: Task, reason: string): Promise<void> {
  const { fleet } = deps;
  deps.log.info({ task: task.id, reason }, "over budget; waiting");
  const done = await finish(
    deps,
    gh,
    task,
    "waiting-budget",
    { waitingFor: reason },
    { states: SLOT_STATES, attempt: task.attempt },
  );
  if (done.state === "waiting-budget" && done.attempt === task.attempt)
    await fleet.redis.zadd(fleet.keys.budgetWaiting(task.repo.id), Date.now(), task.id);
}

/**
 * The watchdog's round over the budget lines: a task waiting for its repository's budget is asked for again,
 * oldest first, once the budget allows (a new month), as the same request (an iteration stays one). Its run
 * checks the budget again before it starts, so a line longer than the budget waits again.
 */
export async function resumeWithinBudget(deps: RunDeps): Promise<void> {
  const { fleet } = deps;
  for (const repoId of await fleet.scheduler.repositories()) {
    const line = fleet.keys.budgetWaiting(repoId);
    for (const taskId of await fleet.redis.zrange(line, 0, -1)) {
      const task = await fleet.store.get(taskId);
      // Asked for again meanwhile (its label added back), stopped, or gone: no longer waiting here.
      if (task?.state !== "waiting-budget") {
        await fleet.redis.zrem(line, taskId);
        continue;
      }
      if (await overBudget(fleet, task)) continue;
      const result = await submitTask(
        fleet,
        nextAttempt(task, task.iteration ? { iteration: task.iteration } : {}),
        await fleet.scheduler.limitOf(repoId),
        `budget-${task.id}-a${task.attempt}`,
      );
      deps.log.info({ task: task.id, ...result }, "within budget again; asked for again");
      await fleet.redis.zrem(line, taskId);
    }
  }
}
