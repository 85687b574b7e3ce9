import type { GitHub } from "../github/octokit.js";
import type { FileChange } from "../runner/changeset.js";
import { httpStatus, isUnprocessable } from "./request-error.js";

/**
 * Publishes an agent's changeset as one commit on a branch, through the Git Data API only (no clone, no
 * push): one tree on the base commit's tree, one commit whose parent is the base, then the branch ref.
 */

export interface CommitChangesetInput {
  owner: string;
  repo: string;
  /** Branch name without `refs/heads/`, e.g. `flotilla/12-claude`. */
  branch: string;
  /** The commit the agent started from; the new commit's only parent. */
  baseSha: string;
  files: FileChange[];
  /** The new content of a change that is not a deletion (a symlink's target for mode 120000). */
  read(change: FileChange): Promise<Buffer>;
  message: string;
  /**
   * Whether an existing branch head may be replaced: only commits Flotilla made, so a rerun never wipes
   * commits people pushed to the branch. @defaultValue any head may be replaced
   */
  mayReplace?(head: string): Promise<boolean>;
  /** Called with a new commit before the branch is moved to it, so it is known as Flotilla's even after a crash. */
  recordCommit?(sha: string): Promise<void>;
}

/** The branch has commits Flotilla did not make; it is left alone. */
export class BranchTakenError extends Error {
  override name = "BranchTakenError";
  /** Another try finds the same commits: the task ends with this message. */
  readonly permanent = true;
  constructor(branch: string, head: string) {
    super(
      `the branch ${branch} has commits Flotilla did not make (its head is ${head.slice(0, 7)}), and a rerun would overwrite them: merge or move that work, delete the branch, then remove the label and add it back`,
    );
  }
}

export interface CommitChangesetResult {
  sha: string;
  /** False when the branch already held exactly this change on baseSha (a retried job). */
  created: boolean;
  /** The commit's page on GitHub. */
  url: string;
}

/**
 * Text files up to this size travel inline in the tree request; larger ones get a blob of their own, so one
 * request body stays modest. @defaultValue 1 MiB
 */
export const MAX_INLINE_BYTES = 1024 * 1024;

/** How many times a lost race for the branch (created or deleted meanwhile) is looked at again. */
const RACE_ATTEMPTS = 3;

type TreeEntry = {
  path: string;
  mode: "100644" | "100755" | "120000";
  type: "blob";
  sha?: string | null;
  content?: string;
};

type Repo = { owner: string; repo: string };

/**
 * Commits `files` on top of `baseSha` and points `branch` at the commit (creating it, or force-updating an
 * earlier attempt). Idempotent: when the branch already holds a commit with the same parent and tree, that
 * commit is returned with `created: false` and the branch is not moved. The commit is made by the App (no
 * author override), so GitHub attributes it to the App's bot.
 */
export async function commitChangeset(
  gh: GitHub,
  input: CommitChangesetInput,
): Promise<CommitChangesetResult> {
  // An empty commit would make a pull request with nothing in it; "no changes" is the caller's outcome.
  if (input.files.length === 0) throw new Error("commitChangeset: the changeset is empty, nothing to commit");
  const repo = { owner: input.owner, repo: input.repo };
  const ref = `heads/${input.branch}`;

  // 1. What exists: the base commit's tree, and the branch if an earlier attempt already made it.
  const [base, existingHead] = await Promise.all([
    gh.rest.git.getCommit({ ...repo, commit_sha: input.baseSha }),
    branchHead(gh, repo, ref),
  ]);
  // 2. The tree. Git objects are content-addressed, so building it again on a retry yields the same sha.
  const tree = await createTree(gh, repo, base.data.tree.sha, input);

  // 3. Reuse what a previous attempt committed, else commit once and move the branch to it.
  let head = existingHead;
  let commit: { sha: string; html_url: string } | undefined;
  for (let attempt = 1; ; attempt++) {
    if (head) {
      const { data: current } = await gh.rest.git.getCommit({ ...repo, commit_sha: head });
      const parents = current.parents.map((p) => p.sha);
      if (current.tree.sha === tree && parents.length === 1 && parents[0] === input.baseSha)
        return { sha: current.sha, created: false, url: current.html_url };
    }
    if (head && input.mayReplace && !(await input.mayReplace(head)))
      throw new BranchTakenError(input.branch, head);
    if (!commit) {
      commit = (
        await gh.rest.git.createCommit({ ...repo, message: input.message, tree, parents: [input.baseSha] })
      ).data;
      await input.recordCommit?.(commit.sha);
    }
    try {
      if (head) await gh.rest.git.updateRef({ ...repo, ref, sha: commit.sha, force: true });
      else await gh.rest.git.createRef({ ...repo, ref: `refs/${ref}`, sha: commit.sha });
      return { sha: commit.sha, created: true, url: commit.html_url };
    } catch (error) {
      // Another worker made or removed the branch between our look and our write: look again. A commit of
      // ours left unreferenced this way is never on a branch, and GitHub collects it as garbage.
      const lostRace = head
        ? isUnprocessable(error, "Reference does not exist")
        : isUnprocessable(error, "Reference already exists");
      if (!lostRace || attempt >= RACE_ATTEMPTS) throw error;
      head = await branchHead(gh, repo, ref);
    }
  }
}

/** The sha the branch points at, or null when there is no such branch. */
async function branchHead(gh: GitHub, repo: Repo, ref: string): Promise<string | null> {
  try {
    return (await gh.rest.git.getRef({ ...repo, ref })).data.object.sha;
  } catch (error) {
    if (httpStatus(error) === 404) return null;
    throw error;
  }
}

async function createTree(gh: GitHub, repo: Repo, baseTree: string, input: CommitChangesetInput) {
  const written = input.files.filter((f) => f.status !== "deleted");
  const writtenPaths = new Set(written.map((f) => f.path));
  // Deletions first and only of paths nothing else writes: GitHub refuses to delete a path that is not
  // there, and a rename onto a path that was itself renamed away must not lose the new file.
  const removed = new Set(
    input.files
      .flatMap((f) => (f.status === "deleted" ? [f.path] : f.previousPath ? [f.previousPath] : []))
      .filter((path) => !writtenPaths.has(path)),
  );
  const entries: TreeEntry[] = [...removed].map((path) => ({
    path,
    mode: "100644",
    type: "blob",
    sha: null,
  }));
  // One at a time: GitHub asks integrations to make write requests serially (secondary rate limits).
  for (const change of written) entries.push(await treeEntry(gh, repo, change, await input.read(change)));
  const { data } = await gh.rest.git.createTree({ ...repo, base_tree: baseTree, tree: entries });
  return data.sha;
}

async function treeEntry(gh: GitHub, repo: Repo, change: FileChange, bytes: Buffer): Promise<TreeEntry> {
  if (change.mode === null) throw new Error(`${JSON.stringify(change.path)} has no mode but is not deleted`);
  const base = { path: change.path, mode: change.mode, type: "blob" as const };
  const text = inlineText(bytes);
  if (text !== undefined) return { ...base, content: text };
  const { data } = await gh.rest.git.createBlob({
    ...repo,
    content: bytes.toString("base64"),
    encoding: "base64",
  });
  return { ...base, sha: data.sha };
}

/**
 * The bytes as a string when sending them inline reproduces them exactly: valid UTF-8 (GitHub writes `content`
 * as UTF-8), no NUL, and not too large. Judged on the bytes rather than git's binary guess, which
 * .gitattributes can change.
 */
function inlineText(bytes: Buffer): string | undefined {
  if (bytes.length > MAX_INLINE_BYTES || bytes.includes(0)) return undefined;
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes) ? text : undefined;
}
