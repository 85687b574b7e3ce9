import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHub } from "../../src/github/octokit.js";
import { upsertPullRequest } from "../../src/publish/pull-request.js";
import { startWorld, type World } from "../helpers/sandbox.js";

describe("upsertPullRequest", () => {
  let world: World;
  let gh: GitHub;
  const owner = "acme";
  const repo = "widgets";

  beforeAll(async () => {
    world = await startWorld();
    gh = world.installationOctokit();
  });
  afterEach(() => {
    world.sandbox.script.clearFaults();
  });
  afterAll(async () => {
    await world.stop();
  });

  async function branchWithWork(branch: string) {
    await world.sandbox.script.pushFiles({
      repo: "acme/widgets",
      branch,
      files: { [`${branch}.txt`]: "work\n" },
    });
    return { owner, repo, head: branch, base: "main", title: "Resolve #12: Login", body: "Closes #12" };
  }

  async function openPulls(head: string) {
    const { data } = await gh.rest.pulls.list({ owner, repo, state: "all", per_page: 100 });
    return data.filter((pr) => pr.head.ref === head).map((pr) => ({ number: pr.number, state: pr.state }));
  }

  it("opens a pull request from the branch, and finds the same one when called again", async () => {
    const input = await branchWithWork("flotilla/12-claude");

    const first = await upsertPullRequest(gh, input);
    world.sandbox.script.resetMeter();
    const second = await upsertPullRequest(gh, input);

    expect(first).toMatchObject({ created: true, url: expect.stringContaining(`/pull/${first.number}`) });
    expect(second).toEqual({ ...first, created: false });
    expect(await openPulls("flotilla/12-claude")).toEqual([{ number: first.number, state: "open" }]);
    // Nothing changed, so nothing is written.
    expect(world.sandbox.script.meter().writes).toBe(0);
  });

  it("opens a draft when asked, and leaves a pull request already open as it is", async () => {
    const drafted = await upsertPullRequest(gh, {
      ...(await branchWithWork("flotilla/25-claude")),
      draft: true,
    });
    const ready = await upsertPullRequest(gh, await branchWithWork("flotilla/26-claude"));
    const again = await upsertPullRequest(gh, {
      ...(await branchWithWork("flotilla/26-claude")),
      draft: true,
    });

    expect(drafted).toMatchObject({ created: true, draft: true });
    const { data } = await gh.rest.pulls.get({ owner, repo, pull_number: drafted.number });
    expect(data.draft).toBe(true);
    // GitHub's REST API cannot turn an open pull request back into a draft: it says what it is.
    expect(again).toEqual({ ...ready, created: false, draft: false });
  });

  it("brings the title and body of the open pull request up to date", async () => {
    const input = await branchWithWork("flotilla/13-claude");
    const first = await upsertPullRequest(gh, input);

    const again = await upsertPullRequest(gh, {
      ...input,
      title: "Resolve #13: Login",
      body: "Closes #13\n\nMore.",
    });

    expect(again).toEqual({ ...first, created: false });
    const { data } = await gh.rest.pulls.get({ owner, repo, pull_number: first.number });
    expect({ title: data.title, body: data.body }).toEqual({
      title: "Resolve #13: Login",
      body: "Closes #13\n\nMore.",
    });
  });

  it("does not take the pull request of another branch", async () => {
    const other = await upsertPullRequest(gh, await branchWithWork("flotilla/14-codex"));

    const ours = await upsertPullRequest(gh, await branchWithWork("flotilla/14-claude"));

    expect(ours.created).toBe(true);
    expect(ours.number).not.toBe(other.number);
  });

  it("opens a new pull request when the earlier one from the branch was closed", async () => {
    const input = await branchWithWork("flotilla/15-claude");
    const closed = await upsertPullRequest(gh, input);
    await gh.rest.pulls.update({ owner, repo, pull_number: closed.number, state: "closed" });

    const reopened = await upsertPullRequest(gh, input);

    expect(reopened.created).toBe(true);
    expect(reopened.number).not.toBe(closed.number);
  });

  it("finds the pull request it opened when the response was lost", async () => {
    const input = await branchWithWork("flotilla/17-claude");
    world.sandbox.script.addFault({
      route: "POST /repos/{owner}/{repo}/pulls",
      kind: "502",
      times: 1,
      afterHandling: true,
    });

    await expect(upsertPullRequest(gh, input)).rejects.toMatchObject({ status: 502 });
    const retried = await upsertPullRequest(gh, input);

    expect(retried.created).toBe(false);
    expect(await openPulls("flotilla/17-claude")).toEqual([{ number: retried.number, state: "open" }]);
  });

  it("uses the pull request another worker opened meanwhile instead of failing or opening a second", async () => {
    const input = await branchWithWork("flotilla/16-claude");
    // Both workers look before either creates.
    world.sandbox.script.addFault({ route: "POST /repos/{owner}/{repo}/pulls", latencyMs: 300 });

    const results = await Promise.all([upsertPullRequest(gh, input), upsertPullRequest(gh, input)]);

    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results[0]?.number).toBe(results[1]?.number);
    expect(await openPulls("flotilla/16-claude")).toHaveLength(1);
  });
});
