import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { scriptedBlockEntry, scriptedJudgeEntry } from "../../scripts/loopback.js";
import { runnerBin } from "../../scripts/runner-bin.js";
import { verdict } from "../helpers/judged.js";
import { BUGGY_ADD, FIX_ADD, type Loop, startLoop, waitFor } from "../helpers/loop.js";

// A race on the actions backend: each candidate and the judge of each candidate's branch are runs of the
// agent workflow on the sandbox's Actions runner; the worker host runs none of the branches' code.

const REPO = "acme/widgets";

const racer = (name: string) => scriptedBlockEntry(name);

const CONFIG = [
  "backend: actions",
  "actions:",
  "  startTimeout: 20s",
  "agents:",
  racer("alpha"),
  racer("beta"),
  scriptedJudgeEntry(),
  "judge:",
  "  agent: scripted-judge",
  "  maxRounds: 0",
  "  ciTimeout: 60s",
  "race:",
  "  pick: auto",
].join("\n");

/** alpha fixes add(); beta documents it and leaves the bug; the judge approves only a fixed add(). */
const ISSUE = [
  "add() subtracts.",
  `\`\`\`flotilla-alpha\n${FIX_ADD}\n\`\`\``,
  "```flotilla-beta\nwrite NOTES.md <<EOF\nadd() is fine\nEOF\n```",
  `\`\`\`flotilla-judge\nif src/add.js has "a - b"\n${verdict("request_changes")}\nif src/add.js lacks "a - b"\n${verdict("approve")}\n\`\`\``,
].join("\n\n");

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: {
      "README.md": "# widgets\n",
      "src/add.js": BUGGY_ADD,
      ".github/workflows/flotilla-agent.yml": readFileSync(".github/workflows/flotilla-agent.yml", "utf8"),
      ".github/flotilla.yml": CONFIG,
    },
    worker: { watchdogIntervalMs: 500 },
  });
  loop.world.sandbox.script.runAgentWorkflows({ path: [runnerBin()] });
  loop.world.sandbox.script.setCi({
    repo: REPO,
    name: "test",
    command: ["sh", "-c", "grep -q 'a + b' src/add.js"],
    onPush: true,
  });
});
afterAll(() => loop.stop());

describe("a race on the actions backend", () => {
  it("runs the candidates and their judge on runners; the one CI fails and the judge rejects loses", async () => {
    const issue = await loop.openIssue("add() subtracts", ISSUE);
    await loop.world.sandbox.script.comment({
      repo: REPO,
      issue,
      body: "/agent race alpha beta",
      user: "alice",
    });

    const pull = await waitFor(
      "the winner's pull request",
      async () => (await loop.pulls()).find((p) => p.body.includes(`#${issue}`)),
      60_000,
    );
    expect(pull.head).toBe(`flotilla/${issue}-alpha`);
    expect((await loop.pulls()).filter((p) => p.body.includes(`#${issue}`))).toHaveLength(1);

    // Each candidate ran on a runner, and was judged on one.
    const runs = loop.world.sandbox.store
      .repo(REPO)
      .workflowRuns.filter((r) => String(r.inputs.issue) === String(issue))
      .map((r) => `${String(r.inputs.role)} ${String(r.inputs.task).replace(/^r\d+-i\d+-/, "")}`);
    expect(runs.filter((r) => r.startsWith("code")).sort()).toEqual(["code alpha", "code beta"]);
    expect(runs.filter((r) => r.startsWith("judge"))).toEqual(
      expect.arrayContaining(["judge alpha", "judge beta"]),
    );
  });
});
