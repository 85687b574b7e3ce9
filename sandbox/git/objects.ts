import { GitError, runGit } from "./run-git.js";

/** Reading git objects and refs of a bare repository, parsed into plain records. */

export const ZERO_SHA = "0000000000000000000000000000000000000000";
const SHA_PATTERN = /^[0-9a-f]{40}$/;

export function isSha(value: string): boolean {
  return SHA_PATTERN.test(value);
}

export interface Person {
  name: string;
  email: string;
  /** ISO time in UTC, as GitHub shows commit dates. */
  date: string;
}

export interface CommitObject {
  sha: string;
  tree: string;
  parents: string[];
  author: Person;
  committer: Person;
  message: string;
}

export interface TreeEntry {
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  /** Bytes of a blob; absent for trees and submodules. */
  size?: number;
  path: string;
}

export interface RefRecord {
  ref: string;
  sha: string;
  type: string;
}

/** `blob`, `tree`, `commit`, `tag`, or null when there is no such object (or it is not a full sha). */
export async function objectType(gitDir: string, sha: string): Promise<string | null> {
  if (!isSha(sha)) return null;
  const out = await runGit(gitDir, ["cat-file", "-t", sha], { okExitCodes: [128] });
  return out.toString("utf8").trim() || null;
}

function parsePerson(line: string): Person {
  const match = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!match) return { name: line, email: "", date: new Date(0).toISOString() };
  const date = new Date(Number(match[3]) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return { name: match[1] as string, email: match[2] as string, date };
}

export async function readCommit(gitDir: string, sha: string): Promise<CommitObject | null> {
  if ((await objectType(gitDir, sha)) !== "commit") return null;
  const text = (await runGit(gitDir, ["cat-file", "commit", sha])).toString("utf8");
  const split = text.indexOf("\n\n");
  const headers = (split < 0 ? text : text.slice(0, split)).split("\n");
  const commit: CommitObject = {
    sha,
    tree: "",
    parents: [],
    author: parsePerson(""),
    committer: parsePerson(""),
    message: split < 0 ? "" : text.slice(split + 2),
  };
  for (const line of headers) {
    const space = line.indexOf(" ");
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === "tree") commit.tree = value;
    else if (key === "parent") commit.parents.push(value);
    else if (key === "author") commit.author = parsePerson(value);
    else if (key === "committer") commit.committer = parsePerson(value);
  }
  // git stores the message with a trailing newline; GitHub shows it without.
  commit.message = commit.message.replace(/\n$/, "");
  return commit;
}

/** A tree's entries (`recursive`: every blob and subtree below it, with full paths). */
export async function readTree(gitDir: string, treeish: string, recursive = false): Promise<TreeEntry[]> {
  const args = ["ls-tree", "-z", "--long", ...(recursive ? ["-r", "-t"] : []), treeish];
  const out = (await runGit(gitDir, args)).toString("utf8");
  return out
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      const [mode, type, sha, size] = line.slice(0, tab).split(/\s+/);
      const entry: TreeEntry = {
        mode: mode ?? "",
        type: type as TreeEntry["type"],
        sha: sha ?? "",
        path: line.slice(tab + 1),
      };
      if (type === "blob") entry.size = Number(size);
      return entry;
    });
}

/** The object at `path` inside a commit's tree, or null. The root (`""`) is the commit's tree itself. */
export async function entryAt(gitDir: string, commitSha: string, path: string): Promise<TreeEntry | null> {
  const clean = path.replace(/^\/+|\/+$/g, "");
  if (clean === "") {
    const commit = await readCommit(gitDir, commitSha);
    return commit ? { mode: "040000", type: "tree", sha: commit.tree, path: "" } : null;
  }
  const out = (
    await runGit(gitDir, ["ls-tree", "-z", "--long", commitSha, "--", clean], {
      // The path comes from a URL: `*.md` names that file, never a pattern.
      env: { GIT_LITERAL_PATHSPECS: "1" },
    })
  ).toString("utf8");
  const line = out.split("\0").find((l) => l.slice(l.indexOf("\t") + 1) === clean);
  if (!line) return null;
  const [mode, type, sha, size] = line.slice(0, line.indexOf("\t")).split(/\s+/);
  const entry: TreeEntry = { mode: mode ?? "", type: type as TreeEntry["type"], sha: sha ?? "", path: clean };
  if (type === "blob") entry.size = Number(size);
  return entry;
}

export async function readBlob(gitDir: string, sha: string): Promise<Buffer> {
  return runGit(gitDir, ["cat-file", "blob", sha]);
}

export async function writeBlob(gitDir: string, content: Buffer): Promise<string> {
  return (await runGit(gitDir, ["hash-object", "-w", "--stdin"], { input: content })).toString().trim();
}

/** Refs under a prefix (`refs/heads/`), sorted by name, with what they point at. */
export async function listRefs(gitDir: string, prefix = "refs/"): Promise<RefRecord[]> {
  const format = "%(refname)%00%(objectname)%00%(objecttype)";
  const out = (await runGit(gitDir, ["for-each-ref", `--format=${format}`, prefix])).toString("utf8");
  return out
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [ref, sha, type] = line.split("\0");
      return { ref: ref ?? "", sha: sha ?? "", type: type ?? "" };
    });
}

/** The sha a full ref name points at, or null. */
export async function refSha(gitDir: string, ref: string): Promise<string | null> {
  const out = await runGit(gitDir, ["rev-parse", "--verify", "--quiet", `${ref}^{object}`], {
    okExitCodes: [1, 128],
  });
  return out.toString().trim() || null;
}

export async function isAncestor(gitDir: string, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await runGit(gitDir, ["merge-base", "--is-ancestor", ancestor, descendant]);
    return true;
  } catch (error) {
    // Exit 1 is git's "no"; anything else (a missing object) is a real failure.
    if (error instanceof GitError && error.exitCode === 1) return false;
    throw error;
  }
}

export async function mergeBase(gitDir: string, a: string, b: string): Promise<string | null> {
  const out = await runGit(gitDir, ["merge-base", a, b], { okExitCodes: [1] });
  return out.toString().trim() || null;
}

/** Commits reachable from `head` but not `base`, oldest first (`base` null: all of head's history). */
export async function commitsBetween(gitDir: string, base: string | null, head: string): Promise<string[]> {
  const args = ["rev-list", "--reverse", head, ...(base ? [`^${base}`] : []), "--"];
  return (await runGit(gitDir, args)).toString().split("\n").filter(Boolean);
}

/**
 * Moves (or creates, or deletes with `newSha` = zeros) a ref, only if it still points at `oldSha`: a
 * compare-and-swap, so two writers racing cannot lose an update.
 */
export async function updateRef(gitDir: string, ref: string, newSha: string, oldSha: string): Promise<void> {
  if (newSha === ZERO_SHA) await runGit(gitDir, ["update-ref", "-d", ref, oldSha]);
  else await runGit(gitDir, ["update-ref", ref, newSha, oldSha]);
}

/**
 * A commit named by a sha, branch, tag or other revision, or null. `--end-of-options` keeps a name that
 * starts with `-` (it comes from a URL) from being read as an option.
 */
export async function resolveCommit(gitDir: string, name: string): Promise<string | null> {
  // A name from a URL is never an option (`-…`) or a range (`a..b`, which rev-parse would expand).
  if (name === "" || name.startsWith("-") || name.includes("..")) return null;
  const args = ["rev-parse", "--verify", "--quiet", "--end-of-options", `${name}^{commit}`];
  const out = (await runGit(gitDir, args, { okExitCodes: [1, 128] })).toString().trim();
  return /^[0-9a-f]{40}$/.test(out) ? out : null;
}
