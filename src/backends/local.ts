import { randomBytes } from "node:crypto";
import { readChangedFile } from "../runner/changeset.js";
import { runSpec } from "../runner/run-spec.js";
import type { Workspaces } from "../runner/workspace.js";
import type { AgentRun, InlineBackend, RunRequest } from "./backend.js";

/** Runs the agent in a git worktree on this host, from a per-repository mirror. */
export class LocalBackend implements InlineBackend {
  readonly name = "local";
  readonly kind = "inline";

  constructor(
    private readonly workspaces: Workspaces,
    /** Where the agents' configured secrets are read from (the worker's environment). */
    private readonly secretsFrom: NodeJS.ProcessEnv,
  ) {}

  async run({ task, request, token, signal, role = "code", checkout }: RunRequest): Promise<AgentRun> {
    // 1. A fresh worktree; one left by a worker that crashed on this task (in this role) is removed first.
    //    `.` cannot occur in a task id, so one task's prefix never matches another agent's worktrees.
    const who = role === "judge" ? task.settings.judge : { name: task.agent, agent: task.settings.agent };
    if (!who) throw new Error(`task ${task.id} has no judge configured`);
    const kind = role === "judge" ? "j" : "a";
    const workspace = await this.workspaces.open(
      { key: String(task.repo.id), url: task.repo.cloneUrl, token },
      {
        baseBranch: checkout?.branch ?? task.repo.defaultBranch,
        ...(checkout ? { at: checkout.sha } : {}),
        branch: role === "judge" ? task.branch.replace(/^flotilla\//, "flotilla-judge/") : task.branch,
        name: `${task.id}.${kind}${task.attempt}-${randomBytes(3).toString("hex")}`,
        stalePrefix: `${task.id}.${kind}`,
      },
    );
    try {
      // 2. The same task spec flotilla-runner runs on a CI runner, run in-process; then the changeset it left.
      const result = await runSpec(
        {
          version: 1,
          repo: `${task.repo.owner}/${task.repo.name}`,
          workspace: workspace.dir,
          baseSha: workspace.baseSha,
          agentName: who.name,
          agent: who.agent,
          request,
          protectedPaths: task.settings.protectedPaths,
        },
        { env: this.secretsFrom, ...(signal ? { signal } : {}) },
      );
      return {
        outcome: result.outcome,
        ...(result.summary !== undefined ? { summary: result.summary } : {}),
        usage: result.usage,
        log: result.log,
        timings: result.timings,
        changeset: result.changeset,
        read: (change) => readChangedFile(workspace.dir, change),
        dispose: () => workspace.close(),
      };
    } catch (error) {
      await workspace.close();
      throw error;
    }
  }
}
