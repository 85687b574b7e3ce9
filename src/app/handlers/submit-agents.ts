import type { Logger } from "pino";
import type { Fleet } from "../../fleet/fleet.js";
import { type NoticeTarget, queueNotice } from "../../fleet/post-notice.js";
import { submitTask } from "../../fleet/submit-task.js";
import { branchFor, taskIdFor } from "../../fleet/task.js";
import { laneOf } from "../config/priority-lane.js";
import type { RepoConfig } from "../config/schema.js";
import { taskSettings } from "../config/task-settings.js";
import { CONFIG_FILE } from "../config/validate-config.js";

export interface AgentsRequest {
  where: NoticeTarget;
  repository: {
    id: number;
    name: string;
    owner: { login: string };
    default_branch: string;
    clone_url: string;
  };
  issue: { number: number; title: string; body?: string | null; labels?: { name: string }[] };
  agents: string[];
  config: RepoConfig;
  /** Who asked. */
  sender: string;
  /** When they asked (ISO 8601): the agent reads the issue's comments from before then. */
  at: string;
  deliveryId: string;
  /** A command says so when the agent is already at work; a label added twice needs no answer. */
  askedBy?: "label" | "command";
  /** The agents are a race's candidates (race/start-race.ts). */
  race?: { id: string };
}

/**
 * One task per agent asked for on an issue, by a label or `/agent run`: an unknown agent is explained on
 * the issue, and a label added again while the agent's last run is still stopping is too.
 */
export async function submitAgents(fleet: Fleet, log: Logger, request: AgentsRequest): Promise<void> {
  const { config, issue, repository, agents } = request;
  const prefix = config.labelPrefix;
  for (const agent of agents) {
    const settings = taskSettings(config, agent);
    if (!settings) {
      log.info({ agent }, "unknown agent; explained on the issue");
      await queueNotice(fleet, request.where, unknownAgentMessage(agent, prefix, config, request.askedBy));
      continue;
    }
    const result = await submitTask(
      fleet,
      {
        id: taskIdFor(repository.id, issue.number, agent),
        repo: {
          id: repository.id,
          owner: repository.owner.login,
          name: repository.name,
          defaultBranch: repository.default_branch,
          cloneUrl: repository.clone_url,
        },
        installationId: request.where.installationId,
        issue: issue.number,
        agent,
        sender: request.sender,
        trigger: { at: request.at, title: issue.title, body: issue.body ?? "" },
        branch: branchFor(issue.number, agent),
        settings,
        ...(request.race ? { race: request.race } : {}),
      },
      config.concurrency.perRepo,
      // Keyed by delivery and agent: a redelivery repeats nothing, two agents in one delivery both start.
      agents.length > 1 ? `${request.deliveryId}-${agent}` : request.deliveryId,
      laneOf(issue.labels ?? [], config.priority),
    );
    log.info({ agent, issue: issue.number, ...result }, "task submitted");
    // Asked again while the stopped run winds down: say so rather than drop the request unseen.
    if (result.status === "active" && result.stopping)
      await queueNotice(
        fleet,
        request.where,
        `\`${prefix}${agent}\` was asked for while its previous run is still stopping, so nothing new was started. Ask again once the status comment says it was cancelled.`,
      );
    else if (result.status === "active" && request.askedBy === "command")
      await queueNotice(
        fleet,
        request.where,
        `\`${agent}\` is already working on this issue; its status comment shows how far it is.`,
      );
  }
}

/** The agents configured here, for a reply about an agent that is not one of them (asked by a label or a command). */
export function unknownAgentMessage(
  agent: string,
  prefix: string,
  config: RepoConfig,
  askedBy: "label" | "command" = "label",
): string {
  const names = Object.keys(config.agents).sort();
  // The name comes from a label or comment: keep it from closing the code span it is quoted in.
  const asked = agent.replaceAll("`", "'");
  return [
    `Flotilla has no agent called \`${asked}\` in this repository, so nothing was started.`,
    "",
    askedBy === "label"
      ? `The agents configured here: ${names.map((n) => `\`${prefix}${n}\``).join(", ")}.`
      : `The agents configured here: ${names.map((n) => `\`${n}\``).join(", ")}.`,
    `Use one of those ${askedBy === "label" ? "labels" : "names"}, or add \`${asked}\` under \`agents\` in \`${CONFIG_FILE}\`.`,
  ].join("\n");
}
