import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { isValidTreePath } from "./git-path.js";
import { isSha, objectType, readTree, writeBlob, ZERO_SHA } from "./objects.js";
import { runGit } from "./run-git.js";

/** One entry of `POST /git/trees`: a path with a mode and either `content`, a `sha`, or `sha: null` to delete. */
export interface TreeChange {
  path: string;
  mode: string;
  type?: string;
  sha?: string | null;
  content?: string;
}

/** A change GitHub refuses; the route turns it into a 422 with this message. */
export class TreeChangeError extends Error {
  override name = "TreeChangeError";
}

const TYPE_OF_MODE: Record<string, string> = {
  "100644": "blob",
  "100755": "blob",
  "120000": "blob",
  "040000": "tree",
  "160000": "commit",
};

/**
 * Builds a tree the way `POST /git/trees` does: start from `baseTree` (or nothing), apply each change by
 * path (nested paths allowed, `sha: null` removes a file or a whole folder), write the result. A private
 * index file does the bookkeeping, so no work tree is needed and concurrent builds do not meet.
 */
export async function buildTree(
  gitDir: string,
  baseTree: string | null,
  changes: TreeChange[],
): Promise<string> {
  const indexFile = join(gitDir, `sandbox-index-${randomBytes(8).toString("hex")}`);
  // Literal pathspecs: a path like `*.md` names that file, never a pattern.
  const env = { GIT_INDEX_FILE: indexFile, GIT_LITERAL_PATHSPECS: "1" };
  try {
    await runGit(gitDir, baseTree ? ["read-tree", baseTree] : ["read-tree", "--empty"], { env });
    for (const change of changes) {
      const lines = await indexLines(gitDir, env, change);
      await runGit(gitDir, ["update-index", "--index-info"], { env, input: `${lines.join("\n")}\n` });
    }
    return (await runGit(gitDir, ["write-tree"], { env })).toString().trim();
  } finally {
    await rm(indexFile, { force: true });
  }
}

/** `update-index --index-info` lines for one change: removals of what was there, then the new entries. */
async function indexLines(
  gitDir: string,
  env: Record<string, string>,
  change: TreeChange,
): Promise<string[]> {
  const path = checkPath(change.path);
  const expected = TYPE_OF_MODE[change.mode];
  if (!expected) throw new TreeChangeError(`tree.mode ${change.mode} is not a valid mode`);
  if (change.type && change.type !== expected)
    throw new TreeChangeError(`tree.type ${change.type} does not match mode ${change.mode}`);
  const existing = await entriesUnder(gitDir, env, path);
  const removals = existing.map((p) => `0 ${ZERO_SHA}\t${p}`);
  if (change.sha === null) return removals;
  if (change.content !== undefined) {
    if (expected !== "blob") throw new TreeChangeError("tree.content can only be given for a blob");
    const sha = await writeBlob(gitDir, Buffer.from(change.content, "utf8"));
    return [...removals, `${change.mode} ${sha}\t${path}`];
  }
  const sha = change.sha ?? "";
  // A submodule's commit lives in another repository, so only its shape can be checked; GitHub's words.
  if (expected === "commit") {
    if (!isSha(sha)) throw new TreeChangeError("GitRPC::BadObjectState");
    return [...removals, `160000 ${sha}\t${path}`];
  }
  const actual = await objectType(gitDir, sha);
  if (actual !== expected) throw new TreeChangeError(`tree.sha ${sha} is not a valid ${expected}`);
  if (expected === "blob") return [...removals, `${change.mode} ${sha}\t${path}`];
  const below = await readTree(gitDir, sha, true);
  return [
    ...removals,
    ...below.filter((e) => e.type !== "tree").map((e) => `${e.mode} ${e.sha}\t${path}/${e.path}`),
  ];
}

/** Index paths equal to `path` or below it (a folder being replaced or removed). */
async function entriesUnder(gitDir: string, env: Record<string, string>, path: string): Promise<string[]> {
  const out = await runGit(gitDir, ["ls-files", "-z", "--", path], { env });
  return out.toString("utf8").split("\0").filter(Boolean);
}

/** GitHub refuses absolute paths, empty segments, `.`, `..` and `.git`, and control characters. */
function checkPath(path: string): string {
  if (!isValidTreePath(path)) throw new TreeChangeError("tree.path contains a malformed path component");
  return path;
}
