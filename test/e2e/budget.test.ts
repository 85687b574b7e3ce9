import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { openFleet } from "../../src/fleet/fleet.js";
import { monthOf, monthUsage } from "../../src/fleet/repo-budget.js";
import { configWithScriptedAgent, type Loop, scriptedIssue, startLoop, waitFor } from "../helpers/loop.js";

// A repository's monthly budget, end to end: the scripted agent reports what it spent (as `adapter: command`
// programs may), Flotilla adds it up per repository and month, and a run asked for past the budget waits.

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: {
      "README.md": "# widgets\n",
      ".github/flotilla.yml": configWithScriptedAgent("budget:\n  monthlyUsd: 1\n"),
    },
    worker: { watchdogIntervalMs: 300 },
  });
});
afterAll(() => loop.stop());

/** The scripted agent spends `usd` (as it reports) and writes a file. */
const spending = (usd: number, file: string) =>
  scriptedIssue(`echo flotilla-usage {"costUsd": ${usd}, "turns": 1}\nwrite ${file} <<EOF\n${file}\nEOF`);

async function status(issue: number, pattern: RegExp): Promise<string> {
  return waitFor(`the status comment on #${issue} to match ${pattern}`, async () => {
    const body = (await loop.comments(issue)).find((c) => c.body.includes("flotilla:status"))?.body ?? "";
    const text = body.replaceAll("\u200b", "").replace(/\\([!-/:-@[-`{-~])/g, "$1");
    return pattern.test(text) ? text : undefined;
  });
}

const pullFor = (issue: number) =>
  waitFor(`a pull request for #${issue}`, async () =>
    (await loop.pulls()).find((p) => p.head === `flotilla/${issue}-scripted`),
  );

describe("monthly budgets", () => {
  it("adds up what the agents report, and a run past the budget waits with the status saying so, until the budget allows", async () => {
    const first = await loop.openIssue("First", spending(0.4, "one.txt"));
    await loop.label(first, "agent:scripted");
    await status(first, /Pull request opened/);
    const second = await loop.openIssue("Second", spending(0.65, "two.txt"));
    await loop.label(second, "agent:scripted");
    await status(second, /Pull request opened/);

    // The month's usage is the sum of what the adapter reported for each run.
    const fleet = openFleet(loop.redis.connect(), loop.settings.redisPrefix);
    const repoId = (await loop.redisTask(first))?.repo.id ?? 0;
    const month = monthOf(new Date());
    const reported = [(await loop.redisTask(first))?.usage, (await loop.redisTask(second))?.usage];
    expect(reported).toEqual([
      { costUsd: 0.4, turns: 1 },
      { costUsd: 0.65, turns: 1 },
    ]);
    const usage = await monthUsage(fleet, repoId, month);
    expect(usage).toMatchObject({ runs: 2 });
    expect(usage.usd).toBeCloseTo(1.05, 10);

    // Past the budget: no run, and the issue says why.
    const third = await loop.openIssue("Third", spending(0.1, "three.txt"));
    await loop.label(third, "agent:scripted");
    const monthName = new Date().toLocaleString("en", { month: "long", timeZone: "UTC" });
    const waiting = await status(third, /Waiting for budget/);
    expect(waiting).toContain(`budget for ${monthName} reached: 1.05 of 1 USD`);
    expect((await loop.redisTask(third))?.state).toBe("waiting-budget");
    expect(
      await loop.world.sandbox.script.branchSha({
        repo: "acme/widgets",
        branch: `flotilla/${third}-scripted`,
      }),
    ).toBeNull();

    // A new month (its usage starts at nothing): the waiting task starts by itself.
    await loop.redis.connect().del(fleet.keys.usage(repoId, month));
    await pullFor(third);
    await status(third, /Pull request opened/);
    await fleet.close();
  });
});
