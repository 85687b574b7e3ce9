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

  it("answers 404 for a GET and 422 for a PUT of a path with `..` or empty segments, without git's words", async () => {
    const token = (await world.installationOctokit().auth({ type: "installation" })) as { token: string };
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${world.sandbox.baseUrl}/repos/${owner}/${repo}/contents/${path}`, {
        method,
        headers: { authorization: `token ${token.token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, text: await response.text() };
    };
    for (const path of ["..%2fx", "a/..%2f..%2fetc", "bin/.%2ftool", "bin%2f%2ftool", "%2fREADME.md"]) {
      const got = await call("GET", path);
      expect({ path, status: got.status }).toEqual({ path, status: 404 });
      expect(JSON.parse(got.text)).toMatchObject({ message: "Not Found" });
      const put = await call("PUT", path, { message: "x", content: Buffer.from("x").toString("base64") });
      expect({ path, status: put.status }).toEqual({ path, status: 422 });
      expect(put.text).not.toMatch(/fatal|git [a-z-]+ |exit \d/);
    }
    expect(await world.sandbox.script.readFile({ repo: `${owner}/${repo}`, path: "x" })).toBeNull();
  });
});
