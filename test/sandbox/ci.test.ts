import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type World } from "../helpers/sandbox.js";
import { deliveriesOf, shapeProblems } from "./ci-helpers.js";

/** Exits 1 when the checkout holds `fail.flag`; prints what it saw so the check run's text shows it. */
const CHECK = [
  "node",
  "-e",
  "const fs=require('fs');console.log('checked', fs.readdirSync('.').sort().join(','), 'secret=' + (process.env.SANDBOX_TEST_SECRET ?? ''));process.exit(fs.existsSync('fail.flag') ? 1 : 0)",
];

describe("sandbox CI actor", () => {
  let world: World;
  let octokit: ReturnType<World["installationOctokit"]>;
  const repo = { owner: "acme", repo: "widgets" };

  beforeAll(async () => {
    world = await startWorld();
    octokit = world.installationOctokit();
    world.sandbox.script.setCi({ repo: "acme/widgets", name: "test", command: CHECK });
  });
  afterAll(async () => {
    expect(world.sandbox.responseProblems).toEqual([]);
    await world.stop();
  });

  it("runs the configured command on the PR head and reports failure when it exits 1", async () => {
    const script = world.sandbox.script;
    await script.pushFiles({ repo: "acme/widgets", branch: "broken", files: { "fail.flag": "1" } });
    const pull = await script.openPullRequest({
      repo: "acme/widgets",
      head: "broken",
      title: "Broken",
      user: "alice",
    });
    await script.settleCi({});
    const { data } = await octokit.rest.checks.listForRef({ ...repo, ref: pull.headSha, check_name: "test" });
    const run = data.check_runs[0];
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run?.app?.slug).toBe("github-actions");
    expect(run?.app?.id).not.toBe(world.app.id);
    expect(run?.output.text).toContain("README.md,fail.flag");
    expect(run?.pull_requests.map((p) => p.number)).toEqual([pull.number]);
    // The App under test hears about CI's suite although it does not own it.
    const completed = deliveriesOf(world, "check_suite", "completed").find(
      (d) => (d.payload.check_suite as { head_sha: string }).head_sha === pull.headSha,
    );
    expect(completed?.appId).toBe(world.app.id);
    expect(completed?.payload.check_suite).toMatchObject({ conclusion: "failure", head_branch: "broken" });
    expect(shapeProblems("check_suite", "completed", completed?.payload)).toEqual([]);
    const created = deliveriesOf(world, "check_run", "created").find(
      (d) => (d.payload.check_run as { head_sha: string }).head_sha === pull.headSha,
    );
    expect(shapeProblems("check_run", "created", created?.payload)).toEqual([]);
  });

  it("passes when the command exits 0, without leaking the sandbox's environment, and removes the checkout", async () => {
    process.env.SANDBOX_TEST_SECRET = "hunter2";
    try {
      const result = await world.sandbox.script.runCi({ repo: "acme/widgets", branch: "main" });
      expect(result.conclusion).toBe("success");
      const { data } = await octokit.rest.checks.get({ ...repo, check_run_id: result.checkRunId });
      expect(data.output.text).toContain("secret=\n");
      expect(data.output.summary).toContain("exited with code 0");
    } finally {
      delete process.env.SANDBOX_TEST_SECRET;
    }
    const gitDir = world.sandbox.store.repo("acme/widgets").gitDir;
    const worktrees = execFileSync("git", [`--git-dir=${gitDir}`, "worktree", "list"])
      .toString()
      .trim()
      .split("\n");
    expect(worktrees).toHaveLength(1);
  });

  it("ends a command that runs past its timeout as timed_out", async () => {
    world.sandbox.script.setCi({
      repo: "acme/widgets",
      name: "slow",
      command: ["node", "-e", "setTimeout(() => {}, 30000)"],
      timeoutMs: 300,
    });
    try {
      const result = await world.sandbox.script.runCi({ repo: "acme/widgets" });
      expect(result.conclusion).toBe("timed_out");
    } finally {
      world.sandbox.script.setCi({ repo: "acme/widgets", name: "test", command: CHECK });
    }
  });

  it("reports the configured outcome when there is no command", async () => {
    world.sandbox.script.setCi({ repo: "acme/widgets", name: "fake", outcome: "failure" });
    try {
      expect((await world.sandbox.script.runCi({ repo: "acme/widgets" })).conclusion).toBe("failure");
    } finally {
      world.sandbox.script.setCi({ repo: "acme/widgets", name: "test", command: CHECK });
    }
  });

  it("puts a pull request in the merge queue with merge_group.checks_requested and runs CI on the merge", async () => {
    const script = world.sandbox.script;
    await script.pushFiles({ repo: "acme/widgets", branch: "queued", files: { "ok.txt": "fine" } });
    const pull = await script.openPullRequest({
      repo: "acme/widgets",
      head: "queued",
      title: "Queued",
      user: "alice",
    });
    const group = await script.enqueueMergeGroup({ repo: "acme/widgets", pull: pull.number });
    expect(group.headRef).toBe(`refs/heads/gh-readonly-queue/main/pr-${pull.number}-${pull.headSha}`);
    await script.settleCi({});
    const hook = deliveriesOf(world, "merge_group", "checks_requested").at(-1);
    expect(hook?.payload.merge_group).toMatchObject({ head_sha: group.headSha, base_ref: "refs/heads/main" });
    expect(shapeProblems("merge_group", "checks_requested", hook?.payload)).toEqual([]);
    const { data } = await octokit.rest.checks.listForRef({ ...repo, ref: group.headSha });
    expect(data.check_runs.map((r) => [r.name, r.conclusion])).toEqual([["test", "success"]]);
  });

  it("runs on a push to a branch without a pull request only when set to run on pushes", async () => {
    const script = world.sandbox.script;
    const runsOn = async (sha: string) =>
      (await octokit.rest.checks.listForRef({ ...repo, ref: sha })).data.check_runs.map((r) => [
        r.name,
        r.conclusion,
      ]);
    const quiet = await script.pushFiles({ repo: "acme/widgets", branch: "no-ci", files: { "a.txt": "a" } });
    await script.settleCi({});
    expect(await runsOn(quiet.sha)).toEqual([]);

    script.setCi({ repo: "acme/widgets", name: "test", command: CHECK, onPush: true });
    try {
      const pushed = await script.pushFiles({
        repo: "acme/widgets",
        branch: "pushed",
        files: { "fail.flag": "1" },
      });
      await script.settleCi({});
      expect(await runsOn(pushed.sha)).toEqual([["test", "failure"]]);
    } finally {
      script.setCi({ repo: "acme/widgets", name: "test", command: CHECK });
    }
  });

  it("masks the configured env values (4 characters or more) in the check run's output", async () => {
    const env = { DEPLOY_TOKEN: "tok-0123456789", SHORT: "abc" };
    world.sandbox.script.setCi({
      repo: "acme/widgets",
      name: "secrets",
      command: ["sh", "-c", 'echo "token=$DEPLOY_TOKEN short=$SHORT"; exit 3'],
      env,
    });
    try {
      const result = await world.sandbox.script.runCi({ repo: "acme/widgets" });
      const { data } = await octokit.rest.checks.get({ ...repo, check_run_id: result.checkRunId });
      expect(data.output.text).toContain("token=*** short=abc");
      expect(JSON.stringify(data.output)).not.toContain(env.DEPLOY_TOKEN);
    } finally {
      world.sandbox.script.setCi({ repo: "acme/widgets", name: "test", command: CHECK });
    }
  });
});

describe("stopping the sandbox while CI runs", () => {
  it("kills the CI command in flight, ends its check run cancelled, and only then removes the data", async () => {
    const world = await startWorld();
    const scratch = await mkdtemp(join(tmpdir(), "sandbox-ci-stop-"));
    const pidFile = join(scratch, "pid");
    try {
      const script = world.sandbox.script;
      script.setCi({
        repo: "acme/widgets",
        name: "slow",
        command: ["sh", "-c", 'echo $$ > "$PID_FILE"; exec sleep 30'],
        env: { PID_FILE: pidFile },
      });
      await script.pushFiles({ repo: "acme/widgets", branch: "slow", files: { "a.txt": "a" } });
      const pull = await script.openPullRequest({
        repo: "acme/widgets",
        head: "slow",
        title: "Slow",
        user: "alice",
      });
      let pid = 0;
      while (!pid) {
        pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
        if (!pid) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(() => process.kill(pid, 0)).not.toThrow();
      const repoState = world.sandbox.store.repo("acme/widgets");
      await world.stop();
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
      const check = repoState.checkRuns.find((c) => c.headSha === pull.headSha && c.name === "slow");
      expect(check).toMatchObject({ status: "completed", conclusion: "cancelled" });
      expect(check?.output?.summary).toContain("cancelled");
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
