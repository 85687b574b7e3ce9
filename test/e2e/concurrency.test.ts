import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { configWithScriptedAgent, type Loop, scriptedIssue, startLoop, waitFor } from "../helpers/loop.js";

// Ten issues labelled at once in a repository allowing three runs at a time.

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: {
      "README.md": "# widgets\n",
      ".github/flotilla.yml": configWithScriptedAgent("concurrency:\n  perRepo: 3"),
    },
    // More worker slots than the repository allows, so the repository's limit is what binds.
    workerConcurrency: 10,
  });
});
afterAll(() => loop.stop());

/**
 * How many tasks were running at most at any moment, from the sandbox's view: the status comments' edits, in
 * the order GitHub (the sandbox) received them. A task runs from its "Running" edit to its final one.
 */
function mostRunningAtOnce(): number {
  const running = new Set<number>();
  let most = 0;
  for (const delivery of loop.world.sandbox.webhooks.deliveries) {
    if (delivery.event !== "issue_comment" || delivery.redelivery) continue;
    const payload = delivery.payload as { issue: { number: number }; comment: { body: string } };
    const body = payload.comment.body;
    if (!body.includes("flotilla:status")) continue;
    if (/\*\*(Running|Publishing)\.\*\*/.test(body)) running.add(payload.issue.number);
    else running.delete(payload.issue.number);
    most = Math.max(most, running.size);
  }
  return most;
}

it("never runs more than three at once, and opens all ten pull requests", async () => {
  const issues: number[] = [];
  for (let i = 1; i <= 10; i++) {
    issues.push(
      await loop.openIssue(
        `task ${i}`,
        scriptedIssue(`sleep 300\nwrite notes/${i}.txt <<EOF\nnote ${i}\nEOF`),
      ),
    );
  }
  await Promise.all(issues.map((issue) => loop.label(issue, "agent:scripted")));

  const pulls = await waitFor(
    "ten pull requests",
    async () => {
      const all = await loop.pulls();
      return all.length === 10 ? all : undefined;
    },
    110_000,
  );
  expect(pulls.map((p) => p.head).sort()).toEqual(issues.map((n) => `flotilla/${n}-scripted`).sort());
  await waitFor("every status comment to settle", async () => {
    const tasks = await Promise.all(issues.map((n) => loop.redisTask(n)));
    return tasks.every((t) => t?.state === "checking");
  });
  await loop.world.sandbox.script.settleWebhooks({});
  expect(mostRunningAtOnce()).toBe(3);
  // Ten agent runs, three at a time, on a machine the other test files are also using.
}, 120_000);
