import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { scriptedAgentConfig, scriptedJudgeEntry } from "../../scripts/loopback.js";
import { judgedIssue, type Loop, startLoop, waitFor } from "../helpers/loop.js";

// Steering agents from the conversation, end to end: people's `/agent` comments and reviews on the sandbox,
// Flotilla, and the scripted agents (`scripted`, and `codex`, the same program under another name) and judge.

const REPO = "acme/widgets";
const APPROVE = `echo ${JSON.stringify({ decision: "approve", summary: "Fine." })}`;
const GREET = 'write src/greet.js <<EOF\nexport function greet(name) {\n  return "hi " + name;\n}\nEOF';
const CONFIG = [
  scriptedAgentConfig(),
  "  codex:",
  ...scriptedAgentConfig("codex").split("\n").slice(2),
  scriptedJudgeEntry(),
  "judge:",
  "  agent: scripted-judge",
  "  maxRounds: 0",
  "  ciTimeout: 60s",
].join("\n");

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: { "README.md": "# widgets\n", ".github/flotilla.yml": CONFIG },
  });
  loop.world.sandbox.script.createUser({ login: "ci-helper[bot]", type: "Bot" });
});
afterAll(() => loop.stop());

const script = () => loop.world.sandbox.script;
const gh = () => loop.world.installationOctokit();
const branchOf = (issue: number) => `flotilla/${issue}-scripted`;

/** A script block for the scripted agent, as someone would paste it under their feedback. */
const block = (lines: string) => `\n\n\`\`\`flotilla-script\n${lines}\n\`\`\``;

async function headOf(issue: number): Promise<string | null> {
  return script().branchSha({ repo: REPO, branch: branchOf(issue) });
}

/** An issue the scripted agent resolved with GREET (judged, approved): its pull request and head. */
async function agentPull(title: string): Promise<{ issue: number; pr: number; head: string }> {
  const issue = await loop.openIssue(title, judgedIssue(GREET, APPROVE));
  await loop.label(issue, "agent:scripted");
  const pr = await waitFor(`a pull request for #${issue}`, async () =>
    (await loop.pulls()).find((p) => p.head === branchOf(issue)),
  );
  const head = await settledHead(issue);
  return { issue, pr: pr.number, head };
}

/**
 * Waits until the task is back to waiting for people (its PR judged), on a head other than `after` (and in
 * attempt `attempt`, when given), and returns the branch's head.
 */
async function settledHead(issue: number, after?: string, attempt?: number): Promise<string> {
  return waitFor(
    `#${issue}'s task to settle${after ? ` on a head after ${after.slice(0, 7)}` : ""}`,
    async () => {
      const task = await loop.redisTask(issue);
      const head = await headOf(issue);
      const settled =
        task &&
        ["ready", "changes-requested"].includes(task.state) &&
        (attempt === undefined || task.attempt === attempt);
      return settled && head && head !== after && task.review?.sha === head ? head : undefined;
    },
    40_000,
  );
}

async function comment(pr: number, body: string, user = "alice"): Promise<number> {
  return (await script().comment({ repo: REPO, issue: pr, body, user })).id;
}

async function commitOf(sha: string) {
  const { data } = await gh().rest.git.getCommit({ owner: "acme", repo: "widgets", commit_sha: sha });
  return data;
}

async function judgeChecks(sha: string) {
  const { data } = await gh().rest.checks.listForRef({
    owner: "acme",
    repo: "widgets",
    ref: sha,
    check_name: "Flotilla judge",
    app_id: loop.world.app.id,
    filter: "all",
  });
  return data.check_runs;
}

async function reactionsOn(commentId: number): Promise<string[]> {
  const { data } = await gh().rest.reactions.listForIssueComment({
    owner: "acme",
    repo: "widgets",
    comment_id: commentId,
  });
  return data.map((r) => r.content);
}

/** Flotilla's own comments on the thread, but its status comment. */
async function replies(issue: number) {
  return (await loop.comments(issue)).filter(
    (c) => c.user === loop.world.app.botLogin && !c.body.includes("flotilla:status"),
  );
}

/** A file on the pull request's branch. */
const fileAt = (sha: string, path: string) => script().readFile({ repo: REPO, ref: sha, path });

/** A file the test creates to let a held agent (`await <file>`) go on. */
const gateFile = (name: string) => join(loop.settings.dataDir, name);

async function quiet(): Promise<void> {
  await script().settleWebhooks({});
  await loop.drainUpdates();
}

describe("/agent commands and review feedback", () => {
  it("`/agent <feedback>` on the PR: a reaction at once, a new commit on the same branch, judged again", async () => {
    const { issue, pr, head } = await agentPull("Greet people");
    const id = await comment(
      pr,
      `/agent make the error message friendlier${block('write src/errors.js <<EOF\nexport const message = "Sorry, that did not add up.";\nEOF')}`,
    );
    await waitFor("the 👀 reaction", async () => (await reactionsOn(id)).includes("eyes"));

    const next = await settledHead(issue, head);
    const commit = await commitOf(next);
    expect(commit.parents.map((p) => p.sha)).toEqual([head]);
    expect(commit.message).toContain(`Address review feedback on #${pr}`);
    expect(commit.message).toContain("Made by the scripted agent via Flotilla.");
    expect(await fileAt(next, "src/errors.js")).toContain("Sorry, that did not add up.");
    expect((await loop.pulls()).filter((p) => p.head === branchOf(issue))).toHaveLength(1);
    // The new head is judged on its own.
    expect(await judgeChecks(next)).toEqual([expect.objectContaining({ conclusion: "success" })]);
    expect((await loop.redisTask(issue))?.iteration?.feedback).toEqual([
      expect.objectContaining({ author: "alice", text: expect.stringContaining("friendlier") }),
    ]);
  });

  it("`/agent use codex …` has the other agent revise the same branch", async () => {
    const { issue, pr, head } = await agentPull("Greet, by codex");
    await comment(pr, `/agent use codex add a farewell${block("write src/bye.js <<EOF\nbye\nEOF")}`);

    const next = await settledHead(issue, head);
    expect((await commitOf(next)).message).toContain("Made by the codex agent via Flotilla.");
    expect(await fileAt(next, "src/bye.js")).toBe("bye\n");
    const task = await loop.redisTask(issue);
    expect(task?.agent).toBe("codex");
    expect(task?.branch).toBe(branchOf(issue));
  });

  it("`/agent stop` during a run cancels it, the status says so, and no commit arrives afterwards", async () => {
    const { issue, pr, head } = await agentPull("Greet, then stop");
    const gate = gateFile("stop-go");
    await comment(pr, `/agent take your time${block(`await ${gate}\nwrite src/late.js <<EOF\nlate\nEOF`)}`);
    await waitFor("the iteration to run", async () => {
      const task = await loop.redisTask(issue);
      return task?.state === "running" && task.iteration !== undefined;
    });

    await comment(pr, "/agent stop");
    const task = await waitFor("the task to be cancelled", async () => {
      const now = await loop.redisTask(issue);
      return now?.state === "cancelled" ? now : undefined;
    });
    expect(task.cancel?.reason).toBe("@alice asked to stop (`/agent stop`)");
    writeFileSync(gate, "");
    // The status comment follows the record (the worker edits it right after).
    await waitFor("the status comment to say it was cancelled", async () => {
      const status = (await loop.comments(issue)).find((c) => c.body.includes("flotilla:status"));
      return /Cancelled.*@alice asked to stop/s.test(status?.body.replaceAll("\u200b", "") ?? "");
    });
    await quiet();
    expect(await headOf(issue)).toBe(head);
  });

  it("three comments during one run become exactly one further iteration, with all three", async () => {
    const { issue, pr, head } = await agentPull("Greet, with notes");
    const gate = gateFile("notes-go");
    await comment(pr, `/agent first, wait${block(`await ${gate}\nwrite src/first.js <<EOF\n1\nEOF`)}`);
    const first = await waitFor("the first iteration to take its feedback", async () => {
      const task = await loop.redisTask(issue);
      return task?.state === "running" && task.iteration?.feedback.length === 1 ? task : undefined;
    });

    await comment(pr, `/agent note one${block("save-prompt notes/prompt.md")}`);
    await comment(pr, "/agent note two: keep it short");
    await comment(pr, "/agent note three: and polite");
    await script().settleWebhooks({});
    writeFileSync(gate, "");

    const last = await settledHead(issue, head, first.attempt + 1);
    await quiet();
    const task = await loop.redisTask(issue);
    // The first run, the iteration in progress, one more: no fourth.
    expect(task?.attempt).toBe(first.attempt + 1);
    expect(task?.iteration?.feedback.map((f) => f.text.split("\n")[0])).toEqual([
      "note one",
      "note two: keep it short",
      "note three: and polite",
    ]);
    const prompt = await fileAt(last, "notes/prompt.md");
    for (const note of ["note one", "note two: keep it short", "note three: and polite"])
      expect(prompt).toContain(note);
    expect(prompt).not.toContain("first, wait");
  }, 60_000);

  it("a review requesting changes with two line comments is one iteration, whose prompt has both with file and line, and the writers' conversation", async () => {
    const { issue, pr, head } = await agentPull("Greet, reviewed");
    await comment(pr, "A remark from alice: greetings should be warm.");
    await comment(pr, "A remark from rob, who may only read.", "rob");
    await script().review({
      repo: REPO,
      pull: pr,
      user: "alice",
      event: "COMMENT",
      body: "An earlier look: fine so far.",
      comments: [{ path: "src/greet.js", line: 3, body: "Nice and short." }],
    });
    await script().review({
      repo: REPO,
      pull: pr,
      user: "alice",
      event: "REQUEST_CHANGES",
      body: `Two things.${block("save-prompt notes/review-prompt.md")}`,
      comments: [
        { path: "src/greet.js", line: 1, body: "Document the parameter." },
        { path: "src/greet.js", line: 2, body: "Say hello, not hi." },
      ],
    });

    const next = await settledHead(issue, head);
    await quiet();
    const task = await loop.redisTask(issue);
    expect(task?.iteration?.feedback).toHaveLength(1);
    expect(await settledHead(issue)).toBe(next);
    const prompt = await fileAt(next, "notes/review-prompt.md");
    expect(prompt).toContain("The reviewer requested changes:\n\nTwo things.");
    expect(prompt).toContain("On src/greet.js, line 1:\n\nDocument the parameter.");
    expect(prompt).toContain("On src/greet.js, line 2:\n\nSay hello, not hi.");
    expect(prompt).toContain("Comments on the pull request, oldest first:");
    expect(prompt).toContain("A remark from alice: greetings should be warm.");
    expect(prompt).not.toContain("A remark from rob");
    // Earlier reviews are conversation too; the one being addressed is quoted once, as the feedback.
    expect(prompt).toContain("(a review) An earlier look: fine so far.");
    expect(prompt).toContain("(on src/greet.js, line 3) Nice and short.");
    expect(prompt?.split("Two things.")).toHaveLength(2);
  });

  it("a read-role commenter, a bot quoting a command and an edited comment start nothing and get no reply", async () => {
    const { issue, pr } = await agentPull("Greet, ignored");
    const before = await loop.redisTask(issue);
    const runs = (await loop.jobCounts()).runs;
    const ids = [
      await comment(pr, "/agent rewrite everything in COBOL", "rob"),
      await comment(pr, "> /agent rewrite everything\n/agent rewrite everything in COBOL", "ci-helper[bot]"),
      await comment(pr, "Thanks!"),
    ];
    await script().editComment({
      repo: REPO,
      commentId: ids[2] as number,
      body: "/agent rewrite everything in COBOL",
      user: "alice",
    });
    await quiet();

    expect((await loop.jobCounts()).runs).toBe(runs);
    expect((await loop.redisTask(issue))?.attempt).toBe(before?.attempt);
    expect(await replies(pr)).toEqual([]);
    for (const id of ids) expect(await reactionsOn(id)).toEqual([]);
  });

  it("answers `/agent help` and a mistyped command with the commands and agents, and judges again on `/agent judge`", async () => {
    const { pr, head } = await agentPull("Greet, help");
    await comment(pr, "/agent help");
    await comment(pr, "/agent stpo");
    await comment(pr, "/agent judge");
    await waitFor("two replies", async () => (await replies(pr)).length === 2);
    const [help, mistyped] = await replies(pr);
    expect(help?.body).toContain("`/agent use <agent> [feedback]`");
    expect(help?.body).toContain("Agents: `codex`, `scripted`, `scripted-judge`.");
    expect(mistyped?.body).toContain("is not a command");
    await waitFor("a second judge run on the head", async () => {
      const checks = await judgeChecks(head);
      return checks.length === 2 && checks.every((c) => c.status === "completed");
    });
  });

  it("`/agent run <agent>` on an issue starts it like its label, and `/agent retry` runs a failed attempt again", async () => {
    const started = await loop.openIssue("Greet via command", judgedIssue(GREET, APPROVE));
    await comment(started, "/agent run codex");
    await waitFor("codex's pull request", async () =>
      (await loop.pulls()).find((p) => p.head === `flotilla/${started}-codex`),
    );

    const failing = await loop.openIssue("Fails", judgedIssue('exit 1 "no luck"', APPROVE));
    await loop.label(failing, "agent:scripted");
    await waitFor("the task to fail", async () => (await loop.redisTask(failing))?.state === "failed");
    await comment(failing, "/agent retry");
    const retried = await waitFor("the second attempt to fail too", async () => {
      const task = await loop.redisTask(failing);
      return task?.attempt === 2 && task.state === "failed" ? task : undefined;
    });
    expect(retried.sender).toBe("alice");
  });
});
