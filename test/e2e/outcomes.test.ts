import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  configWithScriptedAgent,
  expectNothingPublished,
  type Loop,
  SCRIPTED_AGENT,
  scriptedIssue,
  startLoop,
  waitFor,
} from "../helpers/loop.js";

// What the person who asked sees when the agent's run does not end in a pull request.

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: {
      "README.md": "# widgets\n",
      ".github/workflows/ci.yml": "on: push\njobs: {}\n",
      // A second agent that needs a secret this worker does not have.
      ".github/flotilla.yml": configWithScriptedAgent(
        [
          "  needy:",
          "    adapter: command",
          `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(SCRIPTED_AGENT)}, "{prompt_file}"]`,
          "    secrets: [WIDGETS_API_KEY_UNSET]",
        ].join("\n"),
      ),
    },
  });
});
afterAll(() => loop.stop());

async function settledStatus(issue: number, pattern: RegExp, agent = "scripted"): Promise<string> {
  return waitFor(`the status comment on #${issue} to match ${pattern}`, async () => {
    const status = (await loop.comments(issue)).find(
      (c) => c.body.includes(`flotilla:status`) && c.body.includes(`-i${issue}-${agent} -->`),
    );
    return status && pattern.test(status.body) ? status.body : undefined;
  });
}

const nothingPublished = (issue: number) => expectNothingPublished(loop, issue);

describe("a run that ends without a pull request", () => {
  it("reports a failed agent with its exit code and its last lines of output", async () => {
    const issue = await loop.openIssue(
      "crash",
      scriptedIssue(
        'echo compiling widgets\nwrite notes.txt <<EOF\nhalf done\nEOF\nexit 3 "the widget compiler crashed"',
      ),
    );
    await loop.label(issue, "agent:scripted");
    const status = await settledStatus(issue, /Failed/);
    expect(status).toContain("exited with code 3");
    expect(status).toContain("the widget compiler crashed");
    expect(status).toContain("compiling widgets");
    expect((await loop.redisTask(issue))?.state).toBe("failed");
    await nothingPublished(issue);
  });

  it("says there were no changes, and makes no branch and no pull request", async () => {
    const issue = await loop.openIssue("nothing to do", scriptedIssue("echo looked around, all fine"));
    await loop.label(issue, "agent:scripted");
    await settledStatus(issue, /No changes/);
    expect((await loop.redisTask(issue))?.state).toBe("no-changes");
    await nothingPublished(issue);
  });

  it("refuses a change to a workflow file, lists it, and pushes nothing", async () => {
    const issue = await loop.openIssue(
      "speed up CI",
      scriptedIssue(
        "write .github/workflows/ci.yml <<EOF\non: push\njobs: { evil: {} }\nEOF\nwrite README.md <<EOF\nfaster\nEOF",
      ),
    );
    await loop.label(issue, "agent:scripted");
    const status = await settledStatus(issue, /Not published/);
    expect(status).toContain(".github/workflows/ci.yml");
    expect(status).not.toContain("README.md");
    await nothingPublished(issue);
    // Not a single Git Data write in this file: every run here ends before publishing.
    const { byRoute } = loop.world.sandbox.script.meter({});
    expect(
      Object.keys(byRoute).filter((route) => route.startsWith("POST /repos/{owner}/{repo}/git/")),
    ).toEqual([]);
  });

  it("names a secret the agent needs and the worker lacks, and runs nothing", async () => {
    const issue = await loop.openIssue("needs a key", scriptedIssue("write ran.txt <<EOF\nran\nEOF"));
    await loop.label(issue, "agent:needy");
    // As GitHub renders it: Markdown escapes removed.
    const status = (await settledStatus(issue, /Failed/, "needy")).replace(/\\(.)/g, "$1");
    expect(status).toContain("the agent needs the secret WIDGETS_API_KEY_UNSET");
    expect(status).not.toContain("Flotilla could not finish");
    expect((await loop.redisTask(issue, "needy"))?.state).toBe("failed");
    expect(
      await loop.world.sandbox.script.branchSha({ repo: "acme/widgets", branch: `flotilla/${issue}-needy` }),
    ).toBeNull();
  });
});
