import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  APPROVE,
  completedCheck,
  ISSUE_TEXT,
  flotillaChecks as judgedChecks,
  verdict,
} from "../helpers/judged.js";
import {
  BUGGY_ADD,
  configWithScriptedJudge,
  FIX_ADD,
  judgedIssue,
  type Loop,
  startLoop,
  waitFor,
} from "../helpers/loop.js";

// The judge and the gate, end to end: the sandbox's CI on each head, the scripted coder and a scripted judge
// (the issue's `flotilla-judge` block prints its verdict) as real processes, Flotilla in between.

const REPO = "acme/widgets";
const BREAK_LINT = "write src/lint.txt <<EOF\nlint fails\nEOF";

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: {
      "README.md": "# widgets\n",
      "src/add.js": BUGGY_ADD,
      ".github/flotilla.yml": configWithScriptedJudge("  maxRounds: 0\n  ciTimeout: 60s"),
    },
  });
});
afterAll(() => loop.stop());

const script = () => loop.world.sandbox.script;

/** The repository's config from now on (read when a label is added). */
async function useConfig(judge: string, judgeTimeout = "60s") {
  await script().pushFiles({
    repo: REPO,
    branch: "main",
    files: { ".github/flotilla.yml": configWithScriptedJudge(judge, "", judgeTimeout) },
  });
}

/** The CI: a check "test" that passes when src/add.js adds, and "lint" that fails when src/lint.txt exists. */
function useCi(options: { delayMs?: number } = {}) {
  script().setCi({
    repo: REPO,
    name: "test",
    command: ["sh", "-c", "grep -q 'a + b' src/add.js && test ! -e src/lint.txt"],
    ...(options.delayMs ? { delayMs: options.delayMs } : {}),
  });
}

async function askAgent(title: string, coder: string, judge: string): Promise<number> {
  const issue = await loop.openIssue(title, `${ISSUE_TEXT}\n${judgedIssue(coder, judge)}`);
  await loop.label(issue, "agent:scripted");
  return issue;
}

const branchOf = (issue: number) => `flotilla/${issue}-scripted`;

async function pullOf(issue: number) {
  return waitFor(`a pull request for #${issue}`, async () =>
    (await loop.pulls()).find((p) => p.head === branchOf(issue)),
  );
}

const flotillaChecks = (sha: string, name: string) => judgedChecks(loop, sha, name);
const completed = (sha: string, name: string) => completedCheck(loop, sha, name);

async function headOf(issue: number): Promise<string> {
  const sha = await script().branchSha({ repo: REPO, branch: branchOf(issue) });
  if (!sha) throw new Error(`no branch for #${issue}`);
  return sha;
}

async function reviewsOf(pr: number) {
  const gh = loop.world.installationOctokit();
  const { data } = await gh.rest.pulls.listReviews({ owner: "acme", repo: "widgets", pull_number: pr });
  return data;
}

/** Markdown as it reads: backslash escapes removed. */
const unescaped = (markdown: string) => markdown.replace(/\\([!-/:-@[-`{-~])/g, "$1");

async function statusOf(issue: number, pattern: RegExp) {
  let last = "";
  try {
    return await waitFor(`the status comment on #${issue} to match ${pattern}`, async () => {
      const status = (await loop.comments(issue)).find((c) => c.body.includes("flotilla:status"));
      last = unescaped(status?.body ?? "");
      return pattern.test(last) ? last : undefined;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}; it says:\n${last}`);
  }
}

describe("the judge and the gate", () => {
  it("CI green and the judge approving: the gate passes, with a review for people, and the merge queue gets it too", async () => {
    useCi();
    const issue = await askAgent("add() subtracts", FIX_ADD, APPROVE);
    const pr = await pullOf(issue);
    const sha = await headOf(issue);

    const judge = await completed(sha, "Flotilla judge");
    expect(judge.conclusion).toBe("success");
    const gate = await completed(sha, "Flotilla");
    expect(gate.conclusion).toBe("success");

    const [review] = await reviewsOf(pr.number);
    expect(review?.state).toBe("COMMENTED");
    expect(review?.commit_id).toBe(sha);
    const body = unescaped(review?.body ?? "");
    expect(body).toContain("The judge says approve.");
    expect(body).toMatch(/\| add\(\) adds \| ✅ \| src\/add\.js returns a \+ b \|/);
    await statusOf(issue, /Gate passed/);

    // In the merge queue, the merge group's head gets the gate the pull request's head earned.
    const group = await script().enqueueMergeGroup({ repo: REPO, pull: pr.number });
    const queued = await completed(group.headSha, "Flotilla");
    expect(queued.conclusion).toBe("success");
  });

  it("CI red: the gate fails naming the check, and without fix rounds the status asks a person", async () => {
    useCi();
    const issue = await askAgent("add() subtracts, and lint", `${FIX_ADD}\n${BREAK_LINT}`, APPROVE);
    const sha = await headOf(await pullOf(issue).then(() => issue));
    const gate = await completed(sha, "Flotilla");
    expect(gate.conclusion).toBe("failure");
    expect(gate.output.title).toContain("test");
    expect((await completed(sha, "Flotilla judge")).conclusion).toBe("success");
    await statusOf(issue, /Needs a person.*CI failed: test/s);
  });

  it("the judge requesting changes: an automatic round fixes it, the new head is judged again and passes", async () => {
    await useConfig("  maxRounds: 2\n  ciTimeout: 60s");
    useCi();
    const fixScript = `\n\`\`\`flotilla-script\n${FIX_ADD}\n\`\`\`\n`;
    const judge = [
      'if src/add.js has "a - b"',
      verdict("request_changes", {
        findings: [
          { severity: "blocker", file: "src/add.js", line: 3, message: `It subtracts.${fixScript}` },
        ],
      }),
      'if src/add.js lacks "a - b"',
      APPROVE,
    ].join("\n");
    // The coder first documents add(), leaving the bug (now on line 3).
    const document = "replace src/add.js <<EOF\n+// Adds two numbers.\n export function add(a, b) {\nEOF";
    const issue = await askAgent("add() is wrong", document, judge);
    const pr = await pullOf(issue);
    const first = await headOf(issue);
    expect((await completed(first, "Flotilla judge")).conclusion).toBe("failure");
    expect((await completed(first, "Flotilla")).conclusion).toBe("failure");

    // The round's commit lands on the same branch, on top of the first.
    const second = await waitFor("a new head", async () => {
      const sha = await headOf(issue);
      return sha !== first ? sha : undefined;
    });
    const gh = loop.world.installationOctokit();
    const { data: commit } = await gh.rest.git.getCommit({
      owner: "acme",
      repo: "widgets",
      commit_sha: second,
    });
    expect(commit.parents.map((p) => p.sha)).toEqual([first]);
    expect(await script().readFile({ repo: REPO, ref: second, path: "src/add.js" })).toContain("a + b");
    expect((await completed(second, "Flotilla")).conclusion).toBe("success");

    // Both rounds are in the pull request's timeline: the first review with its finding on its line.
    const reviews = await reviewsOf(pr.number);
    expect(reviews.map((r) => r.commit_id)).toEqual([first, second]);
    const { data: comments } = await gh.rest.pulls.listReviewComments({
      owner: "acme",
      repo: "widgets",
      pull_number: pr.number,
    });
    expect(comments.map((c) => [c.path, c.line, c.commit_id])).toEqual([["src/add.js", 3, first]]);
    expect((await loop.redisTask(issue))?.autoRounds).toBe(1);
    await statusOf(issue, /Gate passed/);
  });

  it("a judge that answers nonsense twice fails its check with the reason; one that runs out of time fails too", async () => {
    await useConfig("  maxRounds: 0\n  ciTimeout: 60s", "2s");
    useCi();
    const nonsense = await askAgent("add() subtracts (nonsense)", FIX_ADD, "echo looks fine to me");
    const slow = await askAgent("add() subtracts (slow)", FIX_ADD, "sleep 10000");
    const bad = await completed(await headOf(await pullOf(nonsense).then(() => nonsense)), "Flotilla judge");
    expect(bad.conclusion).toBe("failure");
    expect(bad.output.summary).toContain("no valid verdict");
    const late = await completed(await headOf(await pullOf(slow).then(() => slow)), "Flotilla judge");
    expect(late.conclusion).toBe("failure");
    expect(late.output.summary).toMatch(/ran out of time/);
    expect((await completed(await headOf(slow), "Flotilla")).conclusion).toBe("failure");
  });

  it("CI still running when the wait runs out: the judge runs anyway and says CI was pending", async () => {
    await useConfig("  maxRounds: 0\n  ciTimeout: 2s");
    useCi({ delayMs: 20_000 });
    const issue = await askAgent("add() subtracts (slow CI)", FIX_ADD, APPROVE);
    const sha = await headOf(await pullOf(issue).then(() => issue));
    const gate = await completed(sha, "Flotilla");
    expect(gate.conclusion).toBe("failure");
    expect(gate.output.title).toMatch(/pending.*test|test.*pending/i);
    const [review] = await reviewsOf((await pullOf(issue)).number);
    expect(review?.body).toMatch(/pending/i);
  });

  it("two quick pushes: the older head's verdict is superseded and only the newer head gets the gate", async () => {
    await useConfig("  maxRounds: 0\n  ciTimeout: 60s");
    useCi({ delayMs: 1_500 });
    const issue = await askAgent("add() subtracts (pushes)", FIX_ADD, APPROVE);
    const pr = await pullOf(issue);
    await completed(await headOf(issue), "Flotilla");

    // alice pushes twice to the agent's branch, the second right after the first.
    const push = (text: string) =>
      script().pushFiles({
        repo: REPO,
        branch: branchOf(issue),
        files: { "NOTES.md": text },
        author: "alice",
      });
    await push("one\n");
    const older = await headOf(issue);
    await push("two\n");
    const newer = await headOf(issue);

    expect((await completed(newer, "Flotilla")).conclusion).toBe("success");
    const judged = await completed(older, "Flotilla judge");
    expect(judged.conclusion).toBe("cancelled");
    expect(judged.output.title).toBe(`Superseded by ${newer.slice(0, 7)}`);
    expect((await completed(older, "Flotilla")).conclusion).toBe("cancelled");
    expect((await reviewsOf(pr.number)).map((r) => r.commit_id)).not.toContain(older);
  });

  it("a check named Flotilla made by a workflow does not pass the gate pinned to the App's id", async () => {
    await useConfig("  maxRounds: 0\n  ciTimeout: 60s");
    // A workflow in the repository reports a check called "Flotilla" that always succeeds.
    script().setCi({ repo: REPO, name: "Flotilla", outcome: "success" });
    const issue = await askAgent(
      "add() subtracts (faked gate)",
      FIX_ADD,
      verdict("request_changes", { findings: [{ message: "Not convinced." }] }),
    );
    const sha = await headOf(await pullOf(issue).then(() => issue));
    await completed(sha, "Flotilla");
    await script().settleCi({});

    const gh = loop.world.installationOctokit();
    const { data } = await gh.rest.checks.listForRef({
      owner: "acme",
      repo: "widgets",
      ref: sha,
      check_name: "Flotilla",
    });
    // By name alone, a required check "Flotilla" could be satisfied by the workflow's...
    const byApp = data.check_runs.map((r) => [
      r.app?.id === loop.world.app.id ? "Flotilla" : r.app?.slug,
      r.conclusion,
    ]);
    expect(byApp.sort()).toEqual([
      ["Flotilla", "failure"],
      ["github-actions", "success"],
    ]);
    // ...pinned to the App's id (branch protection's "expected source"), only Flotilla's verdict counts.
    expect((await flotillaChecks(sha, "Flotilla")).map((r) => r.conclusion)).toEqual(["failure"]);
  });

  it("a pull request a person opened is not judged: its gate passes at once, so requiring it holds no one up", async () => {
    await script().pushFiles({
      repo: REPO,
      branch: "docs",
      files: { "docs.md": "# docs\n" },
      author: "alice",
    });
    const pr = await script().openPullRequest({ repo: REPO, head: "docs", title: "Docs", user: "alice" });
    const sha = await script().branchSha({ repo: REPO, branch: "docs" });
    if (!sha) throw new Error("no docs branch");
    const gate = await completed(sha, "Flotilla");
    expect([gate.conclusion, gate.output.title]).toEqual(["success", "Not an agent pull request"]);
    expect(await flotillaChecks(sha, "Flotilla judge")).toEqual([]);
    expect(await reviewsOf(pr.number)).toEqual([]);
  });
});
