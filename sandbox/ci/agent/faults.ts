import type { Repo } from "../../state/model.js";

/**
 * Infrastructure failures for the next agent runs of a repository, for testing how an App copes:
 * - `never-start`: the run stays queued (no runner picks the job up) until it is cancelled;
 * - `runner-lost`: the runner step is killed partway and the job fails with that step left in progress;
 * - `startup-failure`: the run completes at once with `startup_failure`, no job started.
 */
export type AgentFault = "never-start" | "runner-lost" | "startup-failure";

export const AGENT_FAULTS: readonly AgentFault[] = ["never-start", "runner-lost", "startup-failure"];

const queues = new WeakMap<Repo, AgentFault[]>();

/** Queues the fault for the next `times` agent runs, after those queued already. */
export function addAgentFault(repo: Repo, fault: AgentFault, times: number): AgentFault[] {
  if (!AGENT_FAULTS.includes(fault)) {
    throw new Error(`sandbox: no agent workflow fault "${fault}" (one of ${AGENT_FAULTS.join(", ")})`);
  }
  if (!Number.isInteger(times) || times < 1) throw new Error("sandbox: times must be a whole number from 1");
  const queue = queues.get(repo) ?? [];
  for (let i = 0; i < times; i += 1) queue.push(fault);
  queues.set(repo, queue);
  return [...queue];
}

/** The fault the next agent run of the repository meets, if any (it is used up). */
export function takeAgentFault(repo: Repo): AgentFault | null {
  return queues.get(repo)?.shift() ?? null;
}

export function clearAgentFaults(repo: Repo): void {
  queues.delete(repo);
}
