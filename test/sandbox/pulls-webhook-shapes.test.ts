import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type World } from "../helpers/sandbox.js";
import { examplesFor, webhookShapeProblems } from "../helpers/webhook-shape.js";

/**
 * Every issue and pull request webhook the sandbox sends, compared with GitHub's own examples. Where the
 * examples hold none for an action (issues.closed, pull_request.edited), the event's shared shape is used.
 */
const EXPECTED = [
  "issues.opened",
  "issues.labeled",
  "issues.unlabeled",
  "issues.edited",
  "issues.closed",
  "issues.reopened",
  "issue_comment.created",
  "issue_comment.edited",
  "issue_comment.deleted",
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.edited",
  "pull_request.labeled",
  "pull_request.closed",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request_review.submitted",
  "pull_request_review_comment.created",
];

/**
 * Fields GitHub documents as nullable where the examples happen to hold only a value, or only null: a
 * difference in data (an issue with no milestone, a review with a body), not in shape.
 */
const NULLABLE = new Set([
  "issue.assignee",
  "issue.milestone",
  "pull_request.assignee",
  "pull_request.milestone",
  "pull_request.merged_at",
  "pull_request.merged_by",
  "review.body",
]);

function isDataDifference(problem: string): boolean {
  const [path, rest] = problem.split(": ");
  return NULLABLE.has(path ?? "") && /(is null, examples have|examples have null$)/.test(rest ?? "");
}

function hasExamples(event: string, action: string): boolean {
  try {
    return examplesFor(event, action).length > 0;
  } catch {
    return false;
  }
}

describe("issue and pull request webhooks", () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ files: { "README.md": "# widgets\n", "src/a.ts": "export const a = 1;\n" } });
    const octokit = world.installationOctokit();
    const repo = { owner: "acme", repo: "widgets" };
    const s = world.sandbox.script;
    const { number } = await s.openIssue({
      repo: "acme/widgets",
      title: "Bug",
      user: "alice",
      labels: ["bug"],
    });
    await s.removeLabel({ repo: "acme/widgets", issue: number, label: "bug", user: "alice" });
    await octokit.rest.issues.update({ ...repo, issue_number: number, body: "more detail" });
    const { id } = s.comment({ repo: "acme/widgets", issue: number, body: "hi", user: "alice" });
    s.editComment({ repo: "acme/widgets", commentId: id, body: "hello", user: "alice" });
    await octokit.rest.issues.deleteComment({ ...repo, comment_id: id });
    await s.closeIssue({ repo: "acme/widgets", issue: number, user: "alice" });
    await s.reopenIssue({ repo: "acme/widgets", issue: number, user: "alice" });
    await s.pushFiles({
      repo: "acme/widgets",
      branch: "fix",
      files: { "src/a.ts": "export const a = 2;\n" },
      author: "alice",
    });
    const pr = await s.openPullRequest({ repo: "acme/widgets", head: "fix", title: "Fix", user: "alice" });
    await s.pushFiles({ repo: "acme/widgets", branch: "fix", files: { "src/b.ts": "b\n" }, author: "alice" });
    await octokit.rest.pulls.update({ ...repo, pull_number: pr.number, title: "Fix it" });
    await s.addLabel({ repo: "acme/widgets", issue: pr.number, label: "flotilla", user: "alice" });
    await octokit.rest.pulls.update({ ...repo, pull_number: pr.number, state: "closed" });
    await octokit.rest.pulls.update({ ...repo, pull_number: pr.number, state: "open" });
    await octokit.rest.pulls.createReview({
      ...repo,
      pull_number: pr.number,
      event: "COMMENT",
      body: "ok",
      comments: [{ path: "src/a.ts", line: 1, body: "note" }],
    });
    await s.mergePullRequest({ repo: "acme/widgets", pull: pr.number, user: "alice" });
    await s.pushFiles({ repo: "acme/widgets", branch: "wip", files: { "src/c.ts": "c\n" }, author: "alice" });
    const draft = await s.openPullRequest({
      repo: "acme/widgets",
      head: "wip",
      title: "WIP",
      user: "alice",
      draft: true,
    });
    await s.markReadyForReview({ repo: "acme/widgets", pull: draft.number, user: "alice" });
  });
  afterAll(async () => {
    await world.stop();
  });

  it("sends every expected event and action", () => {
    const sent = new Set(world.sandbox.webhooks.deliveries.map((d) => `${d.event}.${d.action}`));
    expect(EXPECTED.filter((key) => !sent.has(key))).toEqual([]);
  });

  it("shapes each payload like GitHub's examples", () => {
    const problems = world.sandbox.webhooks.deliveries
      .filter((d) => EXPECTED.includes(`${d.event}.${d.action}`))
      .flatMap((d) => {
        const action = d.action ?? "";
        const found = webhookShapeProblems(
          d.event,
          hasExamples(d.event, action) ? action : undefined,
          d.payload,
        );
        return found.filter((p) => !isDataDifference(p)).map((p) => `${d.event}.${action}: ${p}`);
      });
    expect(problems).toEqual([]);
  });

  it("marks merged pull requests as merged in the closed payload", () => {
    const closed = world.sandbox.webhooks.deliveries.filter(
      (d) => d.event === "pull_request" && d.action === "closed",
    );
    expect(closed.map((d) => (d.payload.pull_request as { merged: boolean }).merged)).toEqual([false, true]);
  });
});
