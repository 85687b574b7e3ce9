import type { StatusView } from "../publish/status-comment.js";
import type { Task } from "./task.js";

/** What the status comment shows for a task record; the one place that maps states to what people see. */
export function statusView(task: Task): StatusView {
  const agent = task.agent;
  const durationMs = task.durationMs ?? 0;
  switch (task.state) {
    case "queued":
    case "dispatched":
      return { state: "queued", agent, ...(task.position ? { position: task.position } : {}) };
    case "running":
      return { state: "running", agent, backend: task.settings.backend };
    case "publishing":
      return { state: "publishing", agent };
    case "checking":
    case "judging":
    case "ready":
    case "changes-requested":
      if (task.pr) return { state: "pr-opened", agent, pr: task.pr, durationMs };
      return { state: "publishing", agent };
    case "no-changes":
      return { state: "no-changes", agent, durationMs, ...tail(task) };
    case "timed-out":
      return {
        state: "failed",
        agent,
        reason: task.error?.message ?? "The agent ran out of time.",
        ...tail(task),
      };
    case "cancelled":
      return { state: "cancelled", agent, ...(task.error ? { reason: task.error.message } : {}) };
    case "failed":
      if (task.error?.kind === "refused")
        return { state: "refused", agent, reason: task.error.message, paths: task.error.paths ?? [] };
      return { state: "failed", agent, reason: task.error?.message ?? "Unknown error.", ...tail(task) };
  }
}

function tail(task: Task): { outputTail?: string } {
  return task.outputTail ? { outputTail: task.outputTail } : {};
}
