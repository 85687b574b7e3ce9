import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type TestOctokitInstance, type World } from "../helpers/sandbox.js";

async function deliveriesDuring(world: World, act: () => Promise<unknown>) {
  const before = world.sandbox.webhooks.deliveries.length;
  await act();
  return world.sandbox.webhooks.deliveries.slice(before);
}

describe("sandbox pull requests", () => {
  let world: World;
  let octokit: TestOctokitInstance;
  const repo = { owner: "acme", repo: "widgets" };
  const push = (branch: string, files: Record<string, string>, author = "alice") =>
    world.sandbox.script.pushFiles({ repo: "acme/widgets", branch, files, author });

  beforeAll(async () => {
    world = await startWorld({ files: { "README.md": "# widgets\n", "src/a.ts": "export const a = 1;\n" } });
    octokit = world.installationOctokit();
  });
  afterAll(async () => {
    expect(world.sandbox.responseProblems).toEqual([]);
    await world.stop();
  });

  it("opens a pull request with its diff numbers and emits pull_request.opened from the bot", async () => {
    const { sha } = await push("feature", { "src/a.ts": "export const a = 2;\nexport const b = 3;\n" });
    const deliveries = await deliveriesDuring(world, async () => {
      const { status, data } = await octokit.rest.pulls.create({
        ...repo,
        head: "feature",
        base: "main",
        title: "Feature",
      });
      expect(status).toBe(201);
      expect(data).toMatchObject({
        head: { ref: "feature", sha, label: "acme:feature" },
        base: { ref: "main", sha: world.repo.headSha },
        commits: 1,
        additions: 2,
        deletions: 1,
        changed_files: 1,
        mergeable: true,
        mergeable_state: "clean",
        user: { login: world.app.botLogin },
      });
    });
    expect(deliveries.map((d) => `${d.event}.${d.action}`)).toEqual(["pull_request.opened"]);
    expect(deliveries[0]?.payload.sender).toMatchObject({ login: world.app.botLogin });
  });

  it("refuses a second pull request for the same head with 422", async () => {
    await expect(
      octokit.rest.pulls.create({ ...repo, head: "feature", base: "main", title: "Again" }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ message: "A pull request already exists for acme:feature." }] } },
    });
  });

  it("refuses a missing head branch and a head equal to its base with 422", async () => {
    await expect(
      octokit.rest.pulls.create({ ...repo, head: "nope", base: "main", title: "x" }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      octokit.rest.pulls.create({ ...repo, head: "main", base: "main", title: "x" }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it("lists pull requests by head owner:branch and base, and shows them in the issue list", async () => {
    const { data } = await octokit.rest.pulls.list({ ...repo, head: "acme:feature", base: "main" });
    expect(data.map((p) => p.title)).toEqual(["Feature"]);
    expect((await octokit.rest.pulls.list({ ...repo, head: "acme:other" })).data).toEqual([]);
    const { data: issues } = await octokit.rest.issues.listForRepo(repo);
    expect(issues.find((i) => i.number === data[0]?.number)?.pull_request?.url).toContain("/pulls/");
  });

  it("lists a pull request's files and commits, and serves it as a diff", async () => {
    const { data: files } = await octokit.rest.pulls.listFiles({ ...repo, pull_number: 1 });
    expect(files.map((f) => [f.filename, f.status, f.additions, f.deletions])).toEqual([
      ["src/a.ts", "modified", 2, 1],
    ]);
    const { data: commits } = await octokit.rest.pulls.listCommits({ ...repo, pull_number: 1 });
    expect(commits).toHaveLength(1);
    const diff = await octokit.rest.pulls.get({ ...repo, pull_number: 1, mediaType: { format: "diff" } });
    expect(String(diff.data)).toContain("+export const b = 3;");
  });

  it("synchronizes an open pull request when its head branch moves, with before and after", async () => {
    const { data: before } = await octokit.rest.pulls.get({ ...repo, pull_number: 1 });
    let after = "";
    const deliveries = await deliveriesDuring(world, async () => {
      after = (await push("feature", { "src/c.ts": "export const c = 1;\n" })).sha;
    });
    const sync = deliveries.find((d) => d.event === "pull_request");
    expect(sync?.payload).toMatchObject({ action: "synchronize", before: before.head.sha, after, number: 1 });
    const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: 1 });
    expect(data.head.sha).toBe(after);
    expect(data.commits).toBe(2);
  });

  it("emits pull_request.labeled (not issues.labeled) when a pull request is labelled", async () => {
    const deliveries = await deliveriesDuring(world, () =>
      octokit.rest.issues.addLabels({ ...repo, issue_number: 1, labels: ["flotilla"] }),
    );
    expect(deliveries.map((d) => `${d.event}.${d.action}`)).toEqual(["pull_request.labeled"]);
  });

  it("edits, closes without merging and reopens a pull request", async () => {
    const deliveries = await deliveriesDuring(world, async () => {
      await octokit.rest.pulls.update({ ...repo, pull_number: 1, title: "Feature, renamed" });
      await octokit.rest.pulls.update({ ...repo, pull_number: 1, state: "closed" });
      await octokit.rest.pulls.update({ ...repo, pull_number: 1, state: "open" });
    });
    expect(deliveries.map((d) => d.action)).toEqual(["edited", "closed", "reopened"]);
    expect(deliveries[1]?.payload.pull_request).toMatchObject({ merged: false, state: "closed" });
  });

  it("refuses a line comment outside the diff and threads a reply with in_reply_to", async () => {
    await expect(
      octokit.rest.pulls.createReviewComment({
        ...repo,
        pull_number: 1,
        body: "?",
        path: "README.md",
        line: 1,
        commit_id: "x",
      }),
    ).rejects.toMatchObject({ status: 422 });
    const deliveries = await deliveriesDuring(world, async () => {
      const { data: first } = await octokit.rest.pulls.createReviewComment({
        ...repo,
        pull_number: 1,
        body: "Why 2?",
        path: "src/a.ts",
        line: 1,
        side: "RIGHT",
        commit_id: "ignored",
      });
      const { data: reply } = await octokit.rest.pulls.createReplyForReviewComment({
        ...repo,
        pull_number: 1,
        comment_id: first.id,
        body: "Because.",
      });
      expect(reply).toMatchObject({ in_reply_to_id: first.id, path: "src/a.ts", line: 1 });
    });
    expect(deliveries.map((d) => `${d.event}.${d.action}`)).toEqual([
      "pull_request_review_comment.created",
      "pull_request_review.submitted",
      "pull_request_review_comment.created",
      "pull_request_review.submitted",
    ]);
    const { data } = await octokit.rest.pulls.listReviewComments({ ...repo, pull_number: 1 });
    expect(data.map((c) => c.body)).toEqual(["Why 2?", "Because."]);
  });

  it("keeps a review without an event PENDING until it is submitted", async () => {
    const created = await deliveriesDuring(world, async () => {
      const { data } = await octokit.rest.pulls.createReview({ ...repo, pull_number: 1, body: "Looks fine" });
      expect(data.state).toBe("PENDING");
      const submitted = await octokit.rest.pulls.submitReview({
        ...repo,
        pull_number: 1,
        review_id: data.id,
        event: "COMMENT",
      });
      expect(submitted.data.state).toBe("COMMENTED");
    });
    expect(created.map((d) => `${d.event}.${d.action}`)).toEqual(["pull_request_review.submitted"]);
  });

  it("refuses to let the App approve its own pull request, but lets a person review it with line comments", async () => {
    await expect(
      octokit.rest.pulls.createReview({ ...repo, pull_number: 1, event: "APPROVE" }),
    ).rejects.toMatchObject({
      status: 422,
    });
    const deliveries = await deliveriesDuring(world, () =>
      world.sandbox.script.review({
        repo: "acme/widgets",
        pull: 1,
        user: "alice",
        event: "REQUEST_CHANGES",
        body: "Almost",
        comments: [{ path: "src/c.ts", line: 1, body: "rename c" }],
      }),
    );
    expect(deliveries.map((d) => `${d.event}.${d.action}`)).toEqual([
      "pull_request_review_comment.created",
      "pull_request_review.submitted",
    ]);
    expect(deliveries[1]?.payload.review).toMatchObject({
      state: "changes_requested",
      user: { login: "alice" },
    });
    const review = deliveries[1]?.payload.review as { id: number };
    const { data: comments } = await octokit.rest.pulls.listCommentsForReview({
      ...repo,
      pull_number: 1,
      review_id: review.id,
    });
    expect(comments.map((c) => [c.path, c.line, c.body])).toEqual([["src/c.ts", 1, "rename c"]]);
    const { data: rest } = await octokit.rest.pulls.getReview({
      ...repo,
      pull_number: 1,
      review_id: review.id,
    });
    expect(rest.state).toBe("CHANGES_REQUESTED");
  });

  it("merges with a real two-parent merge commit on the base branch, then closed (merged) and push", async () => {
    const { data: pr } = await octokit.rest.pulls.get({ ...repo, pull_number: 1 });
    const deliveries = await deliveriesDuring(world, () =>
      world.sandbox.script.mergePullRequest({ repo: "acme/widgets", pull: 1, user: "alice" }),
    );
    expect(deliveries.map((d) => `${d.event}.${d.action ?? ""}`)).toEqual(["pull_request.closed", "push."]);
    expect(deliveries[0]?.payload.pull_request).toMatchObject({
      merged: true,
      merged_by: { login: "alice" },
    });
    const main = await world.sandbox.script.branchSha({ repo: "acme/widgets", branch: "main" });
    const { data: commit } = await octokit.rest.git.getCommit({ ...repo, commit_sha: main as string });
    expect(commit.parents.map((p) => p.sha)).toEqual([pr.base.sha, pr.head.sha]);
    expect(await world.sandbox.script.readFile({ repo: "acme/widgets", path: "src/c.ts" })).toBe(
      "export const c = 1;\n",
    );
    expect((await octokit.rest.pulls.checkIfMerged({ ...repo, pull_number: 1 })).status).toBe(204);
  });

  it("merges through the REST API as the App", async () => {
    await push("second", { "docs.md": "docs\n" });
    const { data: pr } = await octokit.rest.pulls.create({
      ...repo,
      head: "second",
      base: "main",
      title: "Docs",
    });
    const { data } = await octokit.rest.pulls.merge({ ...repo, pull_number: pr.number, sha: pr.head.sha });
    expect(data.merged).toBe(true);
    const { data: after } = await octokit.rest.pulls.get({ ...repo, pull_number: pr.number });
    expect(after).toMatchObject({ state: "closed", merged: true, merge_commit_sha: data.sha });
  });
});
