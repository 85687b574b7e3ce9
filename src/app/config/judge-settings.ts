import type { JudgeSettings } from "../../fleet/task.js";
import type { RepoConfig } from "./schema.js";

/**
 * Who judges a pull request written by `author`: the configured judge, else another agent from a different
 * family (another adapter, then another model or program), so the reviewer is not the author marking its own work;
 * the author itself only when nothing else is configured (the review says so). Undefined when judging is off.
 */
export function judgeSettings(config: RepoConfig, author: string): JudgeSettings | undefined {
  if (!judgeEnabled(config)) return undefined;
  const agents = config.agents;
  const mine = agents[author];
  const others = Object.keys(agents)
    .filter((name) => name !== author)
    .sort();
  const name =
    config.judge.agent ??
    others.find((n) => agents[n]?.adapter !== mine?.adapter) ??
    others.find((n) => family(agents[n]) !== family(mine)) ??
    author;
  const agent = agents[name];
  if (!agent) return undefined;
  return {
    name,
    agent,
    sameAsAuthor: name === author,
    maxRounds: config.judge.maxRounds,
    ciTimeoutMs: config.judge.ciTimeout,
  };
}

/** What makes two agents the same reviewer: the CLI, the model, and for `command` the program itself. */
function family(agent: RepoConfig["agents"][string] | undefined): string {
  return JSON.stringify([agent?.adapter, agent?.model ?? "", agent?.command ?? []]);
}

/** Judging is on unless turned off; it runs through the task's backend, like the coding agents. */
export function judgeEnabled(config: RepoConfig): boolean {
  return config.judge.enabled;
}
