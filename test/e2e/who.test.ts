import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { configWithScriptedAgent, type Loop, startLoop, waitFor } from "../helpers/loop.js";

// Who may start agents, and what people see when Flotilla cannot start one.

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: { "README.md": "# widgets\n", ".github/flotilla.yml": configWithScriptedAgent() },
  });
  loop.world.sandbox.script.createUser({ login: "tess" });
  loop.world.sandbox.script.addCollaborator({ repo: "acme/widgets", user: "tess", role: "triage" });
});
afterAll(() => loop.stop());

/** Labels the issue and checks that nothing followed: everything a webhook causes is in Redis once it is answered. */
async function labelAndExpectNothing(issue: number, label: string, user: string): Promise<void> {
  const before = await loop.jobCounts();
  await loop.label(issue, label, user);
  await loop.world.sandbox.script.settleWebhooks({});
  expect(await loop.redisTask(issue)).toBeUndefined();
  expect(await loop.jobCounts()).toEqual(before);
  expect(await loop.comments(issue)).toEqual([]);
}

describe("who may start an agent", () => {
  it("starts nothing and says nothing when the label comes from someone with read access", async () => {
    const issue = await loop.openIssue("from rob", "please");
    await labelAndExpectNothing(issue, "agent:scripted", "rob");
  });

  it("starts nothing and says nothing when the label comes from someone with triage access", async () => {
    const issue = await loop.openIssue("from tess", "please");
    await labelAndExpectNothing(issue, "agent:scripted", "tess");
  });

  it("starts nothing when a bot adds the label, Flotilla's own included", async () => {
    const issue = await loop.openIssue("from a bot", "please");
    await labelAndExpectNothing(issue, "agent:scripted", loop.world.app.botLogin);
  });

  it("lists the configured agents when the label names an unknown one, once", async () => {
    const issue = await loop.openIssue("who?", "please");
    await loop.label(issue, "agent:gpt-99");
    const [notice] = await waitFor("the notice", async () => {
      const comments = await loop.comments(issue);
      return comments.length > 0 ? comments : undefined;
    });
    expect(notice?.body).toContain("no agent called `gpt-99`");
    expect(notice?.body).toContain("`agent:scripted`");
    const labeled = loop.world.sandbox.webhooks.deliveries.findLast((d) => d.action === "labeled");
    await loop.world.sandbox.script.redeliver({ delivery: labeled?.guid as string });
    await loop.world.sandbox.script.settleWebhooks({});
    await loop.drainUpdates();
    expect(await loop.comments(issue)).toHaveLength(1);
    expect(await loop.redisTask(issue, "gpt-99")).toBeUndefined();
  });

  it("explains an unknown agent once for an issue opened with its label (GitHub sends opened and labeled)", async () => {
    const issue = await loop.openIssue("who?", "please", ["agent:constructor"]);
    await waitFor("the notice", async () => (await loop.comments(issue)).length > 0);
    await loop.world.sandbox.script.settleWebhooks({});
    await loop.drainUpdates();
    const comments = await loop.comments(issue);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain("no agent called `constructor`");
  });

  it("ignores labels that are not for Flotilla", async () => {
    const issue = await loop.openIssue("just a bug", "please");
    await labelAndExpectNothing(issue, "bug", "alice");
  });
});
