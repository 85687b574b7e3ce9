import type { IterationView, LimitView, ReviewView, StatusView } from "../publish/status-comment.js";
import { limitView } from "./limit-view.js";
import { SLOT_STATES, type Task } from "./task.js";

/** What the status comment shows for a task record; the one place that maps states to what people see. */
export function statusView(task: Task): StatusView {
  const agent = task.agent;
  const durationMs = task.durationMs ?? 0;
  // A stop asked for shows until whoever runs the agent has stopped it.
  if (task.cancel && (SLOT_STATES as readonly string[]).includes(task.state))
    return { state: "stopping", agent, reason: task.cancel.reason };
  const kept = keptOnBranch(task);
  if (kept) return kept;
  switch (task.state) {
    case "queued":
      return { state: "queued", agent, ...position(task), ...iteration(task) };
    case "dispatched":
      if (task.run)
        return {
          state: "running",
          agent,
          backend: task.settings.backend,
          waiting: true,
          ...log(task),
          ...iteration(task),
        };
      return { state: "queued", agent, ...position(task), ...iteration(task) };
    case "running":
      return { state: "running", agent, backend: task.settings.backend, ...log(task), ...iteration(task) };
    case "collecting":
    case "publishing":
      return { state: "publishing", agent, ...(task.partial ? { partial: true } : {}) };
    case "checking":
    case "judging":
    case "ready":
    case "changes-requested":
      if (task.pr)
        return { state: "pr-opened", agent, pr: task.pr, durationMs, ...partial(task), ...review(task) };
      return { state: "publishing", agent };
    case "candidate":
      return { state: "candidate", agent, durationMs, branch: task.branch };
    case "no-changes":
      return { state: "no-changes", agent, durationMs, ...tail(task) };
    case "waiting-budget":
      return { state: "waiting-budget", agent, reason: task.waitingFor ?? "the monthly budget is spent" };
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

/**
 * An attempt that ended at its limit with its partial work committed on the branch and no pull request. One
 * whose commit failed (an internal error) shows as failed instead.
 */
function keptOnBranch(task: Task): StatusView | undefined {
  if (task.state !== "timed-out" && task.state !== "failed") return undefined;
  if (!task.partial || !task.commitSha || task.error?.kind !== "agent") return undefined;
  return {
    state: "partial",
    agent: task.agent,
    limit: limitView(task.partial.limit, task.settings.agent),
    branch: task.branch,
    ...(task.partial.branchUrl ? { branchUrl: task.partial.branchUrl } : {}),
    ...tail(task),
    ...log(task),
  };
}

/** A pull request opened as a draft for partial work (`limits.partialWork: draft-pr`). */
function partial(task: Task): { partial?: LimitView } {
  return task.partial ? { partial: limitView(task.partial.limit, task.settings.agent) } : {};
}

function position(task: Task): { position?: number } {
  return task.position ? { position: task.position } : {};
}

function iteration(task: Task): { iteration?: IterationView } {
  if (!task.iteration || !task.pr) return {};
  const judge = task.settings.judge;
  return {
    iteration: {
      pr: task.pr,
      ...(task.iteration.automatic && judge
        ? { round: task.autoRounds ?? 1, maxRounds: judge.maxRounds }
        : {}),
    },
  };
}

/** The judge on the pull request's latest head, once Flotilla has started on it. */
function review(task: Task): { review?: ReviewView } {
  const judge = task.settings.judge;
  const r = task.review;
  if (!judge || !r) return {};
  const stage =
    r.stage !== "done" ? r.stage : r.gate === "success" ? ("passed" as const) : ("failed" as const);
  return {
    review: {
      stage,
      judge: judge.name,
      ...(r.gateTitle ? { reason: r.gateTitle } : {}),
      rounds: task.autoRounds ?? 0,
      maxRounds: judge.maxRounds,
    },
  };
}

function tail(task: Task): { outputTail?: string } {
  return task.outputTail ? { outputTail: task.outputTail } : {};
}

function log(task: Task): { logUrl?: string } {
  return task.run?.url ? { logUrl: task.run.url } : {};
}
