import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { type Workspace, type WorkspaceSource, Workspaces } from "../../src/runner/workspace.js";
import { startWorld, type World } from "../helpers/sandbox.js";
import { commitFiles, createRepo, gitIn } from "./fixtures.js";

let tmp: string;
let upstream: string;
let source: WorkspaceSource;
let workspaces: Workspaces;
let opened: Workspace[];

/** Opens a workspace and remembers it, so every test closes what it opened. */
async function open(
  options: { branch?: string; name?: string; stalePrefix?: string; baseBranch?: string; at?: string } = {},
) {
  const workspace = await workspaces.open(source, {
    baseBranch: options.baseBranch ?? "main",
    ...(options.at === undefined ? {} : { at: options.at }),
    branch: options.branch ?? "flotilla/7-scripted",
    name: options.name ?? `task7-1-${opened.length}`,
    ...(options.stalePrefix === undefined ? {} : { stalePrefix: options.stalePrefix }),
  });
  opened.push(workspace);
  return workspace;
}

const mirrorOf = (key: string) => join(tmp, "root", "mirrors", `${key}.git`);
const mirrorGit = (...args: string[]) => gitIn(mirrorOf(source.key), ...args);

/** Every file under `dir`, recursively (symlinks not followed). */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "flotilla-workspace-"));
  upstream = join(tmp, "upstream");
  createRepo(upstream, { "README.md": "# widgets\n", "src/app.ts": "export const app = 1;\n" });
  source = { key: "123", url: `file://${upstream}` };
  workspaces = new Workspaces({ root: join(tmp, "root") });
  opened = [];
});

afterEach(async () => {
  for (const workspace of opened) await workspace.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("Workspaces.open", () => {
  it("starts from a given commit of a branch (a pull request's head), not the branch's newest", async () => {
    const first = gitIn(upstream, "rev-parse", "HEAD").trim();
    commitFiles(upstream, { "src/app.ts": "export const app = 2;\n" });

    const workspace = await open({ at: first });

    expect(workspace.baseSha).toBe(first);
    expect(readFileSync(join(workspace.dir, "src/app.ts"), "utf8")).toBe("export const app = 1;\n");
    await expect(open({ at: "main" })).rejects.toThrow("at must be a full commit sha");
  });

  it("checks out the base branch's head in a worktree on a new local branch", async () => {
    const head = gitIn(upstream, "rev-parse", "HEAD").trim();

    const workspace = await open({ branch: "flotilla/7-scripted" });

    expect(workspace.baseSha).toBe(head);
    expect(workspace.branch).toBe("flotilla/7-scripted");
    expect(readFileSync(join(workspace.dir, "src/app.ts"), "utf8")).toBe("export const app = 1;\n");
    expect(gitIn(workspace.dir, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("flotilla/7-scripted");
    expect(gitIn(workspace.dir, "status", "--porcelain")).toBe("");
    expect(workspace.dir.startsWith(join(tmp, "root", "worktrees", "123"))).toBe(true);
  });

  it("fetches what was pushed since the mirror was last refreshed", async () => {
    await open({ name: "task7-1-a" });
    const newHead = commitFiles(upstream, { "src/app.ts": "export const app = 2;\n" });

    const workspace = await open({ name: "task8-1-a", branch: "flotilla/8-scripted" });

    expect(workspace.baseSha).toBe(newHead);
    expect(readFileSync(join(workspace.dir, "src/app.ts"), "utf8")).toBe("export const app = 2;\n");
  });

  it("starts from another base branch when asked", async () => {
    gitIn(upstream, "checkout", "--quiet", "-b", "release");
    const releaseHead = commitFiles(upstream, { "CHANGELOG.md": "1.0\n" });

    const workspace = await open({ baseBranch: "release" });

    expect(workspace.baseSha).toBe(releaseHead);
    expect(existsSync(join(workspace.dir, "CHANGELOG.md"))).toBe(true);
  });

  it("keeps remote branches apart from the runs' branches, so a pushed branch of the same name does not clash", async () => {
    gitIn(upstream, "checkout", "--quiet", "-b", "flotilla/7-scripted");
    commitFiles(upstream, { "from-the-remote-branch.txt": "x\n" });
    gitIn(upstream, "checkout", "--quiet", "main");

    const workspace = await open({ branch: "flotilla/7-scripted" });

    expect(workspace.baseSha).toBe(gitIn(upstream, "rev-parse", "main").trim());
    expect(existsSync(join(workspace.dir, "from-the-remote-branch.txt"))).toBe(false);
  });

  it("opens several workspaces of one repository at once", async () => {
    const workspacesOpened = await Promise.all(
      [1, 2, 3, 4].map((n) => open({ name: `task${n}-1-x`, branch: `flotilla/${n}-scripted` })),
    );

    expect(new Set(workspacesOpened.map((w) => w.dir)).size).toBe(4);
    expect(new Set(workspacesOpened.map((w) => w.baseSha)).size).toBe(1);
    for (const workspace of workspacesOpened) expect(existsSync(join(workspace.dir, "README.md"))).toBe(true);
  });

  it("opens and closes workspaces of one repository side by side", async () => {
    const first = await Promise.all(
      [1, 2, 3].map((n) => open({ name: `task${n}-1-x`, branch: `flotilla/${n}-a` })),
    );

    const closing = first.map((w) => w.close());
    const second = await Promise.all(
      [4, 5, 6].map((n) => open({ name: `task${n}-1-x`, branch: `flotilla/${n}-a` })),
    );
    await Promise.all(closing);

    for (const workspace of first) expect(existsSync(workspace.dir)).toBe(false);
    for (const workspace of second) expect(gitIn(workspace.dir, "status", "--porcelain")).toBe("");
    expect(mirrorGit("worktree", "list", "--porcelain").match(/^worktree /gm)).toHaveLength(1 + 3);
  });

  it("drops remote branches deleted upstream from the mirror", async () => {
    gitIn(upstream, "branch", "short-lived");
    await open({ name: "task7-1-a" });
    expect(mirrorGit("for-each-ref", "--format=%(refname)")).toContain("refs/remotes/origin/short-lived");
    gitIn(upstream, "branch", "-D", "short-lived");

    await open({ name: "task8-1-a", branch: "flotilla/8-scripted" });

    expect(mirrorGit("for-each-ref", "--format=%(refname)")).not.toContain("short-lived");
  });

  it("removes a worktree the same task left behind, with its branch, and leaves other tasks' alone", async () => {
    const crashed = await open({ name: "task7-1-aaa", branch: "flotilla/7-scripted-attempt-1" });
    const otherTask = await open({ name: "task70-1-bbb", branch: "flotilla/70-scripted" });

    const retry = await open({ name: "task7-2-ccc", branch: "flotilla/7-scripted", stalePrefix: "task7-" });

    expect(existsSync(crashed.dir)).toBe(false);
    expect(existsSync(otherTask.dir)).toBe(true);
    expect(existsSync(retry.dir)).toBe(true);
    const worktrees = mirrorGit("worktree", "list", "--porcelain");
    expect(worktrees).not.toContain(crashed.dir);
    expect(worktrees).toContain(otherTask.dir);
    expect(mirrorGit("branch", "--list")).not.toContain("attempt-1");
  });

  it("reuses a branch name a crashed attempt left checked out in a stale worktree", async () => {
    const crashed = await open({ name: "task7-1-aaa", branch: "flotilla/7-scripted" });
    commitFiles(crashed.dir, { "half-done.txt": "x\n" });

    const retry = await open({ name: "task7-2-bbb", branch: "flotilla/7-scripted", stalePrefix: "task7-" });

    expect(gitIn(retry.dir, "rev-parse", "HEAD").trim()).toBe(retry.baseSha);
    expect(existsSync(join(retry.dir, "half-done.txt"))).toBe(false);
  });

  it("refuses a branch checked out in a live worktree of another run, and leaves that run alone", async () => {
    const live = await open({ name: "task7-1-aaa", branch: "flotilla/7-scripted" });

    await expect(open({ name: "task9-1-bbb", branch: "flotilla/7-scripted" })).rejects.toThrow(/worktree/);
    expect(existsSync(join(tmp, "root", "worktrees", "123", "task9-1-bbb"))).toBe(false);
    expect(gitIn(live.dir, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("flotilla/7-scripted");
    expect(mirrorGit("branch", "--list")).toContain("flotilla/7-scripted");
  });

  it("refuses a worktree name already in use instead of replacing that worktree", async () => {
    const live = await open({ name: "task7-1-aaa", branch: "flotilla/7-scripted" });

    await expect(open({ name: "task7-1-aaa", branch: "flotilla/8-scripted" })).rejects.toThrow(/exists/);
    expect(existsSync(join(live.dir, "README.md"))).toBe(true);
  });

  it("leaves the branch alone on a late close when a retry has taken it over", async () => {
    const slow = await open({ name: "task7-1-aaa", branch: "flotilla/7-scripted" });
    const retry = await open({ name: "task7-2-bbb", branch: "flotilla/7-scripted", stalePrefix: "task7-" });

    await slow.close();

    expect(gitIn(retry.dir, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("flotilla/7-scripted");
    expect(mirrorGit("branch", "--list")).toContain("flotilla/7-scripted");
  });

  it("discards config the agent planted in the mirror before the next fetch", async () => {
    const workspace = await open({ name: "task7-1-a" });
    // From inside the worktree, `git config` writes the mirror's shared config.
    gitIn(workspace.dir, "config", `url.file:///nonexistent/.insteadOf`, source.url);
    gitIn(workspace.dir, "config", "core.fsmonitor", "touch /tmp/flotilla-should-not-run");

    const next = await open({ name: "task8-1-a", branch: "flotilla/8-scripted" });

    expect(next.baseSha).toBe(workspace.baseSha);
    expect(readFileSync(join(mirrorOf("123"), "config"), "utf8")).not.toMatch(/insteadOf|fsmonitor/);
  });

  it("fails clearly when the base branch does not exist", async () => {
    await expect(open({ baseBranch: "no-such-branch" })).rejects.toThrow(/rev-parse/);
  });

  it("refuses branch names that start with a dash or that git does not accept", async () => {
    for (const branch of ["-f", "--orphan=x", "a..b", "with space", "@{-1}", "HEAD", "ends.lock", ""]) {
      await expect(open({ branch })).rejects.toThrow(/branch name/);
      await expect(open({ baseBranch: branch })).rejects.toThrow(/branch name/);
    }
    expect(existsSync(mirrorOf("123"))).toBe(false);
  });

  it("refuses keys and names that are not one safe path segment", async () => {
    for (const name of ["../escape", "a/b", ".hidden", "-x", ""]) {
      await expect(open({ name })).rejects.toThrow(/name/);
      await expect(
        workspaces.open({ ...source, key: name }, { baseBranch: "main", branch: "b", name: "n" }),
      ).rejects.toThrow(/key/);
    }
  });

  it("refuses clone URLs with credentials or with protocols other than http(s) and file", async () => {
    const options = { baseBranch: "main", branch: "b", name: "n" };
    await expect(
      workspaces.open({ ...source, url: "https://x-access-token:ghs_secret@example.com/a/b.git" }, options),
    ).rejects.toThrow(/must not hold credentials/);
    await expect(
      workspaces.open({ ...source, url: "ext::sh -c touch% /tmp/pwned" }, options),
    ).rejects.toThrow(/not a URL|must be https/);
    await expect(workspaces.open({ ...source, url: "ssh://example.com/a/b.git" }, options)).rejects.toThrow(
      /must be https, http or file/,
    );
  });
});

describe("Workspace.close", () => {
  it("removes the worktree, its dir and its branch, and does nothing the second time", async () => {
    const workspace = await open();
    commitFiles(workspace.dir, { "agent.txt": "work\n" });

    await workspace.close();
    await workspace.close();

    expect(existsSync(workspace.dir)).toBe(false);
    expect(mirrorGit("worktree", "list", "--porcelain")).not.toContain(workspace.dir);
    expect(mirrorGit("branch", "--list")).toBe("");
  });

  it("does not throw when the worktree's dir is already gone", async () => {
    const workspace = await open();
    rmSync(workspace.dir, { recursive: true, force: true });

    await expect(workspace.close()).resolves.toBeUndefined();
    expect(mirrorGit("worktree", "list", "--porcelain")).not.toContain(workspace.dir);
  });

  it("keeps the mirror warm for the next run", async () => {
    const workspace = await open();
    await workspace.close();

    expect(statSync(join(mirrorOf("123"), "objects")).isDirectory()).toBe(true);
    expect(mirrorGit("rev-parse", "refs/remotes/origin/main").trim()).toBe(workspace.baseSha);
  });
});

describe("Workspaces over smart HTTP with an installation token", () => {
  let world: World;
  let token: string;

  beforeAll(async () => {
    world = await startWorld({
      files: { "README.md": "# widgets\n", "src/app.ts": "export const app = 1;\n" },
    });
    const { data } = await world.appOctokit().rest.apps.createInstallationAccessToken({
      installation_id: world.installationId,
    });
    token = data.token;
  });
  afterAll(async () => {
    await world.stop();
  });

  const httpSource = (): WorkspaceSource => ({
    key: "widgets",
    url: world.sandbox.script.cloneUrl({ repo: "acme/widgets" }).http,
    token,
  });

  it("fetches a private repository with the token", async () => {
    const workspace = await workspaces.open(httpSource(), { baseBranch: "main", branch: "b", name: "t1" });
    opened.push(workspace);

    expect(workspace.baseSha).toBe(world.repo.headSha);
    expect(readFileSync(join(workspace.dir, "src/app.ts"), "utf8")).toBe("export const app = 1;\n");
  });

  it("cannot fetch it without the token", async () => {
    const { token: _, ...withoutToken } = httpSource();
    await expect(
      workspaces.open(withoutToken, { baseBranch: "main", branch: "b", name: "t1" }),
    ).rejects.toThrow(/fetch/);
  });

  it("keeps the token out of the mirror's config and every file it or the worktree holds", async () => {
    const workspace = await workspaces.open(httpSource(), { baseBranch: "main", branch: "b", name: "t1" });
    opened.push(workspace);
    const header = Buffer.from(`x-access-token:${token}`).toString("base64");

    const files = allFiles(join(tmp, "root"));

    expect(files).toContain(join(mirrorOf("widgets"), "config"));
    expect(readFileSync(join(mirrorOf("widgets"), "config"), "utf8")).not.toMatch(/extraHeader|token|ghs_/i);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect({ file, hasToken: bytes.includes(token) || bytes.includes(header) }).toEqual({
        file,
        hasToken: false,
      });
    }
  });
});
