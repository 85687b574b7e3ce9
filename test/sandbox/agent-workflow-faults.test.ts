import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { isAlive } from "../helpers/process.js";
import { type AgentWorld, recordOf, repo, startAgentWorld, stepsOf, waitFor } from "./agent-helpers.js";
import { deliveriesOf, shapeProblems } from "./ci-helpers.js";

describe("sandbox agent runs that time out, are cancelled, or meet infrastructure faults", () => {
  let agent: AgentWorld;

  beforeAll(async () => {
    agent = await startAgentWorld();
  });
  afterAll(async () => {
    expect(agent.world.sandbox.responseProblems).toEqual([]);
    await agent.stop();
  });
  // The fake runner's `sleep` leaves its pid here; each test waits for its own.
  beforeEach(() => rmSync(join(agent.state, "sleep.pid"), { force: true }));

  /** The pids of the runner step's shell and of the `sleep` it started, once both are there. */
  async function sleepingProcesses(runId: number): Promise<number[]> {
    const pidFile = join(agent.state, "sleep.pid");
    const sleepPid = () => {
      try {
        return Number(readFileSync(pidFile, "utf8"));
      } catch {
        return 0;
      }
    };
    await waitFor("the runner step to start sleeping", () => {
      const records = agent.world.sandbox.script.agentWorkflowRuns({ repo: "acme/widgets" });
      return records.some((r) => r.runId === runId && r.pid !== null) && sleepPid() > 0;
    });
    return [recordOf(agent, runId).pid ?? 0, sleepPid()];
  }

  it("gives the job a token limited to this repository and the workflow's permissions, and kills it all on cancel", async () => {
    const script = agent.world.sandbox.script;
    agent.runAgents("sleep");
    const runId = await agent.dispatch();
    const pids = await sleepingProcesses(runId);
    expect(pids.every(isAlive)).toBe(true);
    const token = recordOf(agent, runId).token ?? "";
    expect(script.tokenInfo({ token })).toMatchObject({
      app: "github-actions",
      permissions: { contents: "read", issues: "read", pull_requests: "read", metadata: "read" },
      repositories: ["acme/widgets"],
    });
    const { data: running } = await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(running.status).toBe("in_progress");

    expect((await agent.octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: runId })).status).toBe(202);
    await script.settleCi({});
    expect(pids.some(isAlive)).toBe(false);
    expect(script.tokenInfo({ token })).toBeNull();
    const { data: run } = await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(run.conclusion).toBe("cancelled");
    expect((await stepsOf(agent, runId)).steps.slice(-3)).toEqual([
      ["Run the agent", "completed", "cancelled"],
      ["Upload the result", "completed", "skipped"],
      ["Complete job", "completed", "skipped"],
    ]);
  });

  it("ends a run that outlives its time limit as timed_out, the runner step cancelled and its processes killed", async () => {
    // The limit is the job's timeout-minutes, from the `minutes` input; timeoutMs replaces it.
    for (const [minutes, timeoutMs] of [
      ["0.05", undefined],
      ["5", 2_500],
    ] as const) {
      rmSync(join(agent.state, "sleep.pid"), { force: true });
      agent.runAgents("sleep", timeoutMs ? { timeoutMs } : {});
      const runId = await agent.dispatch({ dispatch: `2-${minutes}`, minutes });
      const pids = await sleepingProcesses(runId);
      await agent.world.sandbox.script.settleCi({});
      expect(pids.some(isAlive)).toBe(false);
      const { data: run } = await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
      expect(run.conclusion).toBe("timed_out");
      const { jobs, steps } = await stepsOf(agent, runId);
      expect(jobs[0]?.conclusion).toBe("cancelled");
      expect(steps.slice(-3)).toEqual([
        ["Run the agent", "completed", "cancelled"],
        ["Upload the result", "completed", "skipped"],
        ["Complete job", "completed", "success"],
      ]);
      const { data: annotations } = await agent.octokit.rest.checks.listAnnotations({
        ...repo,
        check_run_id: jobs[0]?.id ?? 0,
      });
      expect(annotations.map((a) => a.message)).toEqual([
        `The job running on runner GitHub Actions ${jobs[0]?.id} has exceeded the maximum execution time of ${minutes} minutes.`,
      ]);
    }
  });

  it("never-start: the run stays queued with no runner until it is cancelled", async () => {
    const script = agent.world.sandbox.script;
    agent.runAgents("ok");
    script.agentWorkflowFault({ repo: "acme/widgets", fault: "never-start" });
    const runId = await agent.dispatch({ dispatch: "3" });
    await script.settleCi({});
    const { data: run } = await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(run.status).toBe("queued");
    const { jobs } = await stepsOf(agent, runId);
    expect(jobs.map((j) => [j.status, j.runner_name, j.steps])).toEqual([["queued", null, []]]);
    expect(recordOf(agent, runId)).toMatchObject({ fault: "never-start", env: null, token: null });

    await agent.octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: runId });
    const { data: cancelled } = await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(cancelled).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(recordOf(agent, runId).conclusion).toBe("cancelled");
    // The next run is not affected.
    const next = await agent.dispatch({ dispatch: "4" });
    await script.settleCi({});
    expect((await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: next })).data.conclusion).toBe(
      "success",
    );
  });

  it("runner-lost: the runner step is killed partway and the job fails with that step left in progress", async () => {
    const script = agent.world.sandbox.script;
    agent.runAgents("sleep");
    script.agentWorkflowFault({ repo: "acme/widgets", fault: "runner-lost" });
    const runId = await agent.dispatch({ dispatch: "5" });
    await script.settleCi({});
    const { data: run } = await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(run.conclusion).toBe("failure");
    const { jobs, steps } = await stepsOf(agent, runId);
    expect(jobs[0]?.conclusion).toBe("failure");
    // No upload, no "Complete job": the runner never reported them.
    expect(steps.slice(-2)).toEqual([
      ["Install the Flotilla runner and the agent's CLI", "completed", "success"],
      ["Run the agent", "in_progress", null],
    ]);
    expect(jobs[0]?.steps?.at(-1)?.completed_at).toBeNull();
    const record = recordOf(agent, runId);
    expect(record.exitCode).toBeNull();
    expect(isAlive(record.pid ?? 0)).toBe(false);
    expect(script.tokenInfo({ token: record.token ?? "" })).toBeNull();
    const { data: artifacts } = await agent.octokit.rest.actions.listWorkflowRunArtifacts({
      ...repo,
      run_id: runId,
    });
    expect(artifacts.total_count).toBe(0);
    const completed = deliveriesOf(agent.world, "workflow_job", "completed").find(
      (d) => (d.payload.workflow_job as { run_id: number }).run_id === runId,
    );
    expect(shapeProblems("workflow_job", "completed", completed?.payload)).toEqual([]);
  });

  it("startup-failure: the run completes at once with startup_failure and no job", async () => {
    const script = agent.world.sandbox.script;
    agent.runAgents("ok");
    script.agentWorkflowFault({ repo: "acme/widgets", fault: "startup-failure", times: 2 });
    const first = await agent.dispatch({ dispatch: "6" });
    const second = await agent.dispatch({ dispatch: "7" });
    await script.settleCi({});
    for (const runId of [first, second]) {
      const { data: run } = await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
      expect(run).toMatchObject({ status: "completed", conclusion: "startup_failure" });
      expect((await stepsOf(agent, runId)).jobs).toEqual([]);
      expect(recordOf(agent, runId)).toMatchObject({ fault: "startup-failure", env: null });
      const { data: suite } = await agent.octokit.rest.checks.getSuite({
        ...repo,
        check_suite_id: run.check_suite_id ?? 0,
      });
      expect(suite.conclusion).toBe("startup_failure");
      const completed = deliveriesOf(agent.world, "workflow_run", "completed").find(
        (d) => (d.payload.workflow_run as { id: number }).id === runId,
      );
      expect(shapeProblems("workflow_run", "completed", completed?.payload)).toEqual([]);
      // Nobody ever saw the job start.
      const started = deliveriesOf(agent.world, "workflow_job", "in_progress").filter(
        (d) => (d.payload.workflow_job as { run_id: number }).run_id === runId,
      );
      expect(started).toEqual([]);
    }
  });

  it("carries out a re-run of a run that failed to start as a new attempt, with its own token", async () => {
    const script = agent.world.sandbox.script;
    agent.runAgents("ok");
    script.agentWorkflowFault({ repo: "acme/widgets", fault: "startup-failure" });
    const runId = await agent.dispatch({ dispatch: "8" });
    await script.settleCi({});
    expect((await agent.octokit.rest.actions.reRunWorkflow({ ...repo, run_id: runId })).status).toBe(201);
    await script.settleCi({});
    const { data: run } = await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(run).toMatchObject({ run_attempt: 2, status: "completed", conclusion: "success" });
    const attempts = script.agentWorkflowRuns({ repo: "acme/widgets" }).filter((r) => r.runId === runId);
    expect(attempts.map((a) => [a.runAttempt, a.fault, a.conclusion])).toEqual([
      [1, "startup-failure", "startup_failure"],
      [2, null, "success"],
    ]);
    expect(attempts[1]?.env?.GITHUB_RUN_ATTEMPT).toBe("2");
  });
});
