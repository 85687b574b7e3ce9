import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type World } from "../helpers/sandbox.js";

describe("the contents API", () => {
  let world: World;
  const owner = "acme";
  const repo = "widgets";

  beforeAll(async () => {
    world = await startWorld({
      files: {
        "README.md": "# widgets\n",
        ".github/flotilla.yml": "agent: claude\n",
        "bin/tool": { content: "#!/bin/sh\n", mode: "100755" },
      },
    });
  });
  afterAll(async () => {
    await world.stop();
  });

  it("returns a file as base64 JSON with GitHub's fields", async () => {
    const { data } = await world
      .installationOctokit()
      .rest.repos.getContent({ owner, repo, path: "README.md" });
    expect(Array.isArray(data)).toBe(false);
    const file = data as { type: string; encoding: string; content: string; size: number; sha: string };
    expect(file).toMatchObject({ type: "file", encoding: "base64", size: 10, name: "README.md" });
    expect(Buffer.from(file.content, "base64").toString("utf8")).toBe("# widgets\n");
    expect(world.sandbox.responseProblems).toEqual([]);
  });

  it("returns the raw bytes for the raw media type, as Probot's config loader asks", async () => {
    for (const accept of ["application/vnd.github.raw", "application/vnd.github.v3.raw"]) {
      const response = await world
        .installationOctokit()
        .request("GET /repos/{owner}/{repo}/contents/{path}", {
          owner,
          repo,
          path: ".github/flotilla.yml",
          headers: { accept },
        });
      expect(String(response.data)).toBe("agent: claude\n");
    }
  });

  it("lists a directory at a ref", async () => {
    const { data } = await world.installationOctokit().rest.repos.getContent({
      owner,
      repo,
      path: "bin",
      ref: "main",
    });
    expect(data).toEqual([expect.objectContaining({ type: "file", name: "tool", path: "bin/tool" })]);
  });

  it("answers 404 for a missing path or ref", async () => {
    const octokit = world.installationOctokit();
    const path = await octokit.rest.repos.getContent({ owner, repo, path: "nope.txt" }).catch((e) => e);
    expect(path.status).toBe(404);
    const ref = await octokit.rest.repos
      .getContent({ owner, repo, path: "README.md", ref: "nope" })
      .catch((e) => e);
    expect(ref.status).toBe(404);
  });

  it("creates and updates a file, requiring the current sha to update", async () => {
    const octokit = world.installationOctokit();
    const content = (text: string) => Buffer.from(text).toString("base64");
    const { data: created, status } = await octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path: "docs/new.md",
      message: "Add docs",
      content: content("one\n"),
    });
    expect(status).toBe(201);
    const noSha = await octokit.rest.repos
      .createOrUpdateFileContents({
        owner,
        repo,
        path: "docs/new.md",
        message: "x",
        content: content("two\n"),
      })
      .catch((e) => e);
    expect(noSha.status).toBe(422);
    const wrongSha = await octokit.rest.repos
      .createOrUpdateFileContents({
        owner,
        repo,
        path: "docs/new.md",
        message: "x",
        content: content("two\n"),
        sha: "1".repeat(40),
      })
      .catch((e) => e);
    expect(wrongSha.status).toBe(409);
    const { status: updated } = await octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path: "docs/new.md",
      message: "Update docs",
      content: content("two\n"),
      sha: created.content?.sha as string,
    });
    expect(updated).toBe(200);
    expect(await world.sandbox.script.readFile({ repo: "acme/widgets", path: "docs/new.md" })).toBe("two\n");
    await world.sandbox.webhooks.settled();
    const pushes = world.sandbox.webhooks.deliveries.filter((d) => d.event === "push");
    expect(pushes.at(-1)?.payload).toMatchObject({
      ref: "refs/heads/main",
      head_commit: { message: "Update docs" },
    });
    expect(world.sandbox.responseProblems).toEqual([]);
  });
});
