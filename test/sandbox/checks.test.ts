import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type World } from "../helpers/sandbox.js";
import {
  deliveriesOf as deliveries,
  statusOf as status,
  shapeProblems as webhookShapeProblems,
} from "./ci-helpers.js";

describe("sandbox checks API", () => {
  let world: World;
  let octokit: ReturnType<World["installationOctokit"]>;
  let sha: string;
  const repo = { owner: "acme", repo: "widgets" };

  beforeAll(async () => {
    world = await startWorld();
    octokit = world.installationOctokit();
    sha = world.repo.headSha;
  });
  afterAll(async () => {
    expect(world.sandbox.responseProblems).toEqual([]);
    await world.stop();
  });

  it("creates a check run in the App's suite for the sha and lists it by sha and by branch", async () => {
    const { data: run } = await octokit.rest.checks.create({ ...repo, name: "lint", head_sha: sha });
    expect(run.status).toBe("queued");
    expect(run.app?.id).toBe(world.app.id);
    const { data: bySha } = await octokit.rest.checks.listForRef({ ...repo, ref: sha, check_name: "lint" });
    expect(bySha.check_runs.map((r) => r.id)).toEqual([run.id]);
    const { data: byBranch } = await octokit.rest.checks.listForRef({
      ...repo,
      ref: "main",
      check_name: "lint",
    });
    expect(byBranch.total_count).toBe(1);
    const { data: suite } = await octokit.rest.checks.getSuite({
      ...repo,
      check_suite_id: run.check_suite?.id ?? 0,
    });
    expect(suite).toMatchObject({
      head_sha: sha,
      head_branch: "main",
      status: "queued",
      latest_check_runs_count: 1,
    });
    expect(suite.head_commit.id).toBe(sha);
  });

  it("refuses a completed check run without a conclusion with 422", async () => {
    expect(
      await status(octokit.rest.checks.create({ ...repo, name: "x", head_sha: sha, status: "completed" })),
    ).toBe(422);
  });

  it("marks a check run completed when a conclusion is given", async () => {
    const { data } = await octokit.rest.checks.create({
      ...repo,
      name: "fast",
      head_sha: sha,
      conclusion: "neutral",
    });
    expect(data.status).toBe("completed");
    expect(data.completed_at).not.toBeNull();
  });

  it("refuses more than 50 annotations in one request, and keeps those sent over several", async () => {
    const annotation = {
      path: "README.md",
      start_line: 1,
      end_line: 1,
      annotation_level: "warning" as const,
      message: "m",
    };
    const many = Array.from({ length: 51 }, () => annotation);
    const output = { title: "t", summary: "s", annotations: many };
    expect(await status(octokit.rest.checks.create({ ...repo, name: "a", head_sha: sha, output }))).toBe(422);
    const { data: run } = await octokit.rest.checks.create({
      ...repo,
      name: "a",
      head_sha: sha,
      output: { ...output, annotations: many.slice(0, 50) },
    });
    await octokit.rest.checks.update({
      ...repo,
      check_run_id: run.id,
      output: { ...output, annotations: [annotation] },
    });
    const all = await octokit.paginate(octokit.rest.checks.listAnnotations, {
      ...repo,
      check_run_id: run.id,
    });
    expect(all).toHaveLength(51);
    expect(all[0]?.blob_href).toContain(sha);
  });

  it("completes the suite with the worst conclusion of its runs and sends check_suite.completed once", async () => {
    const { data: commit } = {
      data: await world.sandbox.script.createRepo({ owner: "acme", name: "gadgets", files: { a: "1" } }),
    };
    const target = { owner: "acme", repo: "gadgets" };
    const head = commit.headSha as string;
    const { data: one } = await octokit.rest.checks.create({
      ...target,
      name: "one",
      head_sha: head,
      status: "in_progress",
    });
    const { data: two } = await octokit.rest.checks.create({ ...target, name: "two", head_sha: head });
    await octokit.rest.checks.update({ ...target, check_run_id: one.id, conclusion: "success" });
    const suiteId = one.check_suite?.id ?? 0;
    expect((await octokit.rest.checks.getSuite({ ...target, check_suite_id: suiteId })).data.status).toBe(
      "in_progress",
    );
    await octokit.rest.checks.update({
      ...target,
      check_run_id: two.id,
      status: "completed",
      conclusion: "failure",
    });
    const { data: suite } = await octokit.rest.checks.getSuite({ ...target, check_suite_id: suiteId });
    expect(suite).toMatchObject({ status: "completed", conclusion: "failure" });
    await world.sandbox.webhooks.settled();
    const completed = deliveries(world, "check_suite", "completed").filter(
      (d) => (d.payload.check_suite as { id: number }).id === suiteId,
    );
    expect(completed).toHaveLength(1);
    expect(webhookShapeProblems("check_suite", "completed", completed[0]?.payload)).toEqual([]);
  });

  it("sends check_run created and completed shaped like GitHub's", async () => {
    const { data: run } = await octokit.rest.checks.create({ ...repo, name: "hooked", head_sha: sha });
    await octokit.rest.checks.update({ ...repo, check_run_id: run.id, conclusion: "success" });
    await world.sandbox.webhooks.settled();
    for (const action of ["created", "completed"]) {
      const found = deliveries(world, "check_run", action).find(
        (d) => (d.payload.check_run as { id: number }).id === run.id,
      );
      expect(webhookShapeProblems("check_run", action, found?.payload)).toEqual([]);
    }
  });

  it("lists suites for a ref and creates a suite only once per App and sha", async () => {
    const first = await octokit.rest.checks.createSuite({ ...repo, head_sha: sha });
    expect(first.status).toBe(200);
    const { data } = await octokit.rest.checks.listSuitesForRef({ ...repo, ref: sha, app_id: world.app.id });
    expect(data.check_suites.map((s) => s.id)).toEqual([first.data.id]);
    expect(await status(octokit.rest.checks.listSuitesForRef({ ...repo, ref: "no-such-branch" }))).toBe(422);
  });
});

describe("sandbox commit statuses", () => {
  let world: World;
  const repo = { owner: "acme", repo: "widgets" };

  beforeAll(async () => {
    world = await startWorld();
    // Statuses need write; the default App may only read them.
    const installation = world.sandbox.store.installations.get(world.installationId);
    if (installation) installation.permissions.statuses = "write";
  });
  afterAll(async () => {
    expect(world.sandbox.responseProblems).toEqual([]);
    await world.stop();
  });

  it("combines the latest status per context: pending, then failure, then success", async () => {
    const octokit = world.installationOctokit();
    const sha = world.repo.headSha;
    const combined = async () =>
      (await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: "main" })).data;
    expect((await combined()).state).toBe("pending");
    await octokit.rest.repos.createCommitStatus({ ...repo, sha, state: "pending", context: "ci/build" });
    await octokit.rest.repos.createCommitStatus({ ...repo, sha, state: "success", context: "ci/lint" });
    expect((await combined()).state).toBe("pending");
    await octokit.rest.repos.createCommitStatus({ ...repo, sha, state: "failure", context: "ci/build" });
    expect((await combined()).state).toBe("failure");
    await octokit.rest.repos.createCommitStatus({ ...repo, sha, state: "success", context: "ci/build" });
    const final = await combined();
    expect(final).toMatchObject({ state: "success", total_count: 2, sha });
    const { data: all } = await octokit.rest.repos.listCommitStatusesForRef({ ...repo, ref: sha });
    expect(all.map((s) => s.state)).toEqual(["success", "failure", "success", "pending"]);
    expect(all[0]?.creator?.login).toBe(world.app.botLogin);
    await world.sandbox.webhooks.settled();
    const hook = world.sandbox.webhooks.deliveries.find((d) => d.event === "status");
    expect(webhookShapeProblems("status", undefined, hook?.payload)).toEqual([]);
  });
});
