import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import type { GitHub } from "../../src/github/octokit.js";
import { type CommitChangesetInput, commitChangeset } from "../../src/publish/commit-changeset.js";
import { startWorld, type World } from "../helpers/sandbox.js";
import { type AgentWorktree, agentWorktree } from "./agent-worktree.js";

const LONG_TEXT = `${Array.from({ length: 40 }, (_, i) => `line ${i} of a file that will move`).join("\n")}\n`;
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe("commitChangeset", () => {
  let world: World;
  let gh: GitHub;
  let work: AgentWorktree;
  const owner = "acme";
  const repo = "widgets";

  beforeAll(async () => {
    world = await startWorld({
      files: {
        "README.md": "# widgets\n",
        "src/keep.ts": "export const keep = 1;\n",
        "src/old-name.ts": LONG_TEXT,
        "docs/remove-me.md": "obsolete\n",
        "run.sh": { content: "#!/bin/sh\necho hi\n", mode: "100755" },
      },
    });
    gh = world.installationOctokit();
  });
  afterEach(async () => {
    world.sandbox.script.clearFaults();
    await work?.dispose();
  });
  afterAll(async () => {
    await world.stop();
  });

  async function publishInput(branch: string): Promise<CommitChangesetInput> {
    const { files, baseSha } = await work.changeset();
    return { owner, repo, branch, baseSha, files, read: work.read, message: "Resolve #12: the agent's work" };
  }

  async function branchCommit(branch: string) {
    const { data: ref } = await gh.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
    return (await gh.rest.git.getCommit({ owner, repo, commit_sha: ref.object.sha })).data;
  }

  async function entryAt(sha: string, path: string) {
    const { data } = await gh.rest.git.getTree({ owner, repo, tree_sha: sha, recursive: "true" });
    const entry = data.tree.find((e) => e.path === path);
    if (!entry?.sha) return undefined;
    const { data: blob } = await gh.rest.git.getBlob({ owner, repo, file_sha: entry.sha });
    return { mode: entry.mode, bytes: Buffer.from(blob.content, "base64") };
  }

  it("lands added, modified, deleted, renamed, binary, executable and symlink files exactly, in one commit on the base", async () => {
    work = await agentWorktree(world);
    await work.write("src/new.ts", "export const fresh = true;\n");
    await work.write("README.md", "# widgets\n\nNow with docs. ✨\n");
    await work.remove("docs/remove-me.md");
    await work.move("src/old-name.ts", "src/new-name.ts");
    await work.write("src/new-name.ts", `${LONG_TEXT}one more line\n`);
    await work.write("assets/all-bytes.bin", ALL_BYTES);
    await work.write("notes/latin1.txt", Buffer.from("caf\xe9\n", "latin1"));
    await work.write("bin/tool", "#!/bin/sh\necho tool\n", 0o755);
    await work.write("run.sh", "#!/bin/sh\necho hi\n", 0o644);
    await work.link("latest", "src/new.ts");
    const input = await publishInput("flotilla/12-claude");
    expect(input.files.map((f) => f.status).sort()).toEqual([
      "added",
      "added",
      "added",
      "added",
      "added",
      "deleted",
      "modified",
      "modified",
      "renamed",
    ]);
    world.sandbox.script.resetMeter();

    const result = await commitChangeset(gh, input);

    // Text and the symlink's target travel inline; only the two files that are not UTF-8 need a blob.
    expect(world.sandbox.script.meter().byRoute["POST /repos/{owner}/{repo}/git/blobs"]).toBe(2);
    const commit = await branchCommit("flotilla/12-claude");
    expect(result).toEqual({ sha: commit.sha, created: true, url: commit.html_url });
    expect(commit.parents.map((p) => p.sha)).toEqual([work.baseSha]);
    // Content-addressed: the same tree sha as git's own snapshot means every byte and mode matches.
    expect(commit.tree.sha).toBe(await work.expectedTree());
    expect(commit.message).toBe("Resolve #12: the agent's work");
    expect(commit.author.email).toContain(world.app.botLogin);
    expect(await entryAt(commit.sha, "assets/all-bytes.bin")).toEqual({ mode: "100644", bytes: ALL_BYTES });
    expect(await entryAt(commit.sha, "latest")).toEqual({ mode: "120000", bytes: Buffer.from("src/new.ts") });
    expect((await entryAt(commit.sha, "bin/tool"))?.mode).toBe("100755");
    expect((await entryAt(commit.sha, "run.sh"))?.mode).toBe("100644");
    expect(await entryAt(commit.sha, "src/old-name.ts")).toBeUndefined();
    expect(await entryAt(commit.sha, "docs/remove-me.md")).toBeUndefined();
  });

  it("commits a typical text change in five requests, with no blob of its own", async () => {
    work = await agentWorktree(world);
    await work.write("src/feature.ts", "export const feature = 1;\n");
    await work.write("README.md", "# widgets\n\nA feature.\n");
    await work.write("test/feature.test.ts", "test('feature', () => {});\n");
    const input = await publishInput("flotilla/13-claude");
    world.sandbox.script.resetMeter();

    await commitChangeset(gh, input);

    const meter = world.sandbox.script.meter();
    expect(meter.byRoute).toEqual({
      "GET /repos/{owner}/{repo}/git/commits/{commit_sha}": 1,
      "GET /repos/{owner}/{repo}/git/ref/{ref}": 1,
      "POST /repos/{owner}/{repo}/git/trees": 1,
      "POST /repos/{owner}/{repo}/git/commits": 1,
      "POST /repos/{owner}/{repo}/git/refs": 1,
    });
    expect(meter.total).toBe(5);
  });

  it("returns the existing commit without moving the branch when the same changeset is published again", async () => {
    work = await agentWorktree(world);
    await work.write("src/retry.ts", "export const retried = true;\n");
    await work.write("image.bin", ALL_BYTES);
    const input = await publishInput("flotilla/14-claude");
    const first = await commitChangeset(gh, input);
    world.sandbox.script.resetMeter();

    const again = await commitChangeset(gh, await publishInput("flotilla/14-claude"));

    expect(again).toEqual({ ...first, created: false });
    expect((await branchCommit("flotilla/14-claude")).sha).toBe(first.sha);
    const writes = Object.keys(world.sandbox.script.meter().byRoute).filter((r) => !r.startsWith("GET"));
    // Only the content-addressed objects are written again, never a commit or a ref.
    expect(writes.sort()).toEqual([
      "POST /repos/{owner}/{repo}/git/blobs",
      "POST /repos/{owner}/{repo}/git/trees",
    ]);
  });

  it("force-updates the branch to a new commit on the base when the agent's changes differ", async () => {
    work = await agentWorktree(world);
    await work.write("src/attempt.ts", "export const attempt = 1;\n");
    const first = await commitChangeset(gh, await publishInput("flotilla/15-claude"));
    await work.dispose();
    work = await agentWorktree(world);
    await work.write("src/other.ts", "export const attempt = 2;\n");

    const second = await commitChangeset(gh, await publishInput("flotilla/15-claude"));

    expect(second.created).toBe(true);
    expect(second.sha).not.toBe(first.sha);
    const commit = await branchCommit("flotilla/15-claude");
    expect(commit.sha).toBe(second.sha);
    expect(commit.parents.map((p) => p.sha)).toEqual([work.baseSha]);
    expect(commit.tree.sha).toBe(await work.expectedTree());
    expect(await entryAt(commit.sha, "src/attempt.ts")).toBeUndefined();
  });

  it("moves the branch only from a commit it made, and leaves commits people pushed alone", async () => {
    const ours: string[] = [];
    const guarded = async () => ({
      ...(await publishInput("flotilla/21-claude")),
      mayReplace: async (head: string) => ours.includes(head),
      recordCommit: async (sha: string) => {
        ours.push(sha);
      },
    });
    work = await agentWorktree(world);
    await work.write("src/attempt.ts", "export const attempt = 1;\n");
    const first = await commitChangeset(gh, await guarded());
    expect(ours).toEqual([first.sha]);
    // Someone pushes a fix of their own on top of the agent's commit.
    const { data: human } = await gh.rest.git.createCommit({
      owner,
      repo,
      message: "reviewer: fix a typo",
      tree: (await branchCommit("flotilla/21-claude")).tree.sha,
      parents: [first.sha],
    });
    await gh.rest.git.updateRef({ owner, repo, ref: "heads/flotilla/21-claude", sha: human.sha });
    await work.dispose();
    work = await agentWorktree(world);
    await work.write("src/attempt.ts", "export const attempt = 2;\n");

    await expect(commitChangeset(gh, await guarded())).rejects.toThrow(
      /has commits Flotilla did not make .*delete the branch/,
    );
    expect((await branchCommit("flotilla/21-claude")).sha).toBe(human.sha);
  });

  it("ends with one commit on the base when creating the branch failed and the job retried", async () => {
    work = await agentWorktree(world);
    await work.write("src/flaky.ts", "export const flaky = true;\n");
    const input = await publishInput("flotilla/16-claude");
    world.sandbox.script.addFault({ route: "POST /repos/{owner}/{repo}/git/refs", kind: "500", times: 1 });

    await expect(commitChangeset(gh, input)).rejects.toMatchObject({ status: 500 });
    const retried = await commitChangeset(gh, input);
    const again = await commitChangeset(gh, input);

    expect(retried.created).toBe(true);
    expect(again).toEqual({ ...retried, created: false });
    const commit = await branchCommit("flotilla/16-claude");
    expect(commit.sha).toBe(retried.sha);
    expect(commit.parents.map((p) => p.sha)).toEqual([work.baseSha]);
  });

  it("finds the commit it made when the branch was created but the response was lost", async () => {
    work = await agentWorktree(world);
    await work.write("src/lost.ts", "export const lost = true;\n");
    const input = await publishInput("flotilla/20-claude");
    world.sandbox.script.addFault({
      route: "POST /repos/{owner}/{repo}/git/refs",
      kind: "502",
      times: 1,
      afterHandling: true,
    });

    await expect(commitChangeset(gh, input)).rejects.toMatchObject({ status: 502 });
    const retried = await commitChangeset(gh, input);

    const commit = await branchCommit("flotilla/20-claude");
    expect(retried).toEqual({ sha: commit.sha, created: false, url: commit.html_url });
    expect(commit.parents.map((p) => p.sha)).toEqual([work.baseSha]);
  });

  it("ends with one commit on the base when moving an earlier attempt's branch failed and the job retried", async () => {
    work = await agentWorktree(world);
    await work.write("src/first.ts", "export const first = 1;\n");
    await commitChangeset(gh, await publishInput("flotilla/17-claude"));
    await work.write("src/second.ts", "export const second = 2;\n");
    const input = await publishInput("flotilla/17-claude");
    world.sandbox.script.addFault({
      route: "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
      kind: "502",
      times: 1,
    });

    await expect(commitChangeset(gh, input)).rejects.toMatchObject({ status: 502 });
    const retried = await commitChangeset(gh, input);

    expect(retried.created).toBe(true);
    const commit = await branchCommit("flotilla/17-claude");
    expect(commit.sha).toBe(retried.sha);
    expect(commit.parents.map((p) => p.sha)).toEqual([work.baseSha]);
    expect(commit.tree.sha).toBe(await work.expectedTree());
  });

  it("uses the commit of a worker that created the branch first instead of making a second one", async () => {
    work = await agentWorktree(world);
    await work.write("src/race.ts", "export const race = true;\n");
    const input = await publishInput("flotilla/18-claude");
    // Both workers look for the branch before either creates it.
    world.sandbox.script.addFault({ route: "POST /repos/{owner}/{repo}/git/refs", latencyMs: 300 });
    world.sandbox.script.resetMeter();

    const results = await Promise.all([commitChangeset(gh, input), commitChangeset(gh, input)]);

    // Both tried to create the branch; the one that lost got "Reference already exists".
    expect(world.sandbox.script.meter().byRoute["POST /repos/{owner}/{repo}/git/refs"]).toBe(2);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results[0]?.sha).toBe(results[1]?.sha);
    expect((await branchCommit("flotilla/18-claude")).sha).toBe(results[0]?.sha);
  });

  it("refuses an empty changeset, which would open a pull request with nothing in it", async () => {
    work = await agentWorktree(world);
    await expect(commitChangeset(gh, await publishInput("flotilla/19-claude"))).rejects.toThrow(
      "the changeset is empty",
    );
  });
});
