import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type World } from "../helpers/sandbox.js";

describe("repository, branch, commit and compare routes", () => {
  let world: World;
  let featureSha: string;
  const owner = "acme";
  const repo = "widgets";

  beforeAll(async () => {
    world = await startWorld({ files: { "README.md": "# widgets\n", "src/a.ts": "export const a = 1;\n" } });
    await world.sandbox.script.pushFiles({
      repo: "acme/widgets",
      branch: "feature",
      files: { "src/a.ts": "export const a = 2;\n", "src/b.ts": "export const b = 1;\n" },
      message: "Change a, add b",
      author: "alice",
    });
    featureSha = (await world.sandbox.script.branchSha({
      repo: "acme/widgets",
      branch: "feature",
    })) as string;
  });
  afterAll(async () => {
    await world.stop();
  });

  it("shows the repository with metadata read", async () => {
    const { data } = await world.installationOctokit().rest.repos.get({ owner, repo });
    expect(data).toMatchObject({ full_name: "acme/widgets", default_branch: "main", private: true });
  });

  it("lists branches and shows one with its commit", async () => {
    const octokit = world.installationOctokit();
    const { data: branches } = await octokit.rest.repos.listBranches({ owner, repo });
    expect(branches.map((b) => b.name)).toEqual(["feature", "main"]);
    const { data: branch } = await octokit.rest.repos.getBranch({ owner, repo, branch: "feature" });
    expect(branch.commit.sha).toBe(featureSha);
    expect(branch.commit.author?.login).toBe("alice");
    const missing = await octokit.rest.repos.getBranch({ owner, repo, branch: "nope" }).catch((e) => e);
    expect(missing.status).toBe(404);
  });

  it("shows a commit with its files and patches", async () => {
    const { data } = await world.installationOctokit().rest.repos.getCommit({ owner, repo, ref: "feature" });
    expect(data.sha).toBe(featureSha);
    expect(data.stats).toEqual({ additions: 2, deletions: 1, total: 3 });
    expect(data.files?.map((f) => [f.filename, f.status])).toEqual([
      ["src/a.ts", "modified"],
      ["src/b.ts", "added"],
    ]);
    expect(data.files?.[0]?.patch).toBe("@@ -1 +1 @@\n-export const a = 1;\n+export const a = 2;");
  });

  it("compares two branches, as JSON and as a raw diff", async () => {
    const octokit = world.installationOctokit();
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: "main...feature",
    });
    expect(data).toMatchObject({ status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1 });
    expect(data.commits.map((c) => c.sha)).toEqual([featureSha]);
    expect(data.files?.map((f) => f.filename)).toEqual(["src/a.ts", "src/b.ts"]);
    const diff = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      owner,
      repo,
      basehead: "main...feature",
      headers: { accept: "application/vnd.github.diff" },
    });
    expect(String(diff.data)).toContain("diff --git a/src/b.ts b/src/b.ts\nnew file mode 100644");
    expect(String(diff.data)).toContain("+export const a = 2;");
  });

  it("renames are detected in diffs", async () => {
    await world.sandbox.script.pushFiles({
      repo: "acme/widgets",
      branch: "rename",
      files: { "src/a.ts": null, "src/renamed.ts": "export const a = 1;\n" },
    });
    const { data } = await world.installationOctokit().rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: "main...rename",
    });
    expect(data.files).toEqual([
      expect.objectContaining({
        filename: "src/renamed.ts",
        status: "renamed",
        previous_filename: "src/a.ts",
      }),
    ]);
  });

  it("answers 422 for a commit that does not exist", async () => {
    const error = await world
      .installationOctokit()
      .rest.repos.getCommit({ owner, repo, ref: "no-such-ref" })
      .catch((e) => e);
    expect(error.status).toBe(422);
  });

  it("kept every response inside GitHub's schema", () => {
    expect(world.sandbox.responseProblems).toEqual([]);
  });
});
