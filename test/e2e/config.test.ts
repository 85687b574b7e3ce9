import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { type Loop, startLoop, waitFor } from "../helpers/loop.js";

// A repository whose `.github/flotilla.yml` is wrong: one explanation on the issue, and no run.

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: {
      "README.md": "# widgets\n",
      ".github/flotilla.yml":
        "backend: local\nconcurrency:\n  perRepo: lots\nagents:\n  scripted:\n    adapter: command\n",
    },
  });
});
afterAll(() => loop.stop());

it("explains an invalid config once, naming the file, the line and the key, and starts nothing", async () => {
  const issue = await loop.openIssue("fix it", "please");
  await loop.label(issue, "agent:scripted");
  const comments = await waitFor("the explanation", async () => {
    const all = await loop.comments(issue);
    return all.length > 0 ? all : undefined;
  });
  const body = comments[0]?.body ?? "";
  expect(body).toContain(".github/flotilla.yml");
  expect(body).toMatch(/line 3, `concurrency\.perRepo`/);
  expect(body).toMatch(/line 6, `agents\.scripted\.command`/);

  // The same delivery again, and the label added by someone else: still the one comment per delivery,
  // and never a run.
  const labeled = loop.world.sandbox.webhooks.deliveries.findLast((d) => d.action === "labeled");
  await loop.world.sandbox.script.redeliver({ delivery: labeled?.guid as string });
  await loop.world.sandbox.script.settleWebhooks({});
  await loop.drainUpdates();
  expect(await loop.comments(issue)).toHaveLength(1);
  expect(await loop.redisTask(issue)).toBeUndefined();
});
