import type { AgentConfig } from "../app/config/schema.js";
import { formatDuration } from "../publish/format-duration.js";
import type { LimitView } from "../publish/status-comment.js";
import type { LimitName } from "../runner/adapters/adapter.js";

/**
 * Which limit stopped the agent and how much it was, from the agent's settings the task ran with: "10 min",
 * "50 turns", "5 USD", "32 MiB". A turn or budget limit left to the CLI's own default has no bound to show.
 */
export function limitView(limit: LimitName, agent: AgentConfig): LimitView {
  const bound = boundOf(limit, agent);
  return bound ? { limit, bound } : { limit };
}

function boundOf(limit: LimitName, agent: AgentConfig): string | undefined {
  switch (limit) {
    case "time":
      return formatDuration(agent.timeout);
    case "turns":
      return agent.maxTurns !== undefined ? `${agent.maxTurns} turns` : undefined;
    case "budget":
      return agent.maxBudgetUsd !== undefined ? `${agent.maxBudgetUsd} USD` : undefined;
    case "output":
      return agent.maxOutput >= 1024 * 1024
        ? `${Math.round(agent.maxOutput / (1024 * 1024))} MiB`
        : `${Math.round(agent.maxOutput / 1024)} KiB`;
  }
}
