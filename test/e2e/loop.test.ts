import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  BUGGY_ADD,
  configWithScriptedAgent,
  FIX_ADD,
  type Loop,
  scriptedIssue,
  startLoop,
  waitFor,
} from "../helpers/loop.js";

// Label → pull request, end to end: the GitHub sandbox, a real redis-server, real git, the scripted agent
// as a real process, and Flotilla's webhook server and worker in between.

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: {
      "README.md": "# widgets\n",
      "src/add.js": BUGGY_ADD,
      ".github/flotilla.yml": configWithScriptedAgent(),
    },
  });
});
afterAll(() => loop.stop());

const statusOf = async (issue: number) =>
  (await loop.comments(issue)).filter((c) => c.body.includes("flotilla:status"));

async function prFor(issue: number) {
  return waitFor(`a pull request for #${issue}`, async () =>
    (await loop.pulls()).find((p) => p.head === `flotilla/${issue}-scripted`),
  );
}

async function finalStatus(issue: number, pattern: RegExp): Promise<string> {
  return waitFor(`the status comment on #${issue} to match ${pattern}`, async () => {
    const [status] = await statusOf(issue);
    return status && pattern.test(status.body) ? status.body : undefined;
  });
}

/** Removes the agent's label and adds it back, as people ask for a rerun. */
async function relabel(issue: number) {
  await loop.world.sandbox.script.removeLabel({
    repo: "acme/widgets",
    issue,
    label: "agent:scripted",
    user: "alice",
  });
  await loop.label(issue, "agent:scripted");
}

async function branchHead(issue: number) {
  return loop.world.sandbox.script.branchSha({ repo: "acme/widgets", branch: `flotilla/${issue}-scripted` });
}

describe("a labelled issue becomes a pull request", () => {
  it("opens a PR with the agent's fix, committed on the default branch, and says so on the issue", async () => {
    const issue = await loop.openIssue("add() subtracts", scriptedIssue(FIX_ADD));
    await loop.label(issue, "agent:scripted");

    const pr = await prFor(issue);
    expect(pr.title).toContain("add() subtracts");
    expect(pr.body).toContain(`Closes #${issue}`);
    expect(pr.body).toContain("scripted");
    const fixed = await loop.world.sandbox.script.readFile({
      repo: "acme/widgets",
      ref: `flotilla/${issue}-scripted`,
      path: "src/add.js",
    });
    expect(fixed).toBe("export function add(a, b) {\n  return a + b;\n}\n");

    const status = await finalStatus(issue, /Pull request opened/);
    expect(status).toContain(`#${pr.number}`);
    expect(await statusOf(issue)).toHaveLength(1);

    // The worker fetched the repository with a token that can only read this one repository.
    const readOnly = [...loop.world.sandbox.store.tokens.values()].filter(
      (t) => JSON.stringify(t.permissions) === JSON.stringify({ contents: "read" }),
    );
    expect(readOnly.map((t) => [...(t.repositoryIds ?? [])])).toContainEqual([
      (await loop.redisTask(issue))?.repo.id,
    ]);
  });

  it("makes one run, one commit and one PR when GitHub delivers the same webhook three times", async () => {
    const issue = await loop.openIssue("add() subtracts, again", scriptedIssue(`sleep 300\n${FIX_ADD}`));
    await loop.label(issue, "agent:scripted");
    const labeled = loop.world.sandbox.webhooks.deliveries.findLast(
      (d) => d.event === "issues" && d.action === "labeled",
    );
    if (!labeled) throw new Error("no labeled delivery");
    // Once while the task runs, once after it is done.
    await loop.world.sandbox.script.redeliver({ delivery: labeled.guid });
    await prFor(issue);
    await finalStatus(issue, /Pull request opened/);
    await loop.world.sandbox.script.redeliver({ delivery: labeled.guid });
    await loop.world.sandbox.script.settleWebhooks({});

    expect((await loop.pulls()).filter((p) => p.head === `flotilla/${issue}-scripted`)).toHaveLength(1);
    expect(await statusOf(issue)).toHaveLength(1);
    const head = await branchHead(issue);
    const { data: commit } = await loop.world.installationOctokit().rest.git.getCommit({
      owner: "acme",
      repo: "widgets",
      commit_sha: head as string,
    });
    expect(commit.parents.map((p) => p.sha)).toEqual([loop.world.repo.headSha]);
  });

  it("stops the agent when its label is removed while it works, publishes nothing, and starts again when it is added back", async () => {
    const issue = await loop.openIssue("stop me", scriptedIssue(`sleep 3000\n${FIX_ADD}`));
    await loop.label(issue, "agent:scripted");
    await waitFor("the agent to start", async () => (await loop.redisTask(issue))?.state === "running");
    await loop.world.sandbox.script.removeLabel({
      repo: "acme/widgets",
      issue,
      label: "agent:scripted",
      user: "alice",
    });
    const stopped = await finalStatus(issue, /Cancelled/);
    expect(stopped.replaceAll("\u200b", "")).toContain("@alice removed the label");
    expect(await branchHead(issue)).toBeNull();
    expect((await loop.pulls()).filter((p) => p.head === `flotilla/${issue}-scripted`)).toEqual([]);

    await loop.label(issue, "agent:scripted");
    await prFor(issue);
    await finalStatus(issue, /Pull request opened/);
    expect((await loop.redisTask(issue))?.attempt).toBe(2);
    expect(await statusOf(issue)).toHaveLength(1);
  });

  it("starts from an issue opened with the label already on it", async () => {
    // GitHub sends `opened` and then `labeled` for such an issue. Lose both, and bring back only `opened`.
    await loop.world.sandbox.script.dropWebhooks({ next: 2 });
    const issue = await loop.openIssue("opened labelled", scriptedIssue(FIX_ADD), ["agent:scripted"]);
    await loop.world.sandbox.script.settleWebhooks({});
    const opened = loop.world.sandbox.webhooks.deliveries.find(
      (d) =>
        d.event === "issues" &&
        d.action === "opened" &&
        (d.payload as { issue: { number: number } }).issue.number === issue,
    );
    expect(opened?.status).toBe("dropped");
    await loop.world.sandbox.script.redeliver({ delivery: opened?.guid as string });

    await prFor(issue);
    await finalStatus(issue, /Pull request opened/);
    expect((await loop.redisTask(issue))?.attempt).toBe(1);
  });

  it("reruns on the same branch and PR when the label is added again, but never over people's commits", async () => {
    const issue = await loop.openIssue("rerun me", scriptedIssue(FIX_ADD));
    await loop.label(issue, "agent:scripted");
    const pr = await prFor(issue);
    await finalStatus(issue, /Pull request opened/);

    // A rerun: attempt 2 updates what attempt 1 made.
    await relabel(issue);
    await waitFor("attempt 2 to finish", async () => {
      const task = await loop.redisTask(issue);
      return task?.attempt === 2 && task.state === "checking";
    });
    expect((await loop.pulls()).filter((p) => p.head === pr.head).map((p) => p.number)).toEqual([pr.number]);
    expect(await statusOf(issue)).toHaveLength(1);

    // A reviewer pushes to the branch; the next rerun refuses to overwrite that.
    const gh = loop.world.installationOctokit();
    const head = (await branchHead(issue)) as string;
    const { data: tip } = await gh.rest.git.getCommit({ owner: "acme", repo: "widgets", commit_sha: head });
    const { data: human } = await gh.rest.git.createCommit({
      owner: "acme",
      repo: "widgets",
      message: "reviewer: tidy up",
      tree: tip.tree.sha,
      parents: [head],
    });
    await gh.rest.git.updateRef({ owner: "acme", repo: "widgets", ref: `heads/${pr.head}`, sha: human.sha });
    await relabel(issue);
    const status = await finalStatus(issue, /Failed/);
    expect(status.replace(/\\(.)/g, "$1")).toContain("has commits Flotilla did not make");
    expect(await branchHead(issue)).toBe(human.sha);
  });
});
