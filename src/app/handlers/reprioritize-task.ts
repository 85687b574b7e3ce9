import type { Context } from "probot";
import type { Fleet } from "../../fleet/fleet.js";
import { taskIdFor } from "../../fleet/task.js";
import { laneOf } from "../config/priority-lane.js";
import type { RepoConfig } from "../config/schema.js";
import type { SenderPermissions } from "../validation/sender-permission.js";

export interface ReprioritizeDeps {
  fleet: Fleet;
  permissions: SenderPermissions;
}

/** Whether a label added or removed is one of the config's priority labels. */
export function isPriorityLabel(label: string | undefined, config: RepoConfig): boolean {
  return label !== undefined && [...config.priority.high, ...config.priority.low].includes(label);
}

/**
 * A priority label was added or removed (from `startTask` and `stopTask`, which have read the config): the
 * issue's tasks still waiting move to the lane its labels say now. By people who may start agents, as for
 * any other steering.
 */
export async function reprioritizeIssue(
  deps: ReprioritizeDeps,
  context: Context<"issues.labeled" | "issues.unlabeled">,
  config: RepoConfig,
): Promise<void> {
  const { payload } = context;
  const log = context.log.child({ delivery: context.id, repo: payload.repository.full_name });
  const decision = await deps.permissions.check(context.octokit, context.repo(), payload.sender);
  if (!decision.allowed)
    return log.info({ sender: payload.sender.login, ...decision }, "sender may not reorder agents; ignored");
  const lane = laneOf(payload.issue.labels ?? [], config.priority);
  for (const agent of Object.keys(config.agents)) {
    const taskId = taskIdFor(payload.repository.id, payload.issue.number, agent);
    const position = await deps.fleet.scheduler.reprioritize(payload.repository.id, taskId, lane);
    if (position === undefined) continue;
    log.info({ task: taskId, lane, position }, "task moved in line");
    await deps.fleet.queues.updates.add("status", { kind: "status", taskId });
  }
}
