import { runGit } from "../git/run-git.js";
import type { Repo } from "../state/model.js";

/** What webhooks and check suites say about a commit (`simple-commit` plus parents). */
export interface CommitInfo {
  id: string;
  tree_id: string;
  message: string;
  timestamp: string;
  author: { name: string; email: string };
  committer: { name: string; email: string };
  parents: string[];
}

// Commits never change, so one lookup per sha is enough for the sandbox's lifetime.
const cache = new Map<string, CommitInfo>();

/** A commit's metadata read with git, or null when the sha is not a commit of the repository. */
export async function commitInfo(repo: Repo, sha: string): Promise<CommitInfo | null> {
  const key = `${repo.gitDir}\0${sha}`;
  const cached = cache.get(key);
  if (cached) return cached;
  if (!/^[0-9a-f]{40}$/.test(sha)) return null;
  const format = "%H%x00%T%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%cI%x00%B";
  const out = await runGit(repo.gitDir, ["show", "-s", `--format=${format}`, sha], { okExitCodes: [128] });
  const [id, tree, parents, an, ae, cn, ce, date, ...rest] = out.toString("utf8").split("\0");
  if (!id || !tree) return null;
  const info: CommitInfo = {
    id,
    tree_id: tree,
    message: rest.join("\0").replace(/\n+$/, ""),
    timestamp: new Date(date ?? 0).toISOString().replace(/\.\d{3}Z$/, "Z"),
    author: { name: an ?? "", email: ae ?? "" },
    committer: { name: cn ?? "", email: ce ?? "" },
    parents: parents ? parents.split(" ").filter(Boolean) : [],
  };
  cache.set(key, info);
  return info;
}

/** The commit's `simple-commit` JSON (what check suites and workflow runs carry as `head_commit`). */
export function simpleCommit(info: CommitInfo) {
  const { parents: _parents, ...rest } = info;
  return rest;
}

/** Branches whose tip is this sha; the first one names a check suite's `head_branch`. */
export async function branchesAt(repo: Repo, sha: string): Promise<string[]> {
  const out = await runGit(repo.gitDir, [
    "for-each-ref",
    "--points-at",
    sha,
    "--format=%(refname:short)",
    "refs/heads",
  ]);
  return out.toString("utf8").split("\n").filter(Boolean);
}

/** Branches that contain this sha, with their tips (the `branches` of a `status` webhook). */
export async function branchesContaining(repo: Repo, sha: string): Promise<{ name: string; sha: string }[]> {
  const out = await runGit(repo.gitDir, [
    "for-each-ref",
    "--contains",
    sha,
    "--format=%(refname:short) %(objectname)",
    "refs/heads",
  ]);
  return out
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name = "", tip = ""] = line.split(" ");
      return { name, sha: tip };
    });
}
