import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { GitHub } from "../../src/github/octokit.js";
import {
  type ReviewView,
  renderStatusComment,
  statusMarker,
  upsertStatusComment,
} from "../../src/publish/status-comment.js";
import { startWorld, type World } from "../helpers/sandbox.js";
import { fencedBlocks } from "./fenced-blocks.js";

const ZWSP = "\u200b";

describe("rendering the status comment", () => {
  it("starts with a hidden marker naming the task, which no task id can end early", () => {
    expect(statusMarker("r1-i12-claude")).toBe("<!-- flotilla:status task=r1-i12-claude -->");
    expect(statusMarker("x --> <b>shown</b>")).toBe(
      "<!-- flotilla:status task=x%20--%3E%20%3Cb%3Eshown%3C%2Fb%3E -->",
    );
    expect(renderStatusComment("r1-i12-claude", { state: "publishing", agent: "claude" })).toMatch(
      /^<!-- flotilla:status task=r1-i12-claude -->\n/,
    );
  });

  it("says where a queued task stands in line", () => {
    const render = (position?: number) =>
      renderStatusComment("t", { state: "queued", agent: "claude", ...(position ? { position } : {}) });

    expect(render(1)).toContain("`claude` will start on this issue when a slot is free; it is next in line.");
    expect(render(2)).toContain("; 1 task is ahead of it.");
    expect(render(4)).toContain("; 3 tasks are ahead of it.");
    expect(render()).toContain("when a slot is free.");
  });

  it("says what happens now while the agent runs and publishes", () => {
    expect(renderStatusComment("t", { state: "running", agent: "codex", backend: "actions" })).toContain(
      "**Running.** `codex` is working on this issue (`actions`). The pull request will be linked here",
    );
    expect(renderStatusComment("t", { state: "publishing", agent: "codex" })).toContain(
      "its changes are being committed and a pull request opened.",
    );
  });

  it("links the pull request and says how long the agent took", () => {
    const body = renderStatusComment("t", {
      state: "pr-opened",
      agent: "claude",
      pr: { number: 34, url: "https://github.com/acme/widgets/pull/34" },
      durationMs: 192_000,
    });

    expect(body).toContain(
      "**Pull request opened: [#34](https://github.com/acme/widgets/pull/34).** `claude` worked for 3 min 12 s.",
    );
  });

  it("says where the judge is on the pull request, and asks a person to step in after the last fix round", () => {
    const pr = { number: 34, url: "https://github.com/acme/widgets/pull/34" };
    // As it reads: Markdown's backslash escapes taken out.
    const view = (review: Omit<ReviewView, "judge" | "maxRounds">) =>
      renderStatusComment("t", {
        state: "pr-opened",
        agent: "claude",
        pr,
        durationMs: 1000,
        review: { judge: "codex", maxRounds: 2, ...review },
      }).replace(/\\([!-/:-@[-`{-~])/g, "$1");

    expect(view({ stage: "waiting-ci", rounds: 0 })).toContain("Waiting for the repository's CI");
    expect(view({ stage: "judging", rounds: 0 })).toContain("`codex` is reviewing the latest commit");
    expect(view({ stage: "passed", rounds: 1 })).toContain(
      "**Gate passed.** CI is green and `codex` approved",
    );
    expect(view({ stage: "failed", rounds: 1, reason: "CI failed: test" })).toContain(
      "**Gate failed:** CI failed: test.",
    );
    const exhausted = view({ stage: "failed", rounds: 2, reason: "The judge requested changes" });
    expect(exhausted).toContain("**Needs a person.** The gate failed: The judge requested changes.");
    expect(exhausted).toContain("After 2 automatic fix rounds, Flotilla has stopped iterating");
  });

  it("says an iteration works on the pull request's feedback, and which fix round it is", () => {
    const iteration = {
      pr: { number: 34, url: "https://github.com/acme/widgets/pull/34" },
      round: 1,
      maxRounds: 2,
    };
    expect(
      renderStatusComment("t", { state: "running", agent: "claude", backend: "local", iteration }),
    ).toContain(
      "**Iterating.** `claude` is working on the feedback on [#34](https://github.com/acme/widgets/pull/34) (automatic fix round 1 of 2)",
    );
    expect(renderStatusComment("t", { state: "queued", agent: "claude", position: 2, iteration })).toContain(
      "will work on the feedback on [#34]",
    );
  });

  it("says no branch or pull request was made when the agent changed nothing, and how to try again", () => {
    const body = renderStatusComment("t", {
      state: "no-changes",
      agent: "claude",
      durationMs: 45_000,
      outputTail: "I could not find the file.\n",
    });

    expect(body).toContain("without changing any file, so no branch or pull request was made.");
    expect(body).toContain("remove the label and add it back.");
    expect(fencedBlocks(body).content).toBe("I could not find the file.");
  });

  it("says which limit stopped the agent and links the branch its partial work is on, with no pull request", () => {
    const body = renderStatusComment("t", {
      state: "partial",
      agent: "claude",
      limit: { limit: "time", bound: "10 min" },
      branch: "flotilla/12-claude",
      branchUrl: "https://github.com/acme/widgets/tree/flotilla/12-claude",
      outputTail: "still compiling\n",
    });

    expect(body).toContain(
      "⏱️ **Stopped at its limit.** `claude` stopped at its time limit (10 min). Its partial work is on [`flotilla/12-claude`](https://github.com/acme/widgets/tree/flotilla/12-claude); no pull request was opened.",
    );
    expect(body).toContain("remove the label and add it back.");
    expect(fencedBlocks(body).content).toBe("still compiling");
  });

  it("names a limit without a bound, and the branch without a link when its URL is not one", () => {
    const body = renderStatusComment("t", {
      state: "partial",
      agent: "claude",
      limit: { limit: "turns" },
      branch: "flotilla/12-claude",
      branchUrl: "javascript:alert(1)",
    });

    expect(body).toContain(
      "🔁 **Stopped at its limit.** `claude` stopped at its turn limit. Its partial work is on `flotilla/12-claude`; no pull request",
    );
    expect(body).not.toContain("javascript:");
  });

  it("says a draft pull request holds the partial work and is not judged until marked ready", () => {
    const body = renderStatusComment("t", {
      state: "pr-opened",
      agent: "claude",
      pr: { number: 34, url: "https://github.com/acme/widgets/pull/34" },
      durationMs: 600_000,
      partial: { limit: "budget", bound: "5 USD" },
    });

    expect(body).toContain(
      "💸 **Draft pull request opened: [#34](https://github.com/acme/widgets/pull/34).** `claude` stopped at its budget limit (5 USD) and its partial work is there. It is not judged until someone marks it ready for review.",
    );
    expect(renderStatusComment("t", { state: "publishing", agent: "claude", partial: true })).toContain(
      "`claude` was stopped at its limit; the work it had done is being committed.",
    );
  });

  it("lists the paths the policy refused, shown literally", () => {
    const body = renderStatusComment("t", {
      state: "refused",
      agent: "claude",
      reason: "the changes touch protected paths.",
      paths: [".github/workflows/ci.yml", "infra/`main`.tf"],
    });

    expect(body).toContain(
      "`claude` made changes Flotilla may not push: the changes touch protected paths.\n",
    );
    expect(body).toContain("- `.github/workflows/ci.yml`\n- ``infra/`main`.tf``");
    expect(body).toContain("No branch or pull request was made.");
  });

  it("gives the reason of a failure as plain text and keeps hostile output inside its fence", () => {
    const outputTail = "npm ERR!\n```\n<!-- the rest is hidden\n</details>\n@alice closes #3\n";
    const body = renderStatusComment("t", {
      state: "failed",
      agent: "claude",
      reason: "The agent exited with 1 <!-- --> @bob",
      outputTail,
    });

    expect(body).toContain(
      `**Failed.** \`claude\` could not finish: The agent exited with 1 \\<\\!\\-\\- \\-\\-\\> @${ZWSP}bob.`,
    );
    const { content, outside } = fencedBlocks(body);
    expect(content).toBe(outputTail.trimEnd());
    expect(outside.split("<!--")).toHaveLength(2); // only the marker
    expect(outside).not.toContain("@alice");
    expect(outside.match(/<\/details>/g)).toHaveLength(1);
  });

  it("says a cancelled task can be started again", () => {
    expect(
      renderStatusComment("t", { state: "cancelled", agent: "claude", reason: "Stopped by alice." }),
    ).toContain("**Cancelled.** `claude` was stopped: Stopped by alice. To start over");
  });

  it("links a workflow run while it waits and while it runs, and only a URL that is one", () => {
    const url = "https://github.com/acme/widgets/actions/runs/7";
    const waiting = renderStatusComment("t", {
      state: "running",
      agent: "claude",
      backend: "actions",
      waiting: true,
      logUrl: url,
    });
    expect(waiting).toContain("**Dispatched.**");
    expect(waiting).toContain(`[its run](${url})`);
    expect(
      renderStatusComment("t", { state: "running", agent: "claude", backend: "actions", logUrl: url }),
    ).toContain(`[logs](${url})`);
    const forged = renderStatusComment("t", {
      state: "failed",
      agent: "claude",
      reason: "The run failed.",
      logUrl: "javascript:alert(1)",
    });
    expect(forged).not.toContain("javascript:");
    expect(forged).not.toContain("The run's log");
  });

  it("says a task is being stopped, and that nothing it made will be published", () => {
    const body = renderStatusComment("t", {
      state: "stopping",
      agent: "claude",
      reason: "@alice removed the label",
    });
    expect(body).toContain("**Stopping.**");
    expect(body).toContain("removed the label");
    expect(body).toContain("Nothing it made will be published.");
  });

  it("says a task waits for the budget, which one and how to go on", () => {
    const body = renderStatusComment("t", {
      state: "waiting-budget",
      agent: "claude",
      reason: "budget for June reached: 48.10 of 50 USD",
    });
    expect(body).toContain("**Waiting for budget.**");
    // As it reads: Markdown escapes removed.
    const text = body.replace(/\\([!-/:-@[-`{-~])/g, "$1");
    expect(text).toContain("budget for June reached: 48.10 of 50 USD");
    expect(text).toContain("It starts by itself when the budget allows");
  });

  it("stays far below GitHub's limit with a very long reason, path list and output", () => {
    const body = renderStatusComment("t", {
      state: "refused",
      agent: "claude",
      reason: "<".repeat(100_000),
      paths: Array.from({ length: 1_000 }, (_, i) => `${"p/".repeat(1_000)}${i}`),
    });
    const failed = renderStatusComment("t", {
      state: "failed",
      agent: "claude",
      reason: "x",
      outputTail: "`".repeat(1_000_000),
    });

    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain("- …and 970 more");
    expect(failed.length).toBeLessThan(65_536);
  });
});

describe("upsertStatusComment", () => {
  let world: World;
  let gh: GitHub;
  let issue: number;
  const owner = "acme";
  const repo = "widgets";

  beforeAll(async () => {
    world = await startWorld();
    gh = world.installationOctokit();
  });
  beforeEach(async () => {
    ({ number: issue } = await world.sandbox.script.openIssue({
      repo: "acme/widgets",
      title: "Login fails on Safari",
      user: "alice",
    }));
  });
  afterAll(async () => {
    await world.stop();
  });

  async function comments() {
    const { data } = await gh.rest.issues.listComments({ owner, repo, issue_number: issue, per_page: 100 });
    return data.map((c) => ({ id: c.id, login: c.user?.login, body: c.body }));
  }

  const queued = (taskId: string) => renderStatusComment(taskId, { state: "queued", agent: "claude" });
  const running = (taskId: string) =>
    renderStatusComment(taskId, { state: "running", agent: "claude", backend: "local" });

  it("posts one comment and edits it in place when called again without its id", async () => {
    const first = await upsertStatusComment(gh, { owner, repo, issue, taskId: "t1", body: queued("t1") });
    const second = await upsertStatusComment(gh, { owner, repo, issue, taskId: "t1", body: running("t1") });

    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    expect(await comments()).toEqual([{ id: first.id, login: world.app.botLogin, body: running("t1") }]);
  });

  it("finds the comment it posted when the response was lost", async () => {
    world.sandbox.script.addFault({
      route: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      kind: "502",
      times: 1,
      afterHandling: true,
    });

    await expect(
      upsertStatusComment(gh, { owner, repo, issue, taskId: "t9", body: queued("t9") }),
    ).rejects.toMatchObject({ status: 502 });
    const retried = await upsertStatusComment(gh, { owner, repo, issue, taskId: "t9", body: running("t9") });

    expect(retried.created).toBe(false);
    expect(await comments()).toEqual([{ id: retried.id, login: world.app.botLogin, body: running("t9") }]);
  });

  it("does not edit the comment when its body is already up to date", async () => {
    await upsertStatusComment(gh, { owner, repo, issue, taskId: "t2", body: queued("t2") });
    world.sandbox.script.resetMeter();

    const again = await upsertStatusComment(gh, { owner, repo, issue, taskId: "t2", body: queued("t2") });

    expect(again.created).toBe(false);
    expect(world.sandbox.script.meter().writes).toBe(0);
  });

  it("does not take over a person's comment that carries the marker", async () => {
    const quoted = world.sandbox.script.comment({
      repo: "acme/widgets",
      issue,
      user: "alice",
      body: `${queued("t3")}\n\nWhy is this still queued?`,
    });

    const result = await upsertStatusComment(gh, { owner, repo, issue, taskId: "t3", body: running("t3") });

    expect(result.created).toBe(true);
    expect(result.id).not.toBe(quoted.id);
    const [theirs, ours] = await comments();
    expect(theirs?.body).toBe(`${queued("t3")}\n\nWhy is this still queued?`);
    expect(ours).toEqual({ id: result.id, login: world.app.botLogin, body: running("t3") });
  });

  it("keeps the comments of other tasks on the same issue apart", async () => {
    const claude = await upsertStatusComment(gh, {
      owner,
      repo,
      issue,
      taskId: "t4-claude",
      body: queued("t4-claude"),
    });
    const codex = await upsertStatusComment(gh, { owner, repo, issue, taskId: "t4", body: queued("t4") });

    expect(codex.created).toBe(true);
    expect(codex.id).not.toBe(claude.id);
  });

  it("edits by id in one request when the task knows its comment", async () => {
    const { id } = await upsertStatusComment(gh, { owner, repo, issue, taskId: "t5", body: queued("t5") });
    world.sandbox.script.resetMeter();

    const result = await upsertStatusComment(gh, {
      owner,
      repo,
      issue,
      taskId: "t5",
      commentId: id,
      body: running("t5"),
    });

    expect(result).toEqual({ id, created: false });
    expect(world.sandbox.script.meter().total).toBe(1);
    expect((await comments())[0]?.body).toBe(running("t5"));
  });

  it("finds the comment again when the id it was given no longer exists", async () => {
    const { id } = await upsertStatusComment(gh, { owner, repo, issue, taskId: "t6", body: queued("t6") });
    const stale = await upsertStatusComment(gh, {
      owner,
      repo,
      issue,
      taskId: "t6-old",
      body: queued("t6-old"),
    });
    await gh.rest.issues.deleteComment({ owner, repo, comment_id: stale.id });

    const result = await upsertStatusComment(gh, {
      owner,
      repo,
      issue,
      taskId: "t6",
      commentId: stale.id,
      body: running("t6"),
    });

    expect(result).toEqual({ id, created: false });
    expect((await comments()).map((c) => c.body)).toEqual([running("t6")]);
  });

  it("finds its comment past the first page of a long conversation", async () => {
    for (let i = 0; i < 105; i++)
      world.sandbox.script.comment({ repo: "acme/widgets", issue, user: "alice", body: `comment ${i}` });
    const first = await upsertStatusComment(gh, { owner, repo, issue, taskId: "t7", body: queued("t7") });

    const again = await upsertStatusComment(gh, { owner, repo, issue, taskId: "t7", body: running("t7") });

    expect(again).toEqual({ id: first.id, created: false });
  });

  it("refuses a body without the task's marker, which could never be found again", async () => {
    await expect(
      upsertStatusComment(gh, { owner, repo, issue, taskId: "t8", body: queued("another-task") }),
    ).rejects.toThrow("must start with <!-- flotilla:status task=t8 -->");
  });
});
