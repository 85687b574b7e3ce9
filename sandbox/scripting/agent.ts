import { type AgentFault, addAgentFault } from "../ci/agent/faults.js";
import { tokenInfo } from "../ci/agent/job-token.js";
import { recordsOf } from "../ci/agent/records.js";
import { type AgentWorkflowSettings, runAgentWorkflows } from "../ci/agent/runner.js";
import { setSecret } from "../ci/secrets.js";
import type { Sandbox } from "../sandbox.js";

/** The Actions runner for Flotilla's agent workflow, repository secrets, and what tests look at. */
export const agentActions = {
  /**
   * From now on dispatched runs of a workflow whose job has a step `id: runner` are carried out by the
   * sandbox (checkout, the runner step's script for real, the artifact upload); null turns it off.
   */
  runAgentWorkflows(sb: Sandbox, args: AgentWorkflowSettings | null) {
    runAgentWorkflows(sb, args);
    return { enabled: args !== null };
  },

  /** A repository secret for `${{ secrets.NAME }}`; a null value removes it. */
  setSecret(sb: Sandbox, args: { repo: string; name: string; value: string | null }) {
    setSecret(sb.store.repo(args.repo), args.name, args.value);
    return { repo: args.repo, name: args.name.toUpperCase(), set: args.value !== null };
  },

  /** The next `times` (default 1) agent runs of the repository meet this infrastructure failure. */
  agentWorkflowFault(sb: Sandbox, args: { repo: string; fault: AgentFault; times?: number }) {
    return { repo: args.repo, queued: addAgentFault(sb.store.repo(args.repo), args.fault, args.times ?? 1) };
  },

  /** Per attempt of each agent run, oldest first: its env, exit code, output tail, token and conclusion. */
  agentWorkflowRuns(sb: Sandbox, args: { repo: string }) {
    const repo = sb.store.repo(args.repo);
    return recordsOf(repo).map((record) => {
      // A run left queued by a fault ends later (cancelled): the run tells how.
      const run = repo.workflowRuns.find((r) => r.id === record.runId);
      const current = run?.runAttempt === record.runAttempt ? run.conclusion : null;
      return { ...record, conclusion: record.conclusion ?? current };
    });
  },

  /** What an installation token may do ({app, permissions, repositories…}), or null once it is dead. */
  tokenInfo(sb: Sandbox, args: { token: string }) {
    return tokenInfo(sb, args.token);
  },
};
