import { type CiConfig, runCiNow, setCiConfig } from "../ci/ci-actor.js";
import { setRunDetails } from "../ci/dispatch-answers.js";
import { setExecutor, settleCi, type WorkflowExecutor } from "../ci/executor.js";
import { enqueueMergeGroup } from "../ci/merge-group.js";
import { cancelRun, completeJob, completeRun, findRun, startRun } from "../ci/workflow-runs.js";
import { resolveCommit } from "../git/objects.js";
import type { Sandbox } from "../sandbox.js";
import type { CheckConclusion } from "../state/model.js";
import { requireUser } from "./setup.js";

/** Playing the repository's CI and the Actions runner. */
export const ciActions = {
  /** Configures the CI that runs on every new pull request head, with `onPush` on every push to a branch too (null turns it off). */
  setCi(sb: Sandbox, args: { repo: string } & Partial<CiConfig>) {
    const { repo, ...config } = args;
    return { repo, ci: setCiConfig(sb.store.repo(repo), config) };
  },

  /** Runs CI now on a sha (default: the tip of `branch`, or of the default branch) and waits for it. */
  async runCi(sb: Sandbox, args: { repo: string; sha?: string; branch?: string }) {
    const repo = sb.store.repo(args.repo);
    const branch = args.branch ?? repo.defaultBranch;
    const sha = args.sha ?? (await resolveCommit(repo.gitDir, `refs/heads/${branch}`));
    if (!sha) throw new Error(`sandbox: no commit for ${args.sha ?? branch}`);
    const check = await runCiNow(sb, repo, sha, branch);
    return { checkRunId: check.id, suiteId: check.suiteId, conclusion: check.conclusion, sha };
  },

  /** Waits for background CI work (CI actor runs, executors) and the webhooks it sent. */
  async settleCi(sb: Sandbox, _args: Record<string, never> = {}) {
    await settleCi(sb);
    return { ok: true };
  },

  /** In-process only (a function cannot travel over HTTP): who carries out dispatched runs; null stops it. */
  setWorkflowExecutor(sb: Sandbox, args: { executor: WorkflowExecutor | null }) {
    if (args.executor !== null && typeof args.executor !== "function") {
      throw new Error("sandbox: setWorkflowExecutor takes a function and works in-process only");
    }
    setExecutor(sb, args.executor);
    return { ok: true };
  },

  /** false: dispatches answer 204 even when asked for the run's id, as an older GitHub Enterprise Server does. */
  setDispatchRunDetails(sb: Sandbox, args: { enabled: boolean }) {
    setRunDetails(sb, args.enabled);
    return { enabled: args.enabled };
  },

  async startRun(sb: Sandbox, args: { repo: string; runId: number }) {
    const repo = sb.store.repo(args.repo);
    const run = findRun(repo, args.runId);
    await startRun(sb, repo, run);
    return { runId: run.id, status: run.status };
  },

  /** Completes a run with a conclusion and artifacts (name → path → content). */
  async completeRun(
    sb: Sandbox,
    args: {
      repo: string;
      runId: number;
      conclusion: CheckConclusion;
      artifacts?: Record<string, Record<string, string | Buffer>>;
    },
  ) {
    const repo = sb.store.repo(args.repo);
    const run = findRun(repo, args.runId);
    await completeRun(sb, repo, run, args.conclusion, args.artifacts);
    return {
      runId: run.id,
      status: run.status,
      conclusion: run.conclusion,
      artifacts: run.artifacts.map((a) => a.id),
    };
  },

  /** Ends one job (by name, default the first open one) with a failure while the run goes on. */
  async failJob(
    sb: Sandbox,
    args: { repo: string; runId: number; job?: string; conclusion?: CheckConclusion },
  ) {
    const repo = sb.store.repo(args.repo);
    const run = findRun(repo, args.runId);
    const job = run.jobs.find((j) => (args.job ? j.name === args.job : j.status !== "completed"));
    if (!job) throw new Error(`sandbox: run ${run.id} has no open job ${args.job ?? ""}`);
    await completeJob(sb, repo, run, job, args.conclusion ?? "failure");
    return { jobId: job.id, conclusion: job.conclusion };
  },

  async cancelRun(sb: Sandbox, args: { repo: string; runId: number }) {
    const repo = sb.store.repo(args.repo);
    const run = findRun(repo, args.runId);
    await cancelRun(sb, repo, run);
    return { runId: run.id, conclusion: run.conclusion };
  },

  /** Puts a pull request in the merge queue: `merge_group.checks_requested`, then CI on the merge commit. */
  async enqueueMergeGroup(sb: Sandbox, args: { repo: string; pull: number; by?: string }) {
    const repo = sb.store.repo(args.repo);
    const issue = repo.issues.get(args.pull);
    const sender = args.by ? requireUser(sb, args.by) : sb.store.user(issue?.userId ?? repo.ownerId);
    return enqueueMergeGroup(sb, repo, args.pull, sender);
  },
};
