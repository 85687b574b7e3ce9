import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { scriptedBlockEntry, scriptedJudgeEntry } from "../../scripts/loopback.js";
import { type Loop, startLoop, waitFor } from "../helpers/loop.js";

// Races (best-of-N), end to end: three scripted agents (the same program, each running its own block of the
// issue) on one issue at once, the sandbox's CI on each pushed branch, a scripted judge, Flotilla in between.

const REPO = "acme/widgets";

const racer = (name: string) => scriptedBlockEntry(name);

function config(pick: "auto" | "person", timeLimit = "2h"): string {
  return [
    "agents:",
    racer("alpha"),
    racer("beta"),
    racer("gamma"),
    scriptedJudgeEntry(),
    "judge:",
    "  agent: scripted-judge",
    "  maxRounds: 0",
    "  ciTimeout: 60s",
    "race:",
    "  keepBranches: 2s",
    `  timeLimit: ${timeLimit}`,
    `  pick: ${pick}`,
  ].join("\n");
}

const verdict = (decision: string) =>
  `echo ${JSON.stringify({ decision, summary: `The judge says ${decision}.` })}`;

/**
 * alpha's change breaks CI (it adds src/lint.txt), the judge requests changes on beta's, and gamma's is
 * green and approved.
 */
const ISSUE = [
  "Write the answer.",
  "```flotilla-alpha\nwrite src/answer.txt <<EOF\nalpha\nEOF\nwrite src/lint.txt <<EOF\nlint fails\nEOF\n```",
  "```flotilla-beta\nwrite src/answer.txt <<EOF\nbeta\nEOF\n```",
  "```flotilla-gamma\nwrite src/answer.txt <<EOF\ngamma\nEOF\n```",
  `\`\`\`flotilla-judge\nif src/answer.txt has "beta"\n${verdict("request_changes")}\nif src/answer.txt lacks "beta"\n${verdict("approve")}\n\`\`\``,
].join("\n\n");

/** alpha and beta take their time. */
const SLOW = [
  "Take your time.",
  "```flotilla-alpha\nsleep 20000\n```",
  "```flotilla-beta\nsleep 20000\n```",
].join("\n\n");

const tasksOf = (issue: number, agents: string[]) => Promise.all(agents.map((a) => loop.redisTask(issue, a)));

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: { "README.md": "# widgets\n", ".github/flotilla.yml": config("auto") },
  });
  // CI runs on every push (the candidates' branches have no pull request), and fails when src/lint.txt exists.
  loop.world.sandbox.script.setCi({
    repo: REPO,
    name: "test",
    command: ["sh", "-c", "test ! -e src/lint.txt"],
    onPush: true,
  });
});
afterAll(() => loop.stop());

const script = () => loop.world.sandbox.script;
const comment = (issue: number, body: string) => script().comment({ repo: REPO, issue, body, user: "alice" });
const branch = (issue: number, agent: string) => `flotilla/${issue}-${agent}`;
const branchSha = (issue: number, agent: string) =>
  script().branchSha({ repo: REPO, branch: branch(issue, agent) });

/** Markdown as it reads: backslash escapes removed. */
const unescaped = (markdown: string) => markdown.replace(/\\([!-/:-@[-`{-~])/g, "$1");

async function raceComment(issue: number, pattern: RegExp): Promise<string> {
  let last = "";
  try {
    return await waitFor(
      `the race's comment on #${issue} to match ${pattern}`,
      async () => {
        const found = (await loop.comments(issue)).find((c) => c.body.includes("flotilla:status task=race-"));
        last = unescaped(found?.body ?? "");
        return pattern.test(last) ? last : undefined;
      },
      40_000,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; it says:\n${last}`);
  }
}

describe("races", () => {
  it("three agents race; the one CI fails and the one the judge rejects lose: one pull request, from the winner, and the losers' branches go later", async () => {
    const issue = await loop.openIssue("The answer", ISSUE);
    await comment(issue, "/agent race alpha beta gamma");

    const status = await raceComment(issue, /Winner: `gamma`/);
    expect(status).toMatch(/\| 1 \| `gamma` \| pull request \[#\d+\]\(\S+\) \| ✅ passed \| ✅ approve \|/);
    expect(status).toMatch(/\| 2 \| `beta` \| finished \| ✅ passed \| ❌ changes requested \|/);
    expect(status).toMatch(/\| 3 \| `alpha` \| finished \| ❌ failed: test \| ✅ approve \|/);
    // People comparing them see where each change is and what the judge said.
    expect(status).toContain(`- \`beta\` on \`${branch(issue, "beta")}\`: The judge says request_changes.`);

    const pulls = (await loop.pulls()).filter((p) => p.body.includes(`#${issue}`));
    expect(pulls.map((p) => p.head)).toEqual([branch(issue, "gamma")]);
    // The winner goes on to the ordinary review: the judge approves it there too.
    await waitFor(
      "the winner's review",
      async () => (await loop.redisTask(issue, "gamma"))?.state === "ready",
    );

    // Each candidate had its own status line in the race's comment, not a status comment of its own.
    const comments = await loop.comments(issue);
    expect(comments.filter((c) => /flotilla:status task=r\d+-i\d+-(alpha|beta)/.test(c.body))).toEqual([]);

    // The losers' branches are deleted once kept for `keepBranches`; the winner's stays.
    await waitFor("the losers' branches to be deleted", async () => {
      const [alpha, beta] = await Promise.all([branchSha(issue, "alpha"), branchSha(issue, "beta")]);
      return alpha === null && beta === null;
    });
    expect(await branchSha(issue, "gamma")).not.toBeNull();
  });

  it("stops the whole race on `/agent stop`, and answers a second race asked for meanwhile", async () => {
    const issue = await loop.openIssue("Slow", SLOW);
    await comment(issue, "/agent race alpha beta");
    await waitFor("both candidates to run", async () => {
      return (await tasksOf(issue, ["alpha", "beta"])).every((t) => t?.state === "running");
    });
    await comment(issue, "/agent race alpha beta");
    await waitFor("the answer to the second race", async () =>
      (await loop.comments(issue)).find((c) => c.body.includes("A race is already on for this issue")),
    );

    await comment(issue, "/agent stop");
    await raceComment(issue, /Race stopped.*alice asked to stop/);
    await waitFor("both candidates to be cancelled", async () => {
      return (await tasksOf(issue, ["alpha", "beta"])).every((t) => t?.state === "cancelled");
    });
    expect((await loop.pulls()).filter((p) => p.body.includes(`#${issue}`))).toEqual([]);
    expect(await branchSha(issue, "alpha")).toBeNull();
  });

  it("with `pick: person`, an issue opened with several agents' labels races them and a person picks the winner", async () => {
    await script().pushFiles({
      repo: REPO,
      branch: "main",
      files: { ".github/flotilla.yml": config("person") },
    });
    const issue = await loop.openIssue("The answer, picked", ISSUE, ["agent:alpha", "agent:gamma"]);

    const ranked = await raceComment(issue, /waiting for `\/agent pick <agent>`/);
    expect(ranked).toMatch(/\| 1 \| `gamma` \| finished \| ✅ passed \| ✅ approve \|/);
    expect(ranked).toMatch(/\| 2 \| `alpha` \| finished \| ❌ failed: test \| ✅ approve \|/);
    expect((await loop.pulls()).filter((p) => p.body.includes(`#${issue}`))).toEqual([]);

    await comment(issue, "/agent pick beta");
    await waitFor("the answer to picking a non-candidate", async () =>
      (await loop.comments(issue)).find((c) => c.body.includes("is not a candidate in this race")),
    );
    // A person may pick another than the ranking's first.
    await comment(issue, "/agent pick alpha");
    await raceComment(issue, /Winner: `alpha`/);
    const pulls = (await loop.pulls()).filter((p) => p.body.includes(`#${issue}`));
    expect(pulls.map((p) => p.head)).toEqual([branch(issue, "alpha")]);
    await waitFor("gamma's branch to be deleted", async () => (await branchSha(issue, "gamma")) === null);
  });

  it("closing the issue stops its race, whose candidates have no labels", async () => {
    const issue = await loop.openIssue("Slow, then closed", SLOW);
    await comment(issue, "/agent race alpha beta");
    await waitFor("both candidates to run", async () =>
      (await tasksOf(issue, ["alpha", "beta"])).every((t) => t?.state === "running"),
    );
    await script().closeIssue({ repo: REPO, issue, user: "alice" });
    await raceComment(issue, /Race stopped.*alice closed the issue/);
    await waitFor("both candidates to be cancelled", async () =>
      (await tasksOf(issue, ["alpha", "beta"])).every((t) => t?.state === "cancelled"),
    );
  });

  it("at the time limit, stops the candidates still working and ranks the ones that finished", async () => {
    await script().pushFiles({
      repo: REPO,
      branch: "main",
      files: { ".github/flotilla.yml": config("auto", "3s") },
    });
    const body = [
      "Be quick.",
      "```flotilla-alpha\nsleep 20000\n```",
      "```flotilla-gamma\nwrite src/answer.txt <<EOF\ngamma\nEOF\n```",
      `\`\`\`flotilla-judge\n${verdict("approve")}\n\`\`\``,
    ].join("\n\n");
    const issue = await loop.openIssue("Against the clock", body);
    await comment(issue, "/agent race alpha gamma");
    const status = await raceComment(issue, /Winner: `gamma`.*\| `alpha` \| cancelled \|/s);
    expect(status).toMatch(/\| 1 \| `gamma` \|/);
    const pulls = (await loop.pulls()).filter((p) => p.body.includes(`#${issue}`));
    expect(pulls.map((p) => p.head)).toEqual([branch(issue, "gamma")]);
  });
});
