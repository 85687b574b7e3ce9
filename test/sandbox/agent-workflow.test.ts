import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { unzipSync } from "fflate";
import { parse } from "yaml";
import { type AgentWorld, recordOf, repo, startAgentWorld, stepsOf, TEMPLATE } from "./agent-helpers.js";
import { deliveriesOf, shapeProblems } from "./ci-helpers.js";

const CANARY = "SANDBOX_AGENT_CANARY";
const SECRET = "sk-ant-sandbox-0123456789";

describe("sandbox Actions runner for the agent workflow", () => {
  let agent: AgentWorld;

  beforeAll(async () => {
    // The sandbox process's own environment must not reach the job.
    process.env[CANARY] = "leaked";
    agent = await startAgentWorld();
  });
  afterAll(async () => {
    delete process.env[CANARY];
    expect(agent.world.sandbox.responseProblems).toEqual([]);
    await agent.stop();
  });

  it("checks out the base, runs the runner step with the inputs and a read-only token, and uploads the result", async () => {
    const script = agent.world.sandbox.script;
    script.setSecret({ repo: "acme/widgets", name: "ANTHROPIC_API_KEY", value: SECRET });
    agent.runAgents("ok");
    const runId = await agent.dispatch();
    await script.settleCi({});

    const { data: run } = await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(run).toMatchObject({ status: "completed", conclusion: "success" });
    const { data: list } = await agent.octokit.rest.actions.listWorkflowRunArtifacts({
      ...repo,
      run_id: runId,
    });
    expect(list.artifacts.map((a) => a.name)).toEqual(["flotilla-result"]);
    const zip = await agent.octokit.rest.actions.downloadArtifact({
      ...repo,
      artifact_id: list.artifacts[0]?.id ?? 0,
      archive_format: "zip",
    });
    const files = unzipSync(new Uint8Array(zip.data as ArrayBuffer));
    expect(Object.keys(files)).toEqual(["result.json"]);
    // The job's token reads the issue but may not comment; the checkout is the base branch's tip.
    expect(JSON.parse(Buffer.from(files["result.json"] ?? []).toString())).toEqual({
      read: 200,
      write: 403,
      head: agent.world.repo.headSha,
      branch: "main",
      readme: "# widgets",
    });

    const record = recordOf(agent, runId);
    expect(record.exitCode).toBe(0);
    expect(record.env).toMatchObject({
      FLOTILLA_TASK: "acme/widgets#1/claude",
      FLOTILLA_ROLE: "code",
      FLOTILLA_ISSUE: "1",
      FLOTILLA_AGENT: "claude",
      FLOTILLA_TRIGGERED_AT: "2026-11-01T10:00:00Z",
      FLOTILLA_DIGEST: "0f0f",
      // The workflow's own `env:`, as the template sets it.
      FLOTILLA_RUNNER_PACKAGE: (parse(TEMPLATE) as { env: Record<string, string> }).env
        .FLOTILLA_RUNNER_PACKAGE,
      GITHUB_TOKEN: record.token,
      GITHUB_REPOSITORY: "acme/widgets",
      GITHUB_API_URL: agent.world.sandbox.baseUrl,
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_REF: "refs/heads/main",
      GITHUB_RUN_ID: String(runId),
      GITHUB_JOB: "agent",
      GITHUB_WORKFLOW: "Flotilla agent",
      ANTHROPIC_API_KEY: SECRET,
      OPENAI_API_KEY: "",
      CI: "true",
    });
    expect(record.env?.[CANARY]).toBeUndefined();
    expect(record.env?.HOME).not.toBe(process.env.HOME);
    expect(record.token).toMatch(/^ghs_/);
    // The secret was in the output; the kept tail shows it masked.
    expect(record.output).toContain("the key is ***");
    expect(record.output).not.toContain(SECRET);

    // GITHUB_TOKEN ends with its job.
    expect(script.tokenInfo({ token: record.token ?? "" })).toBeNull();
    const after = await fetch(`${agent.world.sandbox.baseUrl}/repos/acme/widgets/issues/1`, {
      headers: { authorization: `token ${record.token}` },
    });
    expect(after.status).toBe(401);

    // Checkout, setup-node and install show as done; the runner step and the upload ran.
    expect((await stepsOf(agent, runId)).steps).toEqual([
      ["Set up job", "completed", "success"],
      ["Check out the base branch", "completed", "success"],
      ["Set up Node.js", "completed", "success"],
      ["Install the Flotilla runner and the agent's CLI", "completed", "success"],
      ["Run the agent", "completed", "success"],
      ["Upload the result", "completed", "success"],
      ["Complete job", "completed", "success"],
    ]);
  });

  it("sends workflow_run and workflow_job webhooks shaped like GitHub's, none to the GitHub Actions App", async () => {
    agent.runAgents("ok");
    const runId = await agent.dispatch({ dispatch: "2" });
    await agent.world.sandbox.script.settleCi({});
    const ofRun = (event: string, action: string) =>
      deliveriesOf(agent.world, event, action).filter((d) => {
        const payload = d.payload as { workflow_run?: { id: number }; workflow_job?: { run_id: number } };
        return (payload.workflow_run?.id ?? payload.workflow_job?.run_id) === runId;
      });
    for (const action of ["requested", "in_progress", "completed"]) {
      const [delivery, ...more] = ofRun("workflow_run", action);
      expect(more).toEqual([]);
      // The examples have no workflow_run.in_progress; its shape is the requested one's.
      const like = action === "in_progress" ? "requested" : action;
      expect(shapeProblems("workflow_run", like, delivery?.payload)).toEqual([]);
    }
    for (const action of ["queued", "in_progress", "completed"]) {
      const [delivery, ...more] = ofRun("workflow_job", action);
      expect(more).toEqual([]);
      expect(shapeProblems("workflow_job", action, delivery?.payload)).toEqual([]);
    }
    const completed = ofRun("workflow_job", "completed")[0]?.payload as {
      workflow_job: { conclusion: string; steps: { name: string }[] };
    };
    expect(completed.workflow_job.conclusion).toBe("success");
    expect(completed.workflow_job.steps.map((s) => s.name)).toContain("Run the agent");
    expect(agent.world.sandbox.webhooks.deliveries.every((d) => d.appId === agent.world.app.id)).toBe(true);
  });

  it("fails the job when the runner step exits non-zero: the upload is skipped and no artifact is made", async () => {
    const script = agent.world.sandbox.script;
    script.setSecret({ repo: "acme/widgets", name: "ANTHROPIC_API_KEY", value: null });
    agent.runAgents("fail");
    const runId = await agent.dispatch({ dispatch: "3" });
    await script.settleCi({});
    const { data: run } = await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(run.conclusion).toBe("failure");
    const { data: list } = await agent.octokit.rest.actions.listWorkflowRunArtifacts({
      ...repo,
      run_id: runId,
    });
    expect(list.total_count).toBe(0);
    const { steps, jobs } = await stepsOf(agent, runId);
    expect(jobs[0]?.conclusion).toBe("failure");
    expect(steps.slice(-3)).toEqual([
      ["Run the agent", "completed", "failure"],
      ["Upload the result", "completed", "skipped"],
      ["Complete job", "completed", "success"],
    ]);
    const record = recordOf(agent, runId);
    expect(record.exitCode).toBe(3);
    expect(record.output).toContain("the agent gave up");
    // A secret that is not set resolves to "", as on GitHub.
    expect(record.env?.ANTHROPIC_API_KEY).toBe("");
    const { data: check } = await agent.octokit.rest.checks.listAnnotations({
      ...repo,
      check_run_id: jobs[0]?.id ?? 0,
    });
    expect(check.map((a) => a.message)).toEqual(["Process completed with exit code 3."]);
  });

  it("fails the upload step (if-no-files-found: error) when the runner wrote no result", async () => {
    agent.runAgents("no-result");
    const runId = await agent.dispatch({ dispatch: "4" });
    await agent.world.sandbox.script.settleCi({});
    const { data: run } = await agent.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(run.conclusion).toBe("failure");
    expect((await stepsOf(agent, runId)).steps.slice(-3)).toEqual([
      ["Run the agent", "completed", "success"],
      ["Upload the result", "completed", "failure"],
      ["Complete job", "completed", "success"],
    ]);
    const { data: list } = await agent.octokit.rest.actions.listWorkflowRunArtifacts({
      ...repo,
      run_id: runId,
    });
    expect(list.total_count).toBe(0);
  });

  it("leaves other workflows, and agent runs while it is off, to the test's executor", async () => {
    const script = agent.world.sandbox.script;
    const seen: string[] = [];
    script.setWorkflowExecutor({
      executor: async ({ workflowPath }) => {
        seen.push(workflowPath);
      },
    });
    try {
      await script.pushFiles({
        repo: "acme/widgets",
        branch: "main",
        files: {
          ".github/workflows/lint.yml":
            "name: lint\non: workflow_dispatch\njobs:\n  lint:\n    steps:\n      - run: true\n",
        },
      });
      agent.runAgents("ok");
      await agent.octokit.rest.actions.createWorkflowDispatch({
        ...repo,
        workflow_id: "lint.yml",
        ref: "main",
      });
      await script.settleCi({});
      script.runAgentWorkflows(null);
      const runId = await agent.dispatch({ dispatch: "5" });
      await script.settleCi({});
      expect(seen).toEqual([".github/workflows/lint.yml", ".github/workflows/flotilla-agent.yml"]);
      expect(
        agent.world.sandbox.script.agentWorkflowRuns({ repo: "acme/widgets" }).some((r) => r.runId === runId),
      ).toBe(false);
    } finally {
      script.setWorkflowExecutor({ executor: null });
    }
  });

  it("answers tokenInfo over HTTP, null for a token that is not live", async () => {
    const response = await fetch(`${agent.world.sandbox.baseUrl}/_sandbox/tokenInfo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: "ghs_nope" }),
    });
    expect(await response.json()).toBeNull();
  });
});
