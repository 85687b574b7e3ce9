import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type World } from "../helpers/sandbox.js";

const run = promisify(execFile);

/** git in a temp folder, with no user or system config leaking in. */
async function git(cwd: string, args: string[]): Promise<string> {
  const env = { PATH: process.env.PATH ?? "", HOME: cwd, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
  const { stdout } = await run("git", args, { cwd, env, encoding: "utf8" });
  return stdout;
}

describe("the Git Data API", () => {
  let world: World;
  let work: string;
  const owner = "acme";
  const repo = "widgets";

  beforeAll(async () => {
    world = await startWorld({
      files: { "README.md": "# widgets\n", "old.txt": "remove me\n", "run.sh": "#!/bin/sh\necho hi\n" },
    });
    work = await mkdtemp(join(tmpdir(), "git-data-test-"));
  });
  afterAll(async () => {
    await world.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("builds a commit from blobs and trees that a smart-HTTP clone shows byte for byte", async () => {
    const octokit = world.installationOctokit();
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const { data: head } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });
    const { data: parent } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: head.object.sha });
    const { data: blob } = await octokit.rest.git.createBlob({
      owner,
      repo,
      content: bytes.toString("base64"),
      encoding: "base64",
    });
    const { data: runSh } = await octokit.rest.git.getTree({ owner, repo, tree_sha: parent.tree.sha });
    const script = runSh.tree.find((e) => e.path === "run.sh");
    const { data: tree } = await octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: parent.tree.sha,
      tree: [
        { path: "docs/hello.txt", mode: "100644", type: "blob", content: "hello\n" },
        { path: "bin/all-bytes.bin", mode: "100644", type: "blob", sha: blob.sha },
        { path: "old.txt", mode: "100644", type: "blob", sha: null },
        { path: "run.sh", mode: "100755", type: "blob", sha: script?.sha as string },
      ],
    });
    const { data: commit } = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: "Add, delete and chmod",
      tree: tree.sha,
      parents: [parent.sha],
    });
    expect(commit.author.name).toBe(world.app.botLogin);
    expect(commit.verification?.verified).toBe(false);
    const { data: moved } = await octokit.rest.git.updateRef({
      owner,
      repo,
      ref: "heads/main",
      sha: commit.sha,
    });
    expect(moved.object.sha).toBe(commit.sha);

    const { data: token } = await world.appOctokit().rest.apps.createInstallationAccessToken({
      installation_id: world.installationId,
    });
    const url = `${world.sandbox.baseUrl.replace("http://", `http://x-access-token:${token.token}@`)}/acme/widgets.git`;
    await git(work, ["clone", "--quiet", url, "clone"]);
    const checkout = join(work, "clone");
    const listing = await git(checkout, ["ls-tree", "-r", "HEAD"]);
    const modes = listing
      .trim()
      .split("\n")
      .map((line) => {
        const [mode, , , path] = line.split(/\s+/);
        return `${mode} ${path}`;
      });
    expect(modes).toEqual([
      "100644 README.md",
      "100644 bin/all-bytes.bin",
      "100644 docs/hello.txt",
      "100755 run.sh",
    ]);
    expect(await readFile(join(checkout, "bin/all-bytes.bin"))).toEqual(bytes);
    expect(await readFile(join(checkout, "docs/hello.txt"), "utf8")).toBe("hello\n");
    expect((await stat(join(checkout, "run.sh"))).mode & 0o111).not.toBe(0);
    expect((await git(checkout, ["rev-parse", "HEAD"])).trim()).toBe(commit.sha);
    expect(world.sandbox.responseProblems).toEqual([]);
  });

  it("reads blobs back and lists trees recursively", async () => {
    const octokit = world.installationOctokit();
    const { data: blob } = await octokit.rest.git.createBlob({ owner, repo, content: "text ü\n" });
    const { data: read } = await octokit.rest.git.getBlob({ owner, repo, file_sha: blob.sha });
    expect(Buffer.from(read.content, "base64").toString("utf8")).toBe("text ü\n");
    const { data: tree } = await octokit.rest.git.getTree({ owner, repo, tree_sha: "main", recursive: "1" });
    expect(tree.tree.map((e) => e.path)).toContain("docs/hello.txt");
    expect(tree.tree.find((e) => e.path === "docs")?.type).toBe("tree");
  });

  it("refuses a ref update that is not a fast forward unless forced", async () => {
    const octokit = world.installationOctokit();
    const { data: main } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });
    const { data: tip } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: main.object.sha });
    const { data: sideways } = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: "Not on main",
      tree: tip.tree.sha,
      parents: [tip.parents[0]?.sha as string],
    });
    await octokit.rest.git.createRef({ owner, repo, ref: "refs/heads/topic", sha: main.object.sha });
    const refused = await octokit.rest.git
      .updateRef({ owner, repo, ref: "heads/topic", sha: sideways.sha })
      .catch((error: { status: number; response: { data: { message: string } } }) => error);
    expect(refused).toMatchObject({
      status: 422,
      response: { data: { message: "Update is not a fast forward" } },
    });
    const { data: forced } = await octokit.rest.git.updateRef({
      owner,
      repo,
      ref: "heads/topic",
      sha: sideways.sha,
      force: true,
    });
    expect(forced.object.sha).toBe(sideways.sha);
    await world.sandbox.webhooks.settled();
    const pushes = world.sandbox.webhooks.deliveries.filter((d) => d.event === "push");
    expect(pushes.at(-1)?.payload).toMatchObject({ ref: "refs/heads/topic", forced: true, created: false });
  });

  it("lists refs by name prefix and deletes them", async () => {
    const octokit = world.installationOctokit();
    const { data: main } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });
    await octokit.rest.git.createRef({ owner, repo, ref: "refs/heads/feature-a", sha: main.object.sha });
    await octokit.rest.git.createRef({ owner, repo, ref: "refs/heads/feature-b", sha: main.object.sha });
    const { data: matching } = await octokit.rest.git.listMatchingRefs({ owner, repo, ref: "heads/feat" });
    expect(matching.map((r) => r.ref)).toEqual(["refs/heads/feature-a", "refs/heads/feature-b"]);
    await octokit.rest.git.deleteRef({ owner, repo, ref: "heads/feature-a" });
    const gone = await octokit.rest.git.getRef({ owner, repo, ref: "heads/feature-a" }).catch((e) => e);
    expect(gone.status).toBe(404);
    await world.sandbox.webhooks.settled();
    const last = world.sandbox.webhooks.deliveries.filter((d) => d.event === "push").at(-1);
    expect(last?.payload).toMatchObject({ ref: "refs/heads/feature-a", deleted: true, head_commit: null });
  });

  it("answers 422 for objects that do not exist", async () => {
    const octokit = world.installationOctokit();
    const missing = "1".repeat(40);
    const commit = await octokit.rest.git
      .createCommit({ owner, repo, message: "x", tree: missing, parents: [] })
      .catch((e) => e);
    expect(commit.status).toBe(422);
    const ref = await octokit.rest.git
      .createRef({ owner, repo, ref: "refs/heads/nowhere", sha: missing })
      .catch((e) => e);
    expect(ref.status).toBe(422);
    const getCommit = await octokit.rest.git.getCommit({ owner, repo, commit_sha: missing }).catch((e) => e);
    expect(getCommit.status).toBe(404);
  });

  it("answers 422 with GitHub's message for malformed tree paths and submodule shas, never git's stderr", async () => {
    const octokit = world.installationOctokit();
    const { data: blob } = await octokit.rest.git.createBlob({ owner, repo, content: "x\n" });
    const attempts = [
      { entry: { path: "a\nb", mode: "100644", type: "blob", sha: blob.sha }, message: /malformed path/ },
      { entry: { path: "a\tb", mode: "100644", type: "blob", content: "x" }, message: /malformed path/ },
      { entry: { path: "../x", mode: "100644", type: "blob", sha: blob.sha }, message: /malformed path/ },
      { entry: { path: "/x", mode: "100644", type: "blob", sha: blob.sha }, message: /malformed path/ },
      { entry: { path: "lib", mode: "160000", type: "commit", sha: "not-a-sha" }, message: /BadObjectState/ },
    ] as const;
    for (const { entry, message } of attempts) {
      const error = await octokit.rest.git
        .createTree({ owner, repo, tree: [entry] as never })
        .catch((e: { status: number; response: { data: { message: string } } }) => e);
      expect({ path: entry.path, status: (error as { status: number }).status }).toEqual({
        path: entry.path,
        status: 422,
      });
      const body = (error as { response: { data: { message: string } } }).response.data.message;
      expect(body).toMatch(message);
      expect(body).not.toMatch(/git |fatal|update-index/);
    }
  });
});
