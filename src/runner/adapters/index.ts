import type { AgentConfig } from "../../app/config/schema.js";
import { commandInvocation, type InvocationContext } from "./command.js";

export type { InvocationContext } from "./command.js";

/**
 * The agent's CLI has no adapter yet. Permanent: retrying cannot help, the repository's config must name
 * another agent. (`permanent` lets the worker treat it as its PermanentError without the runner importing
 * the worker.)
 */
export class AdapterUnavailableError extends Error {
  override name = "AdapterUnavailableError";
  readonly permanent = true;
  constructor(readonly adapter: string) {
    super(`the ${adapter} adapter is not available yet; configure an agent with \`adapter: command\``);
  }
}

/**
 * The argument array that runs agent `name` on the prompt in `ctx.promptFile`, in `ctx.workspace`.
 *
 * @throws AdapterUnavailableError for a CLI whose adapter has not been written yet.
 */
export function agentInvocation(name: string, agent: AgentConfig, ctx: InvocationContext): string[] {
  switch (agent.adapter) {
    case "command":
      return commandInvocation(name, agent, ctx);
    default:
      throw new AdapterUnavailableError(agent.adapter);
  }
}
