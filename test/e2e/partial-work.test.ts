import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { scriptedAgentConfig, scriptedJudgeEntry } from "../../scripts/loopback.js";
import { openQueues, type Queues } from "../../src/fleet/queues.js";
import { expectNothingPublished, type Loop, scriptedIssue, startLoop, waitFor } from "../helpers/loop.js";

// An agent stopped at its time limit after it wrote something: what `limits.partialWork` makes of its work.

const REPO = "acme/widgets";
const AGENT = "hasty";
// Writes a file, then works on past its 2-second timeout: the runner kills it with the file written.
const HALF_DONE = scriptedIssue("write notes.md <<EOF\nhalf done\nEOF\nsleep 60000");

/** The repository's config: `hasty` (2 s timeout) codes, the scripted judge judges, partial work as `mode`. */
function config(mode?: string): string {
  return [
    scriptedAgentConfig(AGENT, "2s"),
    scriptedJudgeEntry("scripted-judge"),
    "judge:",
    "  agent: scripted-judge",
    // No fix rounds: a round would be an iteration of the same 2-second agent.
    "  maxRounds: 0",
    ...(mode ? ["limits:", `  partialWork: ${mode}`] : []),
    "",
  ].join("\n");
}

let loop: Loop;
let queues: Queues;
beforeAll(async () => {
  loop = await startLoop({ files: { "README.md": "# widgets\n", ".github/flotilla.yml": config() } });
  queues = openQueues(loop.redis.connect(), loop.settings.redisPrefix);
});
afterAll(async () => {
  await queues.close();
  await loop.stop();
});

const gh = () => loop.world.installationOctokit();
const branchOf = (issue: number) => `flotilla/${issue}-${AGENT}`;

/** The config from now on (read when a label is added). */
async function usePartialWork(mode: string): Promise<void> {
  await loop.world.sandbox.script.pushFiles({
    repo: REPO,
    branch: "main",
    files: { ".github/flotilla.yml": config(mode) },
  });
}

async function runHalfDone(title: string): Promise<number> {
  const issue = await loop.openIssue(title, HALF_DONE);
  await loop.label(issue, `agent:${AGENT}`);
  return issue;
}

async function settledStatus(issue: number, pattern: RegExp): Promise<string> {
  return waitFor(`the status comment on #${issue} to match ${pattern}`, async () => {
    const status = (await loop.comments(issue)).find((c) => c.body.includes(`-i${issue}-${AGENT} -->`));
    return status && pattern.test(status.body) ? status.body.replace(/\\(.)/g, "$1") : undefined;
  });
}

/** The file as it is on the task's branch. */
async function onBranch(issue: number, path: string): Promise<string> {
  const { data } = await gh().rest.repos.getContent({
    owner: "acme",
    repo: "widgets",
    path,
    ref: branchOf(issue),
  });
  if (!("content" in data)) throw new Error(`${path} is not a file`);
  return Buffer.from(data.content, "base64").toString("utf8");
}

async function pullsFrom(issue: number) {
  const { data } = await gh().rest.pulls.list({ owner: "acme", repo: "widgets", state: "all" });
  return data.filter((p) => p.head.ref === branchOf(issue));
}

describe("an agent stopped at its time limit with work written", () => {
  it("keeps the work on the task's branch, opens no pull request, and says where it is (the default)", async () => {
    const issue = await runHalfDone("Write the notes");
    const status = await settledStatus(issue, /Stopped at its limit/);
    expect(status).toContain("stopped at its time limit (2 s)");
    expect(status).toMatch(
      new RegExp(
        `Its partial work is on \\[\`${branchOf(issue)}\`\\]\\(http[^)]+/tree/${branchOf(issue)}\\)`,
      ),
    );
    expect(status).toContain("no pull request was opened");
    expect(await onBranch(issue, "notes.md")).toBe("half done\n");
    expect(await pullsFrom(issue)).toEqual([]);
    const task = await loop.redisTask(issue, AGENT);
    expect(task?.state).toBe("timed-out");
    expect(task?.error?.message).toContain(`Its partial work is on the branch ${branchOf(issue)} (http`);
  });

  it("opens one draft pull request with `partialWork: draft-pr`, saying it is unfinished, judged only once marked ready", async () => {
    await usePartialWork("draft-pr");
    const issue = await runHalfDone("Draft the notes");
    const status = await settledStatus(issue, /Draft pull request opened/);
    expect(status).toContain("stopped at its time limit (2 s)");
    expect(status).toContain("It is not judged until someone marks it ready for review");
    const pulls = await pullsFrom(issue);
    expect(pulls.map((p) => p.draft)).toEqual([true]);
    expect(pulls[0]?.body?.replace(/\\(.)/g, "$1")).toContain(
      "**Unfinished.** The agent was stopped after its 2-second timeout. This draft holds what the agent had written",
    );
    expect(await onBranch(issue, "notes.md")).toBe("half done\n");
    // The pull request's webhook has been handled: no review was started, and no check runs went up.
    await loop.world.sandbox.script.settleWebhooks({});
    const reviewJobs = await queues.reviews.getJobs(["waiting", "active", "delayed", "completed", "failed"]);
    expect(reviewJobs.filter((job) => job.data.kind !== "pass-gate")).toEqual([]);
    const { data: checks } = await gh().rest.checks.listForRef({
      owner: "acme",
      repo: "widgets",
      ref: branchOf(issue),
    });
    expect(checks.check_runs).toEqual([]);
    expect((await loop.redisTask(issue, AGENT))?.state).toBe("checking");

    // A person marks it ready for review: from then on it is judged like any agent pull request.
    await loop.world.sandbox.script.markReadyForReview({
      repo: REPO,
      pull: pulls[0]?.number ?? 0,
      user: "alice",
    });
    const judged = await waitFor("the judge's check runs on the head", async () => {
      const { data } = await gh().rest.checks.listForRef({
        owner: "acme",
        repo: "widgets",
        ref: branchOf(issue),
      });
      const names = data.check_runs.map((c) => c.name).sort();
      return names.length >= 2 ? names : undefined;
    });
    expect(judged).toEqual(["Flotilla", "Flotilla judge"]);
  });

  it("keeps nothing with `partialWork: discard`: no branch, no pull request", async () => {
    await usePartialWork("discard");
    const issue = await runHalfDone("Forget the notes");
    const status = await settledStatus(issue, /Failed/);
    expect(status).toContain("stopped after its 2-second timeout");
    expect((await loop.redisTask(issue, AGENT))?.state).toBe("timed-out");
    await expectNothingPublished(loop, issue, AGENT);
  });
});
