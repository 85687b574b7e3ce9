import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { heldRepoLocks } from "../../sandbox/git/repo-lock.js";
import { startWorld, type World } from "../helpers/sandbox.js";
import { webhookShapeProblems } from "../helpers/webhook-shape.js";

const run = promisify(execFile);

/** Commits made in these tests are Alice's, by the noreply address GitHub links to her account. */
let authorEmail = "alice@example.com";

/** git in a temp folder, with no user or system config leaking in. */
async function git(cwd: string, args: string[]): Promise<string> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: cwd,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "Alice",
    GIT_AUTHOR_EMAIL: authorEmail,
    GIT_COMMITTER_NAME: "Alice",
    GIT_COMMITTER_EMAIL: authorEmail,
  };
  const { stdout } = await run("git", args, { cwd, env, encoding: "utf8" });
  return stdout;
}

/** The git command's failure text (stderr), or "" when it succeeded. */
async function gitFails(cwd: string, args: string[]): Promise<string> {
  return git(cwd, args).then(
    () => "",
    (error: { stderr: string }) => error.stderr,
  );
}

describe("git smart HTTP", () => {
  let world: World;
  let work: string;

  async function token(body: Record<string, unknown> = {}): Promise<string> {
    const { data } = await world.appOctokit().rest.apps.createInstallationAccessToken({
      installation_id: world.installationId,
      ...body,
    });
    return data.token;
  }

  function remote(secret: string, repo = "acme/widgets"): string {
    return `${world.sandbox.baseUrl.replace("http://", `http://x-access-token:${secret}@`)}/${repo}.git`;
  }

  beforeAll(async () => {
    world = await startWorld();
    authorEmail = `${world.sandbox.store.userByLogin("alice")?.id}+alice@users.noreply.github.com`;
    work = await mkdtemp(join(tmpdir(), "smart-http-test-"));
  });
  afterAll(async () => {
    await world.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("emits a push webhook shaped like GitHub's after a push", async () => {
    const dir = join(work, "push");
    await git(work, ["clone", "--quiet", remote(await token()), dir]);
    await writeFile(join(dir, "notes.md"), "pushed over HTTP\n");
    await git(dir, ["add", "notes.md"]);
    await git(dir, ["commit", "--quiet", "-m", "Add notes"]);
    await git(dir, ["push", "--quiet", "origin", "HEAD:refs/heads/notes"]);
    const sha = (await git(dir, ["rev-parse", "HEAD"])).trim();

    await world.sandbox.webhooks.settled();
    const push = world.sandbox.webhooks.deliveries.find((d) => d.event === "push");
    expect(push?.status).toBe("recorded");
    expect(push?.payload).toMatchObject({
      ref: "refs/heads/notes",
      before: "0".repeat(40),
      after: sha,
      created: true,
      deleted: false,
      forced: false,
      pusher: { name: world.app.botLogin },
      head_commit: { id: sha, message: "Add notes", added: ["notes.md"] },
    });
    // GitHub sends `language: null` for a repository it detected no language in; every example has one.
    const problems = webhookShapeProblems("push", undefined, push?.payload);
    expect(problems.filter((p) => p !== "repository.language: is null, examples have string")).toEqual([]);
    expect(push?.payload).toMatchObject({ head_commit: { author: { username: "alice" } } });
    expect(await world.sandbox.script.branchSha({ repo: "acme/widgets", branch: "notes" })).toBe(sha);
  });

  it("refuses a clone with a bad token with 401", async () => {
    const failure = await gitFails(work, ["clone", "--quiet", remote("ghs_not-a-token"), join(work, "bad")]);
    expect(failure).toMatch(/401|Authentication failed|could not read Username/);
  });

  it("refuses a clone of a private repository without credentials", async () => {
    const url = `${world.sandbox.baseUrl}/acme/widgets.git`;
    const failure = await gitFails(work, ["clone", "--quiet", url, join(work, "anonymous")]);
    expect(failure).toMatch(/401|Authentication failed|could not read Username/);
  });

  it("refuses a push with a read-only token", async () => {
    const dir = join(work, "read-only");
    const readOnly = await token({ permissions: { contents: "read" } });
    await git(work, ["clone", "--quiet", remote(readOnly), dir]);
    await writeFile(join(dir, "x.txt"), "x\n");
    await git(dir, ["add", "x.txt"]);
    await git(dir, ["commit", "--quiet", "-m", "x"]);
    const failure = await gitFails(dir, ["push", "--quiet", "origin", "HEAD:refs/heads/nope"]);
    expect(failure).toMatch(/403/);
    expect(await world.sandbox.script.branchSha({ repo: "acme/widgets", branch: "nope" })).toBeNull();
  });

  it("hides a repository the token was narrowed away from", async () => {
    await world.sandbox.script.createRepo({ owner: "acme", name: "other" });
    const narrowed = await token({ repositories: ["other"] });
    const failure = await gitFails(work, ["clone", "--quiet", remote(narrowed), join(work, "narrowed")]);
    expect(failure).toMatch(/Repository not found|404/);
  });

  it("serves scripted pushes and file:// clones of the bare repository", async () => {
    const { sha } = await world.sandbox.script.pushFiles({
      repo: "acme/widgets",
      branch: "scripted",
      files: { "tool.sh": { content: "#!/bin/sh\n", mode: "100755" }, "README.md": null },
      message: "Scripted change",
      author: "alice",
    });
    const { file } = world.sandbox.script.cloneUrl({ repo: "acme/widgets" });
    const dir = join(work, "file-clone");
    await git(work, ["clone", "--quiet", "--branch", "scripted", file, dir]);
    expect((await git(dir, ["rev-parse", "HEAD"])).trim()).toBe(sha);
    expect(await readFile(join(dir, "tool.sh"), "utf8")).toBe("#!/bin/sh\n");
    expect(
      await world.sandbox.script.readFile({ repo: "acme/widgets", ref: "scripted", path: "README.md" }),
    ).toBeNull();
    await world.sandbox.webhooks.settled();
    const push = world.sandbox.webhooks.deliveries.filter((d) => d.event === "push").at(-1);
    expect(push?.payload).toMatchObject({ ref: "refs/heads/scripted", sender: { login: "alice" } });
  });

  it("announces each ref change once when REST ref changes race a push", async () => {
    const dir = join(work, "race");
    await git(work, ["clone", "--quiet", remote(await token()), dir]);
    await writeFile(join(dir, "race.md"), "racing\n");
    await git(dir, ["add", "race.md"]);
    await git(dir, ["commit", "--quiet", "-m", "Race"]);
    const octokit = world.installationOctokit();
    const sha = (await git(dir, ["rev-parse", "HEAD~0"])).trim();
    const base = world.repo.headSha;
    const seen = world.sandbox.webhooks.deliveries.length;
    const push = git(dir, ["push", "--quiet", "origin", "HEAD:refs/heads/raced"]);
    const creates = Array.from({ length: 8 }, (_, i) =>
      new Promise((resolve) => setTimeout(resolve, i * 15)).then(() =>
        octokit.rest.git.createRef({
          owner: "acme",
          repo: "widgets",
          ref: `refs/heads/race-${i}`,
          sha: base,
        }),
      ),
    );
    await Promise.all([push, ...creates]);
    await world.sandbox.webhooks.settled();

    const pushes = world.sandbox.webhooks.deliveries.slice(seen).filter((d) => d.event === "push");
    const refs = pushes.map((d) => (d.payload as { ref: string }).ref).sort();
    const expected = ["refs/heads/raced", ...Array.from({ length: 8 }, (_, i) => `refs/heads/race-${i}`)];
    expect(refs).toEqual(expected.sort());
    const raced = pushes.find((d) => (d.payload as { ref: string }).ref === "refs/heads/raced");
    expect(raced?.payload).toMatchObject({ after: sha });
    expect(heldRepoLocks()).toBe(0);
  });

  it("meters smart-HTTP traffic by service and installation", async () => {
    world.sandbox.script.resetMeter({});
    await git(work, ["clone", "--quiet", remote(await token()), join(work, "metered")]);
    const meter = world.sandbox.script.meter({});
    const id = String(world.installationId);
    expect(meter.byRoute["GIT git-upload-pack"]).toBeGreaterThanOrEqual(2);
    expect(meter.byInstallation[id]?.reads).toBeGreaterThanOrEqual(2);
    expect(meter.byInstallation[id]?.writes).toBe(0);
  });
});
