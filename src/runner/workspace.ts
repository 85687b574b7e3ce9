import { access, mkdir, readdir, realpath, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { git } from "./git.js";
import {
  validateBranchName,
  validateDirName,
  validateSourceUrl,
  WorkspaceInputError,
} from "./workspace-names.js";

/** How long one git call of a workspace may run (a first fetch of a large repository is slow). @defaultValue 10 minutes */
export const DEFAULT_WORKSPACE_GIT_TIMEOUT_MS = 600_000;

export interface WorkspaceSource {
  /** A stable, dir-safe id for the repository, e.g. its numeric id "123" (survives renames). */
  key: string;
  /** http(s) or file:// clone URL, without credentials. */
  url: string;
  /** An installation token; passed to git through its environment only. */
  token?: string;
}

export interface Workspace {
  /** The worktree: the agent's working directory. */
  dir: string;
  /** The commit the worktree was made from (the base branch's head when it was fetched). */
  baseSha: string;
  /** The local branch checked out in the worktree (scratch: deleted on close). */
  branch: string;
  /** Removes the worktree, its dir and its branch, and prunes. Never throws; calling it again does nothing. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** The branch to start from, on the remote. */
  baseBranch: string;
  /**
   * A commit of that branch to start from instead of its head (the pull request head a judge or an
   * iteration was asked for); it must have been fetched with the branch.
   */
  at?: string;
  /** The new local branch for the run. */
  branch: string;
  /** The worktree's dir name, unique per run (e.g. `${taskId}-${attempt}-${random}`). */
  name: string;
  /** Worktrees of this repository whose name starts with it (an earlier attempt of the same task) are removed first. */
  stalePrefix?: string;
}

/**
 * The mirror's whole config, written before every fetch. The agent can write to the mirror (a worktree's
 * .git points into it), and a planted `url.*.insteadOf`, `http.proxy` or `include.path` would send the next
 * fetch's token elsewhere; a known file leaves nothing of the kind. gc runs in the foreground so no
 * background gc outlives the serialized fetch.
 */
const MIRROR_CONFIG = `[core]
\trepositoryformatversion = 0
\tfilemode = true
\tbare = true
[gc]
\tautoDetach = false
`;

/** Remote branches land here, apart from refs/heads where the runs' local branches live. */
const FETCH_REFSPEC = "+refs/heads/*:refs/remotes/origin/*";

/** The environment of a fetch: the protocols allowed, and the token as a header git keeps in memory only. */
export function fetchEnv(token: string | undefined): Record<string, string> {
  const env: Record<string, string> = { GIT_ALLOW_PROTOCOL: "https:http:file" };
  if (!token) return env;
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  return {
    ...env,
    GIT_CONFIG_COUNT: "2",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    // A redirect would carry the header to whatever host it names.
    GIT_CONFIG_KEY_1: "http.followRedirects",
    GIT_CONFIG_VALUE_1: "false",
  };
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Workspaces for agent runs on this host: one bare mirror per repository under `root/mirrors`, refreshed
 * on each open, and one git worktree per run under `root/worktrees/<key>/<name>`. A worktree shares the
 * mirror's objects, so a run costs a fetch of what changed and a checkout, not a clone.
 *
 * What changes a mirror's refs or worktree records is queued per repository within this process; checkouts
 * and deleting files run side by side. Two processes must not share a root.
 */
export class Workspaces {
  private readonly root: string;
  private readonly timeoutMs: number;
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: { root: string; gitTimeoutMs?: number }) {
    this.root = resolve(options.root);
    this.timeoutMs = options.gitTimeoutMs ?? DEFAULT_WORKSPACE_GIT_TIMEOUT_MS;
  }

  /**
   * Refreshes (fetches) the mirror, creating it on first use, then adds a worktree at `baseBranch`'s head on
   * a new local branch `branch`. Worktrees of the same task left by a crashed worker (`stalePrefix`) are
   * removed first.
   */
  async open(source: WorkspaceSource, options: OpenOptions): Promise<Workspace> {
    validateDirName("key", source.key);
    validateDirName("name", options.name);
    if (options.stalePrefix !== undefined) validateDirName("stalePrefix", options.stalePrefix);
    validateSourceUrl(source.url);
    await mkdir(this.root, { recursive: true });
    const root = await realpath(this.root);
    await validateBranchName(options.baseBranch, root);
    await validateBranchName(options.branch, root);

    const mirror = join(root, "mirrors", `${source.key}.git`);
    const worktrees = join(root, "worktrees", source.key);
    const dir = join(worktrees, options.name);
    const { branch } = options;
    // Everything that changes the mirror's refs or worktree records runs one at a time: concurrent
    // `worktree add` and `prune` on one repository race in git itself (a record removed while written).
    const baseSha = await this.serialized(source.key, async () => {
      await this.prepareMirror(mirror);
      if (options.stalePrefix !== undefined) {
        await this.removeStale(mirror, worktrees, options.stalePrefix, options.name);
      }
      await this.git(mirror, ["worktree", "prune"]);
      await this.git(mirror, ["fetch", "--quiet", "--prune", "--no-tags", source.url, FETCH_REFSPEC], {
        env: fetchEnv(source.token),
      });
      if (options.at !== undefined && !/^[0-9a-f]{40}$/.test(options.at))
        throw new WorkspaceInputError(`at must be a full commit sha, not ${JSON.stringify(options.at)}`);
      const ref = `${options.at ?? `refs/remotes/origin/${options.baseBranch}`}^{commit}`;
      const sha = (await this.git(mirror, ["rev-parse", "--verify", "--end-of-options", ref])).trim();
      await mkdir(worktrees, { recursive: true });
      if (await exists(dir)) {
        throw new WorkspaceInputError(`a worktree named ${options.name} exists; names are per run`);
      }
      // -B: a branch left by a crashed attempt is reset; one checked out in a live worktree is refused.
      const add = ["worktree", "add", "--quiet", "--no-checkout", "-B", branch, dir, sha];
      await this.git(mirror, add).catch(async (error: unknown) => {
        // The branch stays: when it was refused, it is another run's.
        await rm(dir, { recursive: true, force: true });
        await this.git(mirror, ["worktree", "prune"]).catch(() => undefined);
        throw error;
      });
      return sha;
    });

    let closing: Promise<void> | undefined;
    const close = async () => {
      // The slow part (deleting the files) outside the queue; then git forgets the worktree, and the
      // branch goes unless a retry has it checked out (`branch -D` refuses that).
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      await this.serialized(source.key, async () => {
        await this.git(mirror, ["worktree", "prune"]).catch(() => undefined);
        await this.git(mirror, ["branch", "-D", "--", branch]).catch(() => undefined);
      }).catch(() => undefined);
    };
    const workspace = { dir, baseSha, branch, close: () => (closing ??= close()) };
    try {
      // The checkout, outside the queue so runs on one repository write their files side by side. Writing
      // the files is most of the cost; parallel checkout (one worker per core) made it 2.3x faster than one
      // worker in bench/workspace.ts (docs/benchmarks.md).
      await git(dir, ["-c", "checkout.workers=0", "reset", "--hard", "--quiet"], {
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      await workspace.close();
      throw error;
    }
    return workspace;
  }

  /** Creates the mirror when missing and rewrites its config (see MIRROR_CONFIG). */
  private async prepareMirror(mirror: string): Promise<void> {
    if (!(await exists(join(mirror, "HEAD")))) {
      await mkdir(mirror, { recursive: true });
      // No template: sample hooks and descriptions have no use in a cache.
      await this.git(mirror, ["init", "--quiet", "--bare", "--template="]);
    }
    // Written aside and renamed, so a git reading the config at that moment sees the old file or the new.
    await writeFile(join(mirror, "config.flotilla-tmp"), MIRROR_CONFIG);
    await rename(join(mirror, "config.flotilla-tmp"), join(mirror, "config"));
  }

  /** Removes this repository's worktrees named `prefix…` (except `keep`) and their branches. */
  private async removeStale(mirror: string, worktrees: string, prefix: string, keep: string): Promise<void> {
    const names = (await readdir(worktrees).catch(() => [] as string[])).filter(
      (n) => n.startsWith(prefix) && n !== keep,
    );
    if (names.length === 0) return;
    const branches = worktreeBranches(await this.git(mirror, ["worktree", "list", "--porcelain", "-z"]));
    for (const name of names) await rm(join(worktrees, name), { recursive: true, force: true });
    // Pruned first: git refuses to delete a branch while a worktree record still has it checked out.
    await this.git(mirror, ["worktree", "prune"]);
    for (const name of names) {
      const branch = branches.get(join(worktrees, name))?.replace(/^refs\/heads\//, "");
      if (branch) await this.git(mirror, ["branch", "-D", "--", branch]).catch(() => undefined);
    }
  }

  /** git on the mirror, named explicitly rather than found from the working directory. */
  private git(
    mirror: string,
    args: string[],
    options: { env?: Record<string, string> } = {},
  ): Promise<string> {
    return git(mirror, args, { timeoutMs: this.timeoutMs, env: { ...options.env, GIT_DIR: mirror } });
  }

  /** Runs `task` after every earlier task on the same mirror has settled. */
  private serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    // The chain is dropped once idle, so a long-lived worker does not keep one entry per repository it saw.
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }
}

/** `worktree list --porcelain -z` → worktree path → the full ref of its branch. */
function worktreeBranches(out: string): Map<string, string> {
  const branches = new Map<string, string>();
  let path: string | undefined;
  for (const field of out.split("\0")) {
    if (field.startsWith("worktree ")) path = field.slice("worktree ".length);
    else if (field.startsWith("branch ") && path !== undefined)
      branches.set(path, field.slice("branch ".length));
  }
  return branches;
}
