import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { unzipSync } from "fflate";
import { startWorld, type World } from "../helpers/sandbox.js";
import { deliveriesOf, shapeProblems, statusOf } from "./ci-helpers.js";

const WORKFLOW = `name: Flotilla agent
run-name: "flotilla task \${{ inputs.task_id }}"
on:
  workflow_dispatch:
    inputs:
      task_id:
        required: true
      agent:
        default: claude
jobs:
  agent:
    name: Run agent
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
`;

describe("sandbox Actions API", () => {
  let world: World;
  let octokit: ReturnType<World["installationOctokit"]>;
  const repo = { owner: "acme", repo: "widgets" };

  async function dispatch(taskId: string): Promise<number> {
    const response = await octokit.request(
      "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
      {
        ...repo,
        workflow_id: "flotilla.yml",
        ref: "main",
        inputs: { task_id: taskId },
        return_run_details: true,
      },
    );
    return (response.data as { workflow_run_id: number }).workflow_run_id;
  }

  beforeAll(async () => {
    world = await startWorld({
      files: {
        "README.md": "# widgets\n",
        ".github/workflows/flotilla.yml": WORKFLOW,
        ".github/workflows/x.txt": "",
      },
    });
    octokit = world.installationOctokit();
  });
  afterAll(async () => {
    expect(world.sandbox.responseProblems).toEqual([]);
    await world.stop();
  });

  it("lists the workflows found in .github/workflows and gets one by file name", async () => {
    const { data } = await octokit.rest.actions.listRepoWorkflows(repo);
    expect(data.workflows.map((w) => [w.name, w.path])).toEqual([
      ["Flotilla agent", ".github/workflows/flotilla.yml"],
    ]);
    const { data: one } = await octokit.rest.actions.getWorkflow({ ...repo, workflow_id: "flotilla.yml" });
    expect(one.id).toBe(data.workflows[0]?.id);
  });

  it("dispatching with return_run_details answers with the run id and emits workflow_run requested", async () => {
    const runId = await dispatch("t-1");
    const { data: run } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(run).toMatchObject({
      event: "workflow_dispatch",
      status: "queued",
      display_title: "flotilla task t-1",
    });
    expect(run.actor?.login).toBe(world.app.botLogin);
    await world.sandbox.webhooks.settled();
    const requested = deliveriesOf(world, "workflow_run", "requested").find(
      (d) => (d.payload.workflow_run as { id: number }).id === runId,
    );
    expect(shapeProblems("workflow_run", "requested", requested?.payload)).toEqual([]);
    const queued = deliveriesOf(world, "workflow_job", "queued").at(-1);
    expect(shapeProblems("workflow_job", "queued", queued?.payload)).toEqual([]);
  });

  it("answers 204 without return_run_details, and 422 for an unknown ref or a missing required input", async () => {
    const base = { ...repo, workflow_id: "flotilla.yml" };
    const ok = await octokit.rest.actions.createWorkflowDispatch({
      ...base,
      ref: "main",
      inputs: { task_id: "t" },
    });
    expect(ok.status).toBe(204);
    expect(
      await statusOf(
        octokit.rest.actions.createWorkflowDispatch({ ...base, ref: "nope", inputs: { task_id: "t" } }),
      ),
    ).toBe(422);
    expect(await statusOf(octokit.rest.actions.createWorkflowDispatch({ ...base, ref: "main" }))).toBe(422);
    const { data } = await octokit.rest.actions.listWorkflowRuns({
      ...base,
      event: "workflow_dispatch",
      status: "queued",
    });
    expect(data.total_count).toBeGreaterThanOrEqual(2);
  });

  it("drives a run to completion with artifacts that download and unzip to the files given", async () => {
    const runId = await dispatch("t-2");
    await world.sandbox.script.startRun({ repo: "acme/widgets", runId });
    await world.sandbox.script.completeRun({
      repo: "acme/widgets",
      runId,
      conclusion: "success",
      artifacts: { result: { "result.json": '{"ok":true}', "logs/agent.txt": "done\n" } },
    });
    const { data: jobs } = await octokit.rest.actions.listJobsForWorkflowRun({ ...repo, run_id: runId });
    expect(jobs.jobs.map((j) => [j.name, j.status, j.conclusion])).toEqual([
      ["Run agent", "completed", "success"],
    ]);
    const { data: list } = await octokit.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: runId });
    const artifact = list.artifacts[0];
    expect(artifact?.name).toBe("result");
    const zip = await octokit.rest.actions.downloadArtifact({
      ...repo,
      artifact_id: artifact?.id ?? 0,
      archive_format: "zip",
    });
    const files = unzipSync(new Uint8Array(zip.data as ArrayBuffer));
    expect(Buffer.from(files["result.json"] ?? []).toString()).toBe('{"ok":true}');
    expect(Buffer.from(files["logs/agent.txt"] ?? []).toString()).toBe("done\n");
    await world.sandbox.webhooks.settled();
    const completed = deliveriesOf(world, "workflow_run", "completed").at(-1);
    expect(shapeProblems("workflow_run", "completed", completed?.payload)).toEqual([]);
    expect(
      shapeProblems(
        "workflow_job",
        "in_progress",
        deliveriesOf(world, "workflow_job", "in_progress").at(-1)?.payload,
      ),
    ).toEqual([]);
    expect(
      shapeProblems(
        "workflow_job",
        "completed",
        deliveriesOf(world, "workflow_job", "completed").at(-1)?.payload,
      ),
    ).toEqual([]);
    // The run's jobs are check runs of the GitHub Actions App, not of the App under test.
    const { data: suite } = await octokit.rest.checks.getSuite({
      ...repo,
      check_suite_id:
        (await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId })).data.check_suite_id ?? 0,
    });
    expect(suite).toMatchObject({ status: "completed", conclusion: "success" });
    expect(suite.app?.slug).toBe("github-actions");
    await octokit.rest.actions.deleteArtifact({ ...repo, artifact_id: artifact?.id ?? 0 });
    expect(
      await statusOf(octokit.rest.actions.getArtifact({ ...repo, artifact_id: artifact?.id ?? 0 })),
    ).toBe(404);
  });

  it("cancels a running run (202) and answers 409 when it is already completed", async () => {
    const runId = await dispatch("t-3");
    const first = await octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: runId });
    expect(first.status).toBe(202);
    const { data: run } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(run).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(await statusOf(octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: runId }))).toBe(409);
  });

  it("lets an executor carry out dispatched runs and re-runs", async () => {
    const seen: unknown[] = [];
    world.sandbox.script.setWorkflowExecutor({
      executor: async ({ inputs }) => {
        seen.push(inputs);
        return { conclusion: "failure", artifacts: { out: { "a.txt": "x" } } };
      },
    });
    try {
      const runId = await dispatch("t-4");
      await world.sandbox.script.settleCi({});
      expect(seen).toEqual([{ task_id: "t-4", agent: "claude" }]);
      const { data: run } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
      expect(run).toMatchObject({ status: "completed", conclusion: "failure", run_attempt: 1 });
      expect((await octokit.rest.actions.reRunWorkflow({ ...repo, run_id: runId })).status).toBe(201);
      await world.sandbox.script.settleCi({});
      const { data: again } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
      expect(again).toMatchObject({ status: "completed", run_attempt: 2 });
    } finally {
      world.sandbox.script.setWorkflowExecutor({ executor: null });
    }
  });

  it("serves an artifact's download link for a minute, then forgets it", async () => {
    const runId = await dispatch("t-5");
    await world.sandbox.script.completeRun({
      repo: "acme/widgets",
      runId,
      conclusion: "success",
      artifacts: { out: { "a.txt": "x" } },
    });
    const { data: list } = await octokit.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: runId });
    const artifactId = list.artifacts[0]?.id ?? 0;
    const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
    const link = async () => {
      const response = await fetch(
        `${world.sandbox.baseUrl}/repos/acme/widgets/actions/artifacts/${artifactId}/zip`,
        { redirect: "manual", headers: { authorization: `token ${token}` } },
      );
      expect(response.status).toBe(302);
      return response.headers.get("location") ?? "";
    };
    const statusOfLink = async (url: string) => {
      const response = await fetch(url);
      await response.arrayBuffer();
      return response.status;
    };
    const script = world.sandbox.script;
    const clock = world.sandbox.store.clockOffsetMs;
    const looked = await link();
    const swept = await link();
    expect(await statusOfLink(looked)).toBe(200);
    script.advanceClock({ ms: 61_000 });
    try {
      // Expired: answered 404 and forgotten, so the link stays dead even if the clock went back.
      expect(await statusOfLink(looked)).toBe(404);
      // A new link sweeps out the expired ones, including one never looked up again.
      const fresh = await link();
      script.advanceClock({ ms: -61_000 });
      expect(await statusOfLink(looked)).toBe(404);
      expect(await statusOfLink(swept)).toBe(404);
      expect(await statusOfLink(fresh)).toBe(200);
    } finally {
      world.sandbox.store.clockOffsetMs = clock;
    }
  });
});
