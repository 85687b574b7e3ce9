import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { scriptedAgentConfig } from "../../scripts/loopback.js";
import { runnerBin } from "../../scripts/runner-bin.js";
import { assertIdsOnly } from "../../src/backends/actions/workflow-inputs.js";
import {
  configWithScriptedAgent,
  expectNothingPublished,
  type Loop,
  scriptedIssue,
  startLoop,
  waitFor,
} from "../helpers/loop.js";
import { isAlive } from "../helpers/process.js";

// The actions backend end to end: a label → a workflow_dispatch → the sandbox's Actions runner runs the
// template's runner step as a child process → an artifact → the App's commit → a pull request.

const TEMPLATE = readFileSync(".github/workflows/flotilla-agent.yml", "utf8");
const REPO = "acme/widgets";
const HELLO = "write hello.txt <<EOF\nhello\nEOF";

const RUNNER = runnerBin();
// A second agent, `hasty`, that the runner stops after 2 seconds (its entry under `agents:`).
const HASTY = scriptedAgentConfig("hasty", "2s").replace(/^agents:\n/, "");

function files(extra = "") {
  return {
    "README.md": "# widgets\n",
    ".github/workflows/flotilla-agent.yml": TEMPLATE,
    ".github/flotilla.yml": configWithScriptedAgent(
      `${HASTY}\nbackend: actions\nactions:\n  startTimeout: 2s\n  retries: 1\n${extra}`,
    ),
  };
}

async function startActionsLoop(extra = "", watchdogIntervalMs = 300): Promise<Loop> {
  const started = await startLoop({
    files: files(extra),
    worker: { watchdogIntervalMs },
    workerConcurrency: 2,
  });
  started.world.sandbox.script.runAgentWorkflows({ path: [RUNNER] });
  return started;
}

function helpers(get: () => Loop) {
  const statusOf = async (issue: number) =>
    (await get().comments(issue)).find(
      (c) => c.body.includes("flotilla:status") && c.body.includes(`-i${issue}-`),
    )?.body;
  return {
    prFor: (issue: number, timeoutMs?: number) =>
      waitFor(
        `a pull request for #${issue}`,
        async () => (await get().pulls()).find((p) => p.head === `flotilla/${issue}-scripted`),
        timeoutMs,
      ),
    status: (issue: number, pattern: RegExp) =>
      waitFor(`the status comment on #${issue} to match ${pattern}`, async () => {
        const body = await statusOf(issue);
        return body && pattern.test(body) ? body.replaceAll("\u200b", "") : undefined;
      }),
    nothingPublished: (issue: number) => expectNothingPublished(get(), issue),
    runs: () => get().world.sandbox.script.agentWorkflowRuns({ repo: REPO }),
    /** The runs of one issue's task, as the sandbox's Actions keeps them. */
    runsOf: (issue: number) =>
      get()
        .world.sandbox.store.repo(REPO)
        .workflowRuns.filter((r) => String(r.inputs.issue) === String(issue)),
  };
}

describe("the actions backend", () => {
  let loop: Loop;
  const h = helpers(() => loop);
  beforeAll(async () => {
    loop = await startActionsLoop();
  });
  afterAll(() => loop.stop());

  it("runs the agent on an Actions runner with a read-only token, links the run while it runs, and opens the PR", async () => {
    // The agent waits for the test to have seen it running: however slow the machine, "Running" shows.
    const gate = join(loop.settings.dataDir, "greet-go");
    const issue = await loop.openIssue("Greet", scriptedIssue(`await ${gate}\n${HELLO}`));
    await loop.label(issue, "agent:scripted");

    // While it runs: the status links the run's logs, and the runner step holds only a read-only token.
    const running = await h.status(issue, /Running\.\*\*.*\[logs\]\(http[^)]+\/actions\/runs\/\d+/);
    expect(running).toContain("`actions`");
    const record = await waitFor("the runner step to start", async () => {
      const [first] = await h.runs();
      return first?.env && first.pid ? first : undefined;
    });
    const env = record.env ?? {};
    const jobToken = env.GITHUB_TOKEN ?? "";
    expect(loop.world.sandbox.script.tokenInfo({ token: jobToken })).toMatchObject({
      app: "github-actions",
      permissions: { contents: "read", issues: "read", pull_requests: "read", metadata: "read" },
    });
    // No token of Flotilla's App (which can write) is anywhere in the runner's environment.
    const appTokens = [...loop.world.sandbox.store.tokens.values()].filter(
      (t) => loop.world.sandbox.store.installations.get(t.installationId)?.appId === loop.world.app.id,
    );
    expect(appTokens.length).toBeGreaterThan(0);
    for (const { token } of appTokens) expect(Object.values(env).join("\n")).not.toContain(token);
    expect(Object.values(env).filter((v) => /^gh[pousr]_/.test(v))).toEqual([jobToken]);
    writeFileSync(gate, "");

    const pr = await h.prFor(issue);
    await h.status(issue, /Pull request opened/);
    const gh = loop.world.installationOctokit();
    const { data: head } = await gh.rest.repos.getCommit({ owner: "acme", repo: "widgets", ref: pr.head });
    expect(head.commit.message).toContain("Made by the scripted agent via Flotilla.");
    expect(head.files?.map((f) => f.filename)).toEqual(["hello.txt"]);

    // The dispatch: on the default branch, ids only, the task's id in the run's name.
    const [run] = h.runsOf(issue);
    expect(run).toMatchObject({ headBranch: "main", event: "workflow_dispatch", conclusion: "success" });
    expect(run?.displayTitle).toMatch(new RegExp(`^Flotilla r\\d+-i${issue}-scripted a1\\.1$`));
    const inputs = (run?.inputs ?? {}) as Record<string, string | number>;
    expect(() => assertIdsOnly(inputs)).not.toThrow();
    expect(JSON.stringify(inputs)).not.toContain("hello");
    expect((await loop.redisTask(issue))?.state).toBe("checking");
  });

  it("reports a run that failed, with its log, and pushes nothing", async () => {
    loop.world.sandbox.script.runAgentWorkflows({ path: [runnerBin('echo "runner exploded" >&2; exit 1')] });
    try {
      const issue = await loop.openIssue("Fails", scriptedIssue(HELLO));
      await loop.label(issue, "agent:scripted");
      const status = await h.status(issue, /Failed/);
      expect(status).toContain("The Actions run failed at the step “Run the agent”");
      expect(status).toMatch(/\[The run's log\]\(http[^)]+\/actions\/runs\/\d+/);
      await h.nothingPublished(issue);
      expect(h.runsOf(issue)).toHaveLength(1);
    } finally {
      loop.world.sandbox.script.runAgentWorkflows({ path: [RUNNER] });
    }
  });

  it("reports a run that left no result artifact", async () => {
    loop.world.sandbox.script.runAgentWorkflows({ path: [runnerBin("echo nothing to see")] });
    try {
      const issue = await loop.openIssue("No artifact", scriptedIssue(HELLO));
      await loop.label(issue, "agent:scripted");
      const status = await h.status(issue, /Failed/);
      expect(status).toContain("The Actions run failed at the step “Upload the result”");
      await h.nothingPublished(issue);
    } finally {
      loop.world.sandbox.script.runAgentWorkflows({ path: [RUNNER] });
    }
  });

  it("refuses an artifact whose change breaks the path policy, and pushes nothing", async () => {
    const issue = await loop.openIssue(
      "Speed up CI",
      scriptedIssue(
        "write .github/workflows/ci.yml <<EOF\non: push\nEOF\nwrite README.md <<EOF\nfaster\nEOF",
      ),
    );
    await loop.label(issue, "agent:scripted");
    const status = await h.status(issue, /Not published/);
    expect(status).toContain(".github/workflows/ci.yml");
    await h.nothingPublished(issue);
  });

  it("cancels the run when the label is removed, says so, and no commit arrives afterwards", async () => {
    const issue = await loop.openIssue("Stop me", scriptedIssue(`sleep 30000\n${HELLO}`));
    await loop.label(issue, "agent:scripted");
    await h.status(issue, /Running\.\*\*/);
    const record = await waitFor("the runner step to start", async () =>
      (await h.runs()).find((r) => r.runId === h.runsOf(issue)[0]?.id && r.pid),
    );
    await loop.world.sandbox.script.removeLabel({
      repo: REPO,
      issue,
      label: "agent:scripted",
      user: "alice",
    });
    const status = await h.status(issue, /Cancelled/);
    expect(status).toContain("@alice removed the label");
    expect(h.runsOf(issue)[0]?.conclusion).toBe("cancelled");
    // The runner process was killed, not left to finish its work (its script sleeps 30 s): gone within 5 s.
    await waitFor("the runner process to be gone", async () => !isAlive(record.pid as number), 5_000);
    await loop.world.sandbox.script.settleCi({});
    await h.nothingPublished(issue);
    expect((await loop.redisTask(issue))?.state).toBe("cancelled");
  });

  it("cancels the run when the issue is closed, and ignores a close by someone without write access", async () => {
    const issue = await loop.openIssue("Close me", scriptedIssue(`sleep 30000\n${HELLO}`));
    await loop.label(issue, "agent:scripted");
    await h.status(issue, /Running\.\*\*/);
    // rob (read access) closes and reopens it: the agent keeps working.
    await loop.world.sandbox.script.closeIssue({ repo: REPO, issue, user: "rob" });
    await loop.world.sandbox.script.reopenIssue({ repo: REPO, issue, user: "rob" });
    await loop.world.sandbox.script.settleWebhooks({});
    expect((await loop.redisTask(issue))?.cancel).toBeUndefined();
    expect(h.runsOf(issue)[0]?.status).toBe("in_progress");

    await loop.world.sandbox.script.closeIssue({ repo: REPO, issue, user: "alice" });
    const status = await h.status(issue, /Cancelled/);
    expect(status).toContain("@alice closed the issue");
    expect(h.runsOf(issue)[0]?.conclusion).toBe("cancelled");
    await h.nothingPublished(issue);
  });

  it("dispatches again a run that never starts, and a run whose runner is lost", async () => {
    loop.world.sandbox.script.agentWorkflowFault({ repo: REPO, fault: "never-start" });
    const never = await loop.openIssue("Never starts", scriptedIssue(HELLO));
    await loop.label(never, "agent:scripted");
    await h.prFor(never);
    const [first, second] = h.runsOf(never);
    expect(first?.conclusion).toBe("cancelled");
    expect(second?.displayTitle).toMatch(/ a1\.2$/);
    expect((await loop.redisTask(never))?.run?.lost).toEqual([expect.stringContaining("waited")]);

    loop.world.sandbox.script.agentWorkflowFault({ repo: REPO, fault: "runner-lost" });
    const lost = await loop.openIssue("Runner lost", scriptedIssue(`sleep 300\n${HELLO}`));
    await loop.label(lost, "agent:scripted");
    await h.prFor(lost);
    expect(h.runsOf(lost).map((r) => r.conclusion)).toEqual(["failure", "success"]);
    expect((await loop.redisTask(lost))?.run?.lost).toEqual(["the runner was lost partway through the job"]);
  });

  it("ends the task timed out when the job runs past its time limit", async () => {
    loop.world.sandbox.script.runAgentWorkflows({ path: [RUNNER], timeoutMs: 1_500 });
    try {
      const issue = await loop.openIssue("Too slow", scriptedIssue(`sleep 30000\n${HELLO}`));
      await loop.label(issue, "agent:scripted");
      const status = await h.status(issue, /Failed/);
      expect(status).toContain("The Actions job ran past its time limit and was stopped");
      expect((await loop.redisTask(issue))?.state).toBe("timed-out");
      await h.nothingPublished(issue);
    } finally {
      loop.world.sandbox.script.runAgentWorkflows({ path: [RUNNER] });
    }
  });

  it("keeps the work of an agent the runner stopped at its time limit on the branch, with no pull request", async () => {
    const issue = await loop.openIssue(
      "Half a greeting",
      scriptedIssue("write hello.txt <<EOF\nhel\nEOF\nsleep 60000"),
    );
    await loop.label(issue, "agent:hasty");
    const status = await h.status(issue, /Stopped at its limit/);
    expect(status).toContain("stopped at its time limit (2 s)");
    expect(status).toContain(`Its partial work is on [\`flotilla/${issue}-hasty\`](http`);
    const gh = loop.world.installationOctokit();
    const { data } = await gh.rest.repos.getContent({
      owner: "acme",
      repo: "widgets",
      path: "hello.txt",
      ref: `flotilla/${issue}-hasty`,
    });
    expect("content" in data && Buffer.from(data.content, "base64").toString()).toBe("hel\n");
    expect((await loop.pulls()).filter((p) => p.head === `flotilla/${issue}-hasty`)).toEqual([]);
    expect((await loop.redisTask(issue, "hasty"))?.state).toBe("timed-out");
  });

  it("finishes the task when GitHub never reports the run: the watchdog finds it by name and collects it", async () => {
    loop.world.sandbox.script.setDispatchRunDetails({ enabled: false });
    loop.world.sandbox.script.dropWebhooks({ events: ["workflow_run", "workflow_job"] });
    try {
      const issue = await loop.openIssue("Silent server", scriptedIssue(HELLO));
      await loop.label(issue, "agent:scripted");
      await h.prFor(issue, 30_000);
      await h.status(issue, /Pull request opened/);
      expect(h.runsOf(issue)).toHaveLength(1);
    } finally {
      loop.world.sandbox.script.dropWebhooks({ events: [] });
      loop.world.sandbox.script.setDispatchRunDetails({ enabled: true });
    }
  });

  it("gives up, saying why, when the infrastructure fails every try", async () => {
    loop.world.sandbox.script.agentWorkflowFault({ repo: REPO, fault: "startup-failure", times: 2 });
    const issue = await loop.openIssue("Broken infrastructure", scriptedIssue(HELLO));
    await loop.label(issue, "agent:scripted");
    const status = await h.status(issue, /Failed/);
    expect(status).toContain("GitHub Actions did not carry out the run");
    expect(status).toContain("after 2 tries");
    expect(h.runsOf(issue).map((r) => r.conclusion)).toEqual(["startup_failure", "startup_failure"]);
    await h.nothingPublished(issue);
  });
});

describe("the actions backend, webhooks alone (no watchdog)", () => {
  let loop: Loop;
  const h = helpers(() => loop);
  beforeAll(async () => {
    loop = await startActionsLoop("concurrency:\n  perRepo: 5\n", 3_600_000);
  });
  afterAll(() => loop.stop());

  it("finds its run by name where the dispatch does not return the run's id (older GitHub Enterprise Server)", async () => {
    loop.world.sandbox.script.setDispatchRunDetails({ enabled: false });
    try {
      const issue = await loop.openIssue("Old server", scriptedIssue(HELLO));
      await loop.label(issue, "agent:scripted");
      await h.prFor(issue);
      const [run] = h.runsOf(issue);
      expect((await loop.redisTask(issue))?.run?.id).toBe(run?.id);
    } finally {
      loop.world.sandbox.script.setDispatchRunDetails({ enabled: true });
    }
  });

  it("keeps at most perRepo runs in progress, and turns 20 issues into 20 pull requests, none twice", async () => {
    const issues: number[] = [];
    for (let n = 1; n <= 20; n++)
      issues.push(await loop.openIssue(`Task ${n}`, scriptedIssue(`sleep 200\n${HELLO}`)));
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const open = loop.world.sandbox.store.repo(REPO).workflowRuns.filter((r) => r.status !== "completed");
        most = Math.max(most, open.length);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    for (const issue of issues) await loop.label(issue, "agent:scripted");
    const heads = new Set(issues.map((issue) => `flotilla/${issue}-scripted`));
    const ours = async () => (await loop.pulls()).filter((p) => heads.has(p.head));
    await waitFor("20 pull requests", async () => (await ours()).length === 20, 120_000);
    sampling = false;
    await sampler;
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(5);
    expect(new Set((await ours()).map((p) => p.head)).size).toBe(20);
    for (const issue of issues) expect(h.runsOf(issue)).toHaveLength(1);
  }, 180_000);
});
