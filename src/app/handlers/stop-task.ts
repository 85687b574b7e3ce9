import type { Context } from "probot";
import { stopAgent } from "../../fleet/cancel-task.js";
import type { Fleet } from "../../fleet/fleet.js";
import { cancelRace, openRace } from "../../fleet/race/cancel-race.js";
import { taskIdFor } from "../../fleet/task.js";
import { loadRepoConfig } from "../config/load-config.js";
import type { SenderPermissions } from "../validation/sender-permission.js";
import { isPriorityLabel, reprioritizeIssue } from "./reprioritize-task.js";

export interface StopTaskDeps {
  fleet: Fleet;
  permissions: SenderPermissions;
}

/**
 * `issues.unlabeled` (an agent's label removed) and `issues.closed`: stop that agent's task, or every agent
 * labelled on the closed issue and its race (a priority label removed moves its waiting tasks: reprioritize-task.ts). The same people who may start agents may stop them; a queued task ends at
 * once, a running one is stopped by whoever runs it (a workflow run is cancelled through the API).
 */
export function stopTask(deps: StopTaskDeps) {
  return async (context: Context<"issues.unlabeled" | "issues.closed">): Promise<void> => {
    const { payload } = context;
    const log = context.log.child({ delivery: context.id, repo: payload.repository.full_name });
    if (payload.sender.type === "Bot") return;
    const removed =
      payload.action === "unlabeled" ? (payload as { label?: { name: string } }).label?.name : undefined;
    const labels =
      payload.action === "unlabeled" ? [removed ?? ""] : (payload.issue.labels ?? []).map((l) => l.name);
    const loaded = await loadRepoConfig(context as unknown as Context<"issues">);
    // A priority label removed moves the issue's waiting tasks instead.
    if (payload.action === "unlabeled" && loaded.ok && isPriorityLabel(removed, loaded.config))
      return reprioritizeIssue(deps, context as Context<"issues.unlabeled">, loaded.config);
    const prefix = loaded.ok ? loaded.config.labelPrefix : loaded.labelPrefix;
    const labelled = labels.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
    // A closed issue stops its race too, with candidates whose labels it may not have (`/agent race`).
    const race =
      payload.action === "closed"
        ? await openRace(deps.fleet, payload.repository.id, payload.issue.number)
        : undefined;
    const agents = [...new Set([...labelled, ...(race?.agents ?? [])])];
    if (agents.length === 0) return;

    const decision = await deps.permissions.check(context.octokit, context.repo(), payload.sender);
    if (!decision.allowed)
      return log.info({ sender: payload.sender.login, ...decision }, "sender may not stop agents; ignored");
    const by = payload.sender.login;
    const reason = payload.action === "unlabeled" ? `@${by} removed the label` : `@${by} closed the issue`;
    if (race) await cancelRace(deps.fleet, payload.repository.id, payload.issue.number, reason);
    for (const agent of agents) {
      const taskId = taskIdFor(payload.repository.id, payload.issue.number, agent);
      const stopped = await stopAgent(deps.fleet, taskId, payload.repository.id, reason);
      log.info({ task: taskId, ...stopped }, "stop requested");
    }
  };
}
