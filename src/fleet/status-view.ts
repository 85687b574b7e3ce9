import type { StatusView } from "../publish/status-comment.js";
import { SLOT_STATES, type Task } from "./task.js";

/** What the status comment shows for a task record; the one place that maps states to what people see. */
export function statusView(task: Task): StatusView {
  const agent = task.agent;
  const durationMs = task.durationMs ?? 0;
  // A stop asked for shows until whoever runs the agent has stopped it.
  if (task.cancel && (SLOT_STATES as readonly string[]).includes(task.state))
    return { state: "stopping", agent, reason: task.cancel.reason };
  switch (task.state) {
    case "queued":
      return { state: "queued", agent, ...(task.position ? { position: task.position } : {}) };
    case "dispatched":
      if (task.run)
        return { state: "running", agent, backend: task.settings.backend, waiting: true, ...log(task) };
      return { state: "queued", agent, ...(task.position ? { position: task.position } : {}) };
    case "running":
      return { state: "running", agent, backend: task.settings.backend, ...log(task) };
    case "collecting":
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
        ...log(task),
      };
    case "cancelled": {
      const reason = task.cancel?.reason ?? task.error?.message;
      return { state: "cancelled", agent, ...(reason ? { reason } : {}), ...log(task) };
    }
    case "failed":
      if (task.error?.kind === "refused")
        return { state: "refused", agent, reason: task.error.message, paths: task.error.paths ?? [] };
      return {
        state: "failed",
        agent,
        reason: task.error?.message ?? "Unknown error.",
        ...tail(task),
        ...log(task),
      };
  }
}

function tail(task: Task): { outputTail?: string } {
  return task.outputTail ? { outputTail: task.outputTail } : {};
}

function log(task: Task): { logUrl?: string } {
  return task.run?.url ? { logUrl: task.run.url } : {};
}
