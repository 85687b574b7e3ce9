import type { TaskDraft } from "./scheduler.js";
import type { Task } from "./task.js";

/**
 * A further attempt of a task as it was asked for (same issue, branch, settings and request), with
 * `patch` on top: an iteration, another agent, a retry. The automatic round count carries over, so a
 * person's iteration in between does not reset the fix loop's bound.
 */
export function nextAttempt(task: Task, patch: Partial<TaskDraft> = {}): TaskDraft {
  return {
    id: task.id,
    repo: task.repo,
    installationId: task.installationId,
    issue: task.issue,
    agent: task.agent,
    sender: task.sender,
    settings: task.settings,
    ...(task.trigger ? { trigger: task.trigger } : {}),
    branch: task.branch,
    ...(task.autoRounds !== undefined ? { autoRounds: task.autoRounds } : {}),
    ...patch,
  };
}
