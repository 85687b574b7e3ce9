import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { configWithScriptedAgent, type Loop, scriptedIssue, startLoop, waitFor } from "../helpers/loop.js";

// The line a repository's tasks wait in: a priority label moves a task ahead of the others. The first task
// runs long enough for the other three to be labelled while it does.

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: {
      "README.md": "# widgets\n",
      ".github/flotilla.yml": configWithScriptedAgent(
        "concurrency:\n  perRepo: 1\npriority:\n  high: [urgent]\n",
      ),
    },
  });
});
afterAll(() => loop.stop());

/** The issues, in the order their tasks started, once all of them opened their pull request. */
async function startOrder(issues: number[]): Promise<(number | undefined)[]> {
  const tasks = await waitFor(
    `the tasks of ${issues.length} issues to finish`,
    async () => {
      const all = await Promise.all(issues.map((issue) => loop.redisTask(issue)));
      return all.every((t) => t?.state === "checking") ? all : undefined;
    },
    60_000,
  );
  return [...tasks]
    .sort((a, b) => Date.parse(a?.startedAt ?? "") - Date.parse(b?.startedAt ?? ""))
    .map((t) => t?.issue);
}

describe("priority labels", () => {
  it("start a task labelled urgent, and labelled last, right after the one running", async () => {
    const issues: number[] = [];
    for (const [n, labels] of [
      [1, []],
      [2, []],
      [3, []],
      [4, ["urgent"]],
    ] as const) {
      const issue = await loop.openIssue(
        `Task ${n}`,
        scriptedIssue(`sleep ${n === 1 ? 3000 : 100}\nwrite t${n}.txt <<EOF\n${n}\nEOF`),
        [...labels],
      );
      await loop.label(issue, "agent:scripted");
      issues.push(issue);
    }
    expect(await startOrder(issues)).toEqual([issues[0], issues[3], issues[1], issues[2]]);
  }, 90_000);

  it("move a task that is already waiting when the label is added afterwards", async () => {
    const issues: number[] = [];
    for (let n = 1; n <= 3; n++) {
      const issue = await loop.openIssue(
        `Later ${n}`,
        scriptedIssue(`sleep ${n === 1 ? 3000 : 100}\nwrite l${n}.txt <<EOF\n${n}\nEOF`),
      );
      await loop.label(issue, "agent:scripted");
      issues.push(issue);
    }
    const [first, second, third] = issues as [number, number, number];
    await waitFor("the third task to wait", async () => (await loop.redisTask(third))?.position === 2);
    await loop.label(third, "urgent");
    await waitFor("the third task to move up", async () => (await loop.redisTask(third))?.position === 1);
    expect(await startOrder(issues)).toEqual([first, third, second]);
  }, 90_000);
});
