import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { runnerBin } from "../../scripts/runner-bin.js";
import { assertIdsOnly } from "../../src/backends/actions/workflow-inputs.js";
import { APPROVE, completedCheck, ISSUE_TEXT, verdict } from "../helpers/judged.js";
import {
  BUGGY_ADD,
  configWithScriptedJudge,
  FIX_ADD,
  judgedIssue,
  type Loop,
  startLoop,
  waitFor,
} from "../helpers/loop.js";

// The judge and the fix loop on the actions backend, end to end: the coder, the judge and each fix round are
// runs of the repository's agent workflow (the template), which the sandbox's Actions runner carries out with
// the real flotilla-runner; nothing of the branch runs on the worker host.

const TEMPLATE = readFileSync(".github/workflows/flotilla-agent.yml", "utf8");
const REPO = "acme/widgets";
const ACTIONS = "backend: actions\nactions:\n  startTimeout: 20s\n  retries: 1";

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: {
      "README.md": "# widgets\n",
      "src/add.js": BUGGY_ADD,
      ".github/workflows/flotilla-agent.yml": TEMPLATE,
      ".github/flotilla.yml": configWithScriptedJudge("  maxRounds: 2\n  ciTimeout: 60s", ACTIONS),
    },
    // One slot for judges on the worker host: judges on runners have slots of their own.
    worker: { watchdogIntervalMs: 500, judgeConcurrency: 1 },
  });
  loop.world.sandbox.script.runAgentWorkflows({ path: [runnerBin()] });
  loop.world.sandbox.script.setCi({
    repo: REPO,
    name: "test",
    command: ["sh", "-c", "grep -q 'a + b' src/add.js"],
  });
});
afterAll(() => loop.stop());

const script = () => loop.world.sandbox.script;
const branchOf = (issue: number) => `flotilla/${issue}-scripted`;

async function askAgent(title: string, coder: string, judge: string): Promise<number> {
  const issue = await loop.openIssue(title, `${ISSUE_TEXT}\n${judgedIssue(coder, judge)}`);
  await loop.label(issue, "agent:scripted");
  return issue;
}

async function pullOf(issue: number) {
  return waitFor(`a pull request for #${issue}`, async () =>
    (await loop.pulls()).find((p) => p.head === branchOf(issue)),
  );
}

async function headOf(issue: number): Promise<string> {
  const sha = await script().branchSha({ repo: REPO, branch: branchOf(issue) });
  if (!sha) throw new Error(`no branch for #${issue}`);
  return sha;
}

const completed = (sha: string, name: string) => completedCheck(loop, sha, name, 40_000);

/** The agent workflow's runs for one issue, oldest first, as the sandbox's Actions keeps them. */
function runsOf(issue: number) {
  return loop.world.sandbox.store
    .repo(REPO)
    .workflowRuns.filter((r) => String(r.inputs.issue) === String(issue))
    .map((r) => ({ ...r, role: String(r.inputs.role), agent: String(r.inputs.agent) }));
}

describe("the judge and the fix loop on the actions backend", () => {
  it("the judge runs on a runner and asks for changes; a fix round on a runner fixes the branch; the new head passes", async () => {
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
    // The coder documents add() and leaves the bug.
    const document = "replace src/add.js <<EOF\n+// Adds two numbers.\n export function add(a, b) {\nEOF";
    const issue = await askAgent("add() is wrong", document, judge);
    await pullOf(issue);
    const first = await headOf(issue);
    const firstJudge = await completed(first, "Flotilla judge");
    expect(firstJudge.conclusion).toBe("failure");

    // The round's commit, made from the runner's result, lands on top of the first head.
    const second = await waitFor("the fix round's head", async () => {
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
    expect(await script().readFile({ repo: REPO, ref: second, path: "src/add.js" })).toContain(
      "// Adds two numbers.\nexport function add(a, b) {\n  return a + b;",
    );
    expect((await completed(second, "Flotilla judge")).conclusion).toBe("success");
    expect((await completed(second, "Flotilla")).conclusion).toBe("success");

    // Every agent run was an Actions run of the template, on the default branch, with ids only: the coder,
    // the judge on the first head, the fix round, the judge on the second head.
    const runs = runsOf(issue);
    expect(runs.map((r) => [r.role, r.agent, r.conclusion])).toEqual([
      ["code", "scripted", "success"],
      ["judge", "scripted-judge", "success"],
      ["iterate", "scripted", "success"],
      ["judge", "scripted-judge", "success"],
    ]);
    for (const run of runs) {
      expect(run.headBranch).toBe("main");
      expect(() => assertIdsOnly(run.inputs as Record<string, string>)).not.toThrow();
      expect(JSON.stringify(run.inputs)).not.toContain("subtracts");
    }
    // The judge runs are named apart from the task's own runs.
    expect(runs[1]?.displayTitle).toMatch(/ a1\.j\d+-1$/);
    // The judge's check links its run, where its log is.
    expect(firstJudge.details_url).toMatch(new RegExp(`/actions/runs/${runs[1]?.id}$`));
    expect((await loop.redisTask(issue))?.autoRounds).toBe(1);
  });

  it("a person's /agent feedback on the pull request is an iteration on a runner, from the head", async () => {
    const issue = await askAgent("add() subtracts (person)", FIX_ADD, APPROVE);
    const pr = await pullOf(issue);
    const first = await headOf(issue);
    await completed(first, "Flotilla");
    await script().comment({
      repo: REPO,
      issue: pr.number,
      body: "/agent also write NOTES.md\n\n```flotilla-script\nwrite NOTES.md <<EOF\nnoted\nEOF\n```",
      user: "alice",
    });
    const second = await waitFor(
      "the iteration's head",
      async () => {
        const sha = await headOf(issue);
        return sha !== first ? sha : undefined;
      },
      40_000,
    );
    expect(await script().readFile({ repo: REPO, ref: second, path: "NOTES.md" })).toBe("noted\n");
    expect(await script().readFile({ repo: REPO, ref: second, path: "src/add.js" })).toContain("a + b");
    expect(runsOf(issue).map((r) => r.role)).toContain("iterate");
    expect((await completed(second, "Flotilla")).conclusion).toBe("success");
  });

  it("a judge on a runner that answers nonsense twice fails its check, after two runs", async () => {
    const issue = await askAgent("add() subtracts (nonsense)", FIX_ADD, "echo looks fine to me");
    await pullOf(issue);
    const judged = await completed(await headOf(issue), "Flotilla judge");
    expect(judged.conclusion).toBe("failure");
    expect(judged.output.summary).toContain("no valid verdict");
    expect(runsOf(issue).filter((r) => r.role === "judge")).toHaveLength(2);
    expect((await completed(await headOf(issue), "Flotilla")).conclusion).toBe("failure");
  });

  it("judges on runners do not wait for the worker host's judge slot: two pull requests are judged at once", async () => {
    // The first judge takes its time; the second is asked for once it runs, and is done before it.
    const slow = await askAgent("add() subtracts (slow judge)", FIX_ADD, `sleep 20000\n${APPROVE}`);
    const judgeOf = (issue: number) => runsOf(issue).find((r) => r.role === "judge");
    await waitFor("the slow judge's run", async () => judgeOf(slow), 30_000);
    const quick = await askAgent("add() subtracts (quick judge)", FIX_ADD, APPROVE);
    await pullOf(quick);
    expect((await completed(await headOf(quick), "Flotilla")).conclusion).toBe("success");
    expect(judgeOf(slow)?.status).not.toBe("completed");
    expect((await completed(await headOf(slow), "Flotilla")).conclusion).toBe("success");
  }, 60_000);

  // Last: it leaves the repository with an old copy of the template.
  it("an old copy of the template, without the judge's role, fails the judge's check saying what to do", async () => {
    const old = TEMPLATE.replace("options: [code, iterate, judge]", "options: [code]");
    expect(old).not.toBe(TEMPLATE);
    await script().pushFiles({
      repo: REPO,
      branch: "main",
      files: { ".github/workflows/flotilla-agent.yml": old },
    });
    const issue = await askAgent("add() subtracts (old template)", FIX_ADD, APPROVE);
    await pullOf(issue);
    const judged = await completed(await headOf(issue), "Flotilla judge");
    expect(judged.conclusion).toBe("failure");
    expect(judged.output.summary).toContain("not in the list of allowed values");
    expect(judged.output.summary).toContain("Flotilla's current template");
    expect(runsOf(issue).map((r) => r.role)).toEqual(["code"]);
  });
});
