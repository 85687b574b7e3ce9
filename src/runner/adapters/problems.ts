import type { z } from "zod";
import type { AgentConfig } from "../../app/config/schema.js";
import { adapterFor } from "./index.js";

/**
 * A zod refinement for an agent's settings: what its adapter says it cannot run with, each problem on its
 * key. The repository config and the task spec both use it, so a setting the CLI would refuse is named when
 * the config is read (a comment on the issue) or the spec parsed (exit 2), not when the agent starts.
 */
export function adapterProblems(agent: Pick<AgentConfig, "adapter">, ctx: z.RefinementCtx): void {
  for (const problem of adapterFor(agent.adapter).problems?.(agent as AgentConfig) ?? []) {
    ctx.addIssue({ code: "custom", path: [problem.key], message: problem.message });
  }
}
