import type { TaskSettings } from "../../fleet/task.js";
import { judgeSettings } from "./judge-settings.js";
import type { RepoConfig } from "./schema.js";

/**
 * What a task for `agent` runs with, from the repository config as it is when the task is asked for;
 * undefined when the config has no such agent (own keys only: `agent:constructor` names none).
 */
export function taskSettings(config: RepoConfig, agent: string): TaskSettings | undefined {
  const settings = Object.hasOwn(config.agents, agent) ? config.agents[agent] : undefined;
  if (!settings) return undefined;
  return {
    backend: config.backend,
    agent: settings,
    protectedPaths: config.protectedPaths,
    limits: config.limits,
    prompt: config.prompt,
    actions: config.actions,
    judge: judgeSettings(config, agent),
    commands: config.commands,
    budget: config.budget,
  };
}
