import type { Context } from "probot";
import type { Fleet } from "../../fleet/fleet.js";
import { taskIdFor } from "../../fleet/task.js";
import { loadRepoConfig } from "../config/load-config.js";
import { laneOf } from "../config/priority-lane.js";
import type { SenderPermissions } from "../validation/sender-permission.js";

export interface ReprioritizeDeps {
  fleet: Fleet;
  permissions: SenderPermissions;
}

/**
 * `issues.labeled` / `issues.unlabeled` with one of the config's priority labels: the issue's tasks still
 * waiting move to the lane its labels say now. By people who may start agents, as for any other steering.
 */
export function reprioritizeTask(deps: ReprioritizeDeps) {
  return async (context: Context<"issues.labeled" | "issues.unlabeled">): Promise<void> => {
    const { payload } = context;
    if (payload.sender.type === "Bot") return;
    const changed = (payload as { label?: { name: string } }).label?.name;
    if (!changed) return;
    const loaded = await loadRepoConfig(context as unknown as Context<"issues">);
    if (!loaded.ok) return;
    const { priority, agents } = loaded.config;
    if (![...priority.high, ...priority.low].includes(changed)) return;
    const log = context.log.child({ delivery: context.id, repo: payload.repository.full_name });
    const decision = await deps.permissions.check(context.octokit, context.repo(), payload.sender);
    if (!decision.allowed)
      return log.info(
        { sender: payload.sender.login, ...decision },
        "sender may not reorder agents; ignored",
      );
    const lane = laneOf(payload.issue.labels ?? [], priority);
    for (const agent of Object.keys(agents)) {
      const taskId = taskIdFor(payload.repository.id, payload.issue.number, agent);
      const position = await deps.fleet.scheduler.reprioritize(payload.repository.id, taskId, lane);
      if (position === undefined) continue;
      log.info({ task: taskId, lane, position }, "task moved in line");
      await deps.fleet.queues.updates.add("status", { kind: "status", taskId });
    }
  };
}
