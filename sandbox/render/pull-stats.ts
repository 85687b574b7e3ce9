import { type DiffFile, diffFiles } from "../git/diff.js";
import { commitsBetween, mergeBase as gitMergeBase, resolveCommit } from "../git/objects.js";
import { runGit } from "../git/run-git.js";
import type { Issue, PullRequest, Repo } from "../state/model.js";

/** What a full pull request shows that only git can tell: its commits, diff size and whether it merges. */
export interface PullStats {
  commits: number;
  additions: number;
  deletions: number;
  changedFiles: number;
  mergeable: boolean | null;
  mergeableState: "clean" | "dirty" | "unknown";
}

/** The commit GitHub diffs a pull request against: where head forked from base (a three-dot diff). */
export async function mergeBase(repo: Repo, pr: PullRequest): Promise<string> {
  return (await gitMergeBase(repo.gitDir, pr.baseSha, pr.headSha)) ?? pr.baseSha;
}

export async function pullFiles(
  repo: Repo,
  pr: PullRequest,
  links: { baseUrl: string; fullName: string },
): Promise<DiffFile[]> {
  return diffFiles(repo.gitDir, await mergeBase(repo, pr), pr.headSha, links);
}

/** The pull request's commits, oldest first, as GitHub lists them. */
export async function pullCommitShas(repo: Repo, pr: PullRequest): Promise<string[]> {
  return commitsBetween(repo.gitDir, pr.baseSha, pr.headSha);
}

/**
 * Whether head merges cleanly into the base branch's current tip (`git merge-tree` exits 1 on conflicts).
 * Closed pull requests answer null/unknown, as GitHub stops computing it.
 */
async function mergeability(repo: Repo, issue: Issue & { pull: PullRequest }) {
  if (issue.state === "closed") return { mergeable: null, mergeableState: "unknown" as const };
  const baseTip =
    (await resolveCommit(repo.gitDir, `refs/heads/${issue.pull.baseRef}`)) ?? issue.pull.baseSha;
  const out = await runGit(
    repo.gitDir,
    ["merge-tree", "--write-tree", "--no-messages", baseTip, issue.pull.headSha],
    { okExitCodes: [1] },
  );
  // With --write-tree, a conflicted merge still prints the tree, then the conflicted files: more than one line.
  const clean = out.toString().trim().split("\n").length === 1;
  return { mergeable: clean, mergeableState: clean ? ("clean" as const) : ("dirty" as const) };
}

/** What mergeability is before GitHub has computed it (in the webhooks sent as a head appears or moves). */
const NOT_YET_KNOWN = { mergeable: null, mergeableState: "unknown" as const };

export async function pullStats(
  repo: Repo,
  issue: Issue & { pull: PullRequest },
  options: { mergeability?: boolean } = {},
): Promise<PullStats> {
  const links = { baseUrl: "", fullName: "" };
  const [files, commits, merge] = await Promise.all([
    pullFiles(repo, issue.pull, links),
    pullCommitShas(repo, issue.pull),
    options.mergeability === false ? NOT_YET_KNOWN : mergeability(repo, issue),
  ]);
  return {
    commits: commits.length,
    additions: files.reduce((sum, f) => sum + f.additions, 0),
    deletions: files.reduce((sum, f) => sum + f.deletions, 0),
    changedFiles: files.length,
    ...merge,
  };
}
