import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type TestOctokitInstance, type World } from "../helpers/sandbox.js";

/** The deliveries made while `act` ran. */
async function deliveriesDuring(world: World, act: () => Promise<unknown>) {
  const before = world.sandbox.webhooks.deliveries.length;
  await act();
  return world.sandbox.webhooks.deliveries.slice(before);
}

describe("sandbox issues", () => {
  let world: World;
  let octokit: TestOctokitInstance;
  const repo = { owner: "acme", repo: "widgets" };

  beforeAll(async () => {
    world = await startWorld();
    octokit = world.installationOctokit();
  });
  afterAll(async () => {
    expect(world.sandbox.responseProblems).toEqual([]);
    await world.stop();
  });

  it("creates an issue authored by the App's bot and emits issues.opened with the bot as sender", async () => {
    const deliveries = await deliveriesDuring(world, async () => {
      const { status, data } = await octokit.rest.issues.create({
        ...repo,
        title: "Broken widget",
        body: "It broke",
      });
      expect(status).toBe(201);
      expect(data.user?.login).toBe(world.app.botLogin);
      expect(data.state).toBe("open");
    });
    expect(deliveries.map((d) => `${d.event}.${d.action}`)).toEqual(["issues.opened"]);
    expect(deliveries[0]?.payload.sender).toMatchObject({ login: world.app.botLogin });
  });

  it("adding a label through the API creates it and emits issues.labeled with the bot as sender", async () => {
    const { data: issue } = await octokit.rest.issues.create({ ...repo, title: "Label me" });
    const deliveries = await deliveriesDuring(world, async () => {
      const { data } = await octokit.rest.issues.addLabels({
        ...repo,
        issue_number: issue.number,
        labels: ["flotilla"],
      });
      expect(data.map((l) => l.name)).toEqual(["flotilla"]);
    });
    expect(deliveries.map((d) => `${d.event}.${d.action}`)).toEqual(["issues.labeled"]);
    expect(deliveries[0]?.payload).toMatchObject({
      label: { name: "flotilla" },
      sender: { login: world.app.botLogin },
    });
    const { data: label } = await octokit.rest.issues.getLabel({ ...repo, name: "flotilla" });
    expect(label.color).toMatch(/^[0-9a-f]{6}$/);
  });

  it("answers 404 when removing a label the issue does not carry, and unlabels one it does", async () => {
    const { data: issue } = await octokit.rest.issues.create({ ...repo, title: "Unlabel", labels: ["bug"] });
    await expect(
      octokit.rest.issues.removeLabel({ ...repo, issue_number: issue.number, name: "feature" }),
    ).rejects.toMatchObject({ status: 404 });
    const deliveries = await deliveriesDuring(world, () =>
      octokit.rest.issues.removeLabel({ ...repo, issue_number: issue.number, name: "bug" }),
    );
    expect(deliveries.map((d) => `${d.event}.${d.action}`)).toEqual(["issues.unlabeled"]);
  });

  it("replaces labels with setLabels, sending unlabeled and labeled for the difference", async () => {
    const { data: issue } = await octokit.rest.issues.create({ ...repo, title: "Set", labels: ["a", "b"] });
    const deliveries = await deliveriesDuring(world, () =>
      octokit.rest.issues.setLabels({ ...repo, issue_number: issue.number, labels: ["b", "c"] }),
    );
    expect(deliveries.map((d) => `${d.action}:${(d.payload.label as { name: string }).name}`)).toEqual([
      "unlabeled:a",
      "labeled:c",
    ]);
    const { data } = await octokit.rest.issues.listLabelsOnIssue({ ...repo, issue_number: issue.number });
    expect(data.map((l) => l.name)).toEqual(["b", "c"]);
  });

  it("edits, closes as not planned and reopens an issue, with one webhook each", async () => {
    const { data: issue } = await octokit.rest.issues.create({ ...repo, title: "Old title" });
    const issue_number = issue.number;
    const deliveries = await deliveriesDuring(world, async () => {
      await octokit.rest.issues.update({ ...repo, issue_number, title: "New title" });
      const { data } = await octokit.rest.issues.update({
        ...repo,
        issue_number,
        state: "closed",
        state_reason: "not_planned",
      });
      expect(data).toMatchObject({
        state: "closed",
        state_reason: "not_planned",
        closed_by: { login: world.app.botLogin },
      });
      await octokit.rest.issues.update({ ...repo, issue_number, state: "open" });
    });
    expect(deliveries.map((d) => d.action)).toEqual(["edited", "closed", "reopened"]);
    expect(deliveries[0]?.payload.changes).toEqual({ title: { from: "Old title" } });
  });

  it("lists issues by state and label, newest first", async () => {
    const { data: open } = await octokit.rest.issues.listForRepo({ ...repo, labels: "b,c" });
    expect(open.map((i) => i.title)).toEqual(["Set"]);
    const { data: all } = await octokit.rest.issues.listForRepo({ ...repo, state: "all", per_page: 100 });
    expect(all[0]?.number).toBeGreaterThan(all[1]?.number ?? Number.POSITIVE_INFINITY);
  });

  it("follows Link headers through 35 comments with octokit.paginate, oldest first", async () => {
    const { data: issue } = await octokit.rest.issues.create({ ...repo, title: "Chatty" });
    for (let i = 1; i <= 35; i++) {
      await world.sandbox.script.comment({
        repo: "acme/widgets",
        issue: issue.number,
        body: `comment ${i}`,
        user: "alice",
      });
    }
    const first = await octokit.rest.issues.listComments({ ...repo, issue_number: issue.number });
    expect(first.data).toHaveLength(30);
    expect(first.headers.link).toContain('rel="next"');
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repo,
      issue_number: issue.number,
    });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 35 }, (_, i) => `comment ${i + 1}`));
  });

  it("creates, edits and deletes a comment as the App, marked as performed via the App", async () => {
    const { data: issue } = await octokit.rest.issues.create({ ...repo, title: "Discuss" });
    let commentId = 0;
    const deliveries = await deliveriesDuring(world, async () => {
      const { data } = await octokit.rest.issues.createComment({
        ...repo,
        issue_number: issue.number,
        body: "On it",
      });
      commentId = data.id;
      expect(data.performed_via_github_app?.id).toBe(world.app.id);
      await octokit.rest.issues.updateComment({ ...repo, comment_id: commentId, body: "Done" });
      await octokit.rest.issues.deleteComment({ ...repo, comment_id: commentId });
    });
    expect(deliveries.map((d) => `${d.event}.${d.action}`)).toEqual([
      "issue_comment.created",
      "issue_comment.edited",
      "issue_comment.deleted",
    ]);
    expect(deliveries[1]?.payload.changes).toEqual({ body: { from: "On it" } });
    await expect(octokit.rest.issues.getComment({ ...repo, comment_id: commentId })).rejects.toMatchObject({
      status: 404,
    });
  });

  it("answers 201 for a new reaction and 200 with the same reaction when it exists", async () => {
    const { data: issue } = await octokit.rest.issues.create({ ...repo, title: "React" });
    const first = await octokit.rest.reactions.createForIssue({
      ...repo,
      issue_number: issue.number,
      content: "eyes",
    });
    const again = await octokit.rest.reactions.createForIssue({
      ...repo,
      issue_number: issue.number,
      content: "eyes",
    });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.data.id).toBe(first.data.id);
    const { data: comment } = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: issue.number,
      body: "hi",
    });
    await octokit.rest.reactions.createForIssueComment({
      ...repo,
      comment_id: comment.id,
      content: "rocket",
    });
    const { data: onComment } = await octokit.rest.reactions.listForIssueComment({
      ...repo,
      comment_id: comment.id,
    });
    expect(onComment.map((r) => r.content)).toEqual(["rocket"]);
    await octokit.rest.reactions.deleteForIssue({
      ...repo,
      issue_number: issue.number,
      reaction_id: first.data.id,
    });
    const { data: fetched } = await octokit.rest.issues.get({ ...repo, issue_number: issue.number });
    expect(fetched.reactions?.total_count).toBe(0);
  });

  it("reports role_name maintain with permission write, triage as read, and 404 for an unknown user", async () => {
    world.sandbox.script.createUser({ login: "mia" });
    world.sandbox.script.addCollaborator({ repo: "acme/widgets", user: "mia", role: "maintain" });
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: "mia" });
    expect(data).toMatchObject({ permission: "write", role_name: "maintain", user: { login: "mia" } });
    world.sandbox.script.createUser({ login: "tia" });
    world.sandbox.script.addCollaborator({ repo: "acme/widgets", user: "tia", role: "triage" });
    const triage = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: "tia" });
    expect(triage.data.permission).toBe("read");
    await expect(
      octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: "nobody-here" }),
    ).rejects.toMatchObject({ status: 404 });
    const { data: people } = await octokit.rest.repos.listCollaborators({ ...repo, permission: "push" });
    expect(people.map((p) => p.login).sort()).toEqual(["alice", "mia"]);
  });

  it("lets a person open a labelled issue by script: opened, then labeled, with that person as sender", async () => {
    const deliveries = await deliveriesDuring(world, () =>
      world.sandbox.script.openIssue({
        repo: "acme/widgets",
        title: "Please fix",
        user: "alice",
        labels: ["flotilla"],
      }),
    );
    expect(
      deliveries.map((d) => `${d.event}.${d.action}:${(d.payload.sender as { login: string }).login}`),
    ).toEqual(["issues.opened:alice", "issues.labeled:alice"]);
  });
});
