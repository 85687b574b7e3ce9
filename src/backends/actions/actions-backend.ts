import type { RemoteRun, Task } from "../../fleet/task.js";
import type { GitHub } from "../../github/octokit.js";
import { createRedactor } from "../../runner/redact.js";
import type { RunBundle } from "../../runner/result-bundle.js";
import type { StoredRequest } from "../../runner/task-spec.js";
import type { AgentRun, Collected, RemoteBackend, RunRole } from "../backend.js";
import { readRunResult } from "./read-result.js";
import { storeRequest } from "./stored-request.js";
import { type JudgeDispatch, judgeInputs, runTitle, workflowInputs } from "./workflow-inputs.js";
import {
  cancelWorkflowRun,
  dispatchWorkflow,
  failedStep,
  findDispatchedRun,
  getRun,
  latestJobs,
  lostToInfrastructure,
  ranPastItsLimit,
} from "./workflow-runs.js";

/**
 * Runs agents on GitHub Actions runners: the repository's copy of Flotilla's agent workflow, dispatched with
 * ids only, reading the issue with its own read-only token and handing back an artifact that the App checks
 * and commits. The runner never holds a token that can write.
 */
export class ActionsBackend implements RemoteBackend {
  readonly name = "actions";
  readonly kind = "remote";

  start(gh: GitHub, task: Task, dispatch: number) {
    return dispatchWorkflow(gh, task, workflowInputs(task, dispatch));
  }

  find(gh: GitHub, task: Task, run: RemoteRun) {
    return findDispatchedRun(gh, task, runTitle(task, run.dispatch), run.dispatchedAt);
  }

  storeRequest(gh: GitHub, task: Task, request: StoredRequest) {
    return storeRequest(gh, task, request);
  }

  startJudge(gh: GitHub, task: Task, judge: JudgeDispatch) {
    return dispatchWorkflow(gh, task, judgeInputs(task, judge));
  }

  findJudge(gh: GitHub, task: Task, label: string, dispatchedAt: string) {
    return findDispatchedRun(gh, task, runTitle(task, label), dispatchedAt);
  }

  async status(gh: GitHub, task: Task, runId: number) {
    const run = await getRun(gh, task, runId);
    return {
      status: run.status ?? "queued",
      ...(run.run_started_at && run.status !== "queued" ? { startedAt: run.run_started_at } : {}),
    };
  }

  cancel(gh: GitHub, task: Task, runId: number) {
    return cancelWorkflowRun(gh, task, runId);
  }

  async collect(gh: GitHub, task: Task, runId: number, role: RunRole = "code"): Promise<Collected> {
    const run = await getRun(gh, task, runId);
    if (run.status !== "completed") return { kind: "pending" };
    const timeoutMs = (role === "judge" ? task.settings.judge?.agent : task.settings.agent)?.timeout ?? 0;
    switch (run.conclusion) {
      case "success": {
        const result = await readRunResult(gh, task, runId, role);
        if (result.kind === "invalid") return { kind: "ended", state: "failed", message: result.message };
        if (result.kind === "refused")
          return {
            kind: "ended",
            state: "failed",
            message: `The runner did not start the agent: ${result.message}`,
          };
        return { kind: "result", run: agentRun(result.bundle, result.read) };
      }
      case "timed_out":
        return TIMED_OUT;
      case "cancelled": {
        if (task.cancel) return { kind: "ended", state: "cancelled", message: task.cancel.reason };
        const jobs = await latestJobs(gh, task, runId);
        const lost = lostToInfrastructure(run, jobs);
        if (lost) return { kind: "lost", reason: lost };
        if (ranPastItsLimit(timeoutMs, jobs)) return TIMED_OUT;
        return { kind: "ended", state: "cancelled", message: "The Actions run was cancelled on GitHub." };
      }
      default: {
        const jobs = await latestJobs(gh, task, runId);
        const lost = lostToInfrastructure(run, jobs);
        if (lost) return { kind: "lost", reason: lost };
        const step = failedStep(jobs);
        return {
          kind: "ended",
          state: "failed",
          message: `The Actions run failed${step ? ` at the step “${step}”` : ""} before the agent's result was uploaded.`,
        };
      }
    }
  }
}

const TIMED_OUT: Collected = {
  kind: "ended",
  state: "timed-out",
  message: "The Actions job ran past its time limit and was stopped.",
};

/**
 * Text from the artifact is the runner's, which the agent could reach: it goes through the credential
 * shapes again before it can reach a comment or the pull request body.
 */
const redactShapes = createRedactor([]);

/** A run's bundle as the publishing steps take any backend's run. */
function agentRun(
  bundle: RunBundle,
  read: (change: AgentRun["changeset"]["files"][number]) => Buffer,
): AgentRun {
  const outcome =
    bundle.outcome.kind === "success"
      ? bundle.outcome
      : { ...bundle.outcome, message: redactShapes(bundle.outcome.message) };
  return {
    outcome,
    ...(bundle.summary !== undefined ? { summary: redactShapes(bundle.summary) } : {}),
    usage: bundle.usage,
    log: redactShapes(bundle.log),
    timings: bundle.timings,
    changeset: {
      baseSha: bundle.changeset.baseSha,
      files: bundle.changeset.files.map(({ content: _, ...change }) => change),
    },
    read: async (change) => read(change),
    dispose: async () => {},
  };
}
