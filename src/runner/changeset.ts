import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GitOptions, git, gitBytes } from "./git.js";

export type FileChange = {
  path: string;
  status: "added" | "modified" | "deleted" | "renamed";
  /** The path at baseSha, for renames only. */
  previousPath?: string;
  /** Git mode of the new content; null when deleted. */
  mode: "100644" | "100755" | "120000" | null;
  binary: boolean;
  /** Size of the new content (a symlink's target text for 120000); 0 when deleted. */
  bytes: number;
};

export type Changeset = { baseSha: string; files: FileChange[] };

// The blob each change was computed from, so readChangedFile returns exactly what was counted even if the
// agent's process is still writing to the worktree. Kept off FileChange to leave its shape plain data.
const blobOf = new WeakMap<FileChange, string>();

const STATUS: Record<string, FileChange["status"]> = {
  A: "added",
  M: "modified",
  // A type change (file <-> symlink) is a new mode on the same path.
  T: "modified",
  D: "deleted",
  R: "renamed",
};
const MODES = new Set<string>(["100644", "100755", "120000"]);
const ZERO_OID = /^0+$/;

type RawEntry = { status: string; newMode: string; newOid: string; path: string; previousPath?: string };

/** Parses `diff-tree --raw -z`: ":old new oldOid newOid STATUS\0path\0" (renames carry two paths). */
function parseRaw(out: string): RawEntry[] {
  const fields = out.split("\0");
  const entries: RawEntry[] = [];
  for (let i = 0; i < fields.length; ) {
    const header = fields[i++];
    if (!header) continue;
    const [, newMode = "", , newOid = "", status = ""] = header.slice(1).split(" ");
    const letter = status.charAt(0);
    const first = fields[i++] ?? "";
    if (letter === "R" || letter === "C") {
      entries.push({ status: letter, newMode, newOid, previousPath: first, path: fields[i++] ?? "" });
    } else {
      entries.push({ status: letter, newMode, newOid, path: first });
    }
  }
  return entries;
}

/** Parses `diff-tree --numstat -z` into the set of new paths git considers binary ("-\t-"). */
function parseBinaryPaths(out: string): Set<string> {
  const fields = out.split("\0");
  const binary = new Set<string>();
  for (let i = 0; i < fields.length; ) {
    const field = fields[i++];
    if (!field) continue;
    // "added\tdeleted\tpath": split on the first two tabs only, since a path may contain tabs.
    const firstTab = field.indexOf("\t");
    const path = field.slice(field.indexOf("\t", firstTab + 1) + 1);
    // A rename's record has an empty path and then "old\0new\0"; the new path is the second.
    if (path === "") i += 2;
    const newPath = path === "" ? (fields[i - 1] ?? "") : path;
    if (field.startsWith("-\t")) binary.add(newPath);
  }
  return binary;
}

async function sizesOf(workdir: string, oids: string[], options: GitOptions): Promise<number[]> {
  if (oids.length === 0) return [];
  const out = await git(workdir, ["cat-file", "--batch-check=%(objectsize)"], {
    ...options,
    input: `${oids.join("\n")}\n`,
  });
  return out.split("\n").slice(0, oids.length).map(Number);
}

/** Writes the whole working tree (tracked, staged, unstaged, untracked-not-ignored) as a tree object. */
async function snapshotWorkingTree(workdir: string, options: GitOptions): Promise<string> {
  // A private index, so the user's staging area and its lock are never touched.
  const dir = await mkdtemp(join(tmpdir(), "flotilla-index-"));
  const env = { ...options.env, GIT_INDEX_FILE: join(dir, "index") };
  try {
    // Seeded from HEAD so tracked files that match .gitignore stay tracked, as they do for git itself.
    const hasHead = await git(workdir, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], options).then(
      () => true,
      () => false,
    );
    await git(workdir, hasHead ? ["read-tree", "HEAD"] : ["read-tree", "--empty"], { ...options, env });
    await git(workdir, ["add", "--all", "--", ":/"], { ...options, env });
    return (await git(workdir, ["write-tree"], { ...options, env })).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Everything in `workdir`'s working tree that differs from `baseSha`, whether the agent committed it,
 * staged it or just left it on disk. Ignored files are left out; the user's index is not modified.
 */
export async function computeChangeset(
  workdir: string,
  baseSha: string,
  options: { timeoutMs?: number } = {},
): Promise<Changeset> {
  const gitOptions: GitOptions = { timeoutMs: options.timeoutMs };
  // Resolving first turns a bad or option-like baseSha into a clear error instead of a diff of nothing.
  const base = (
    await git(workdir, ["rev-parse", "--verify", "--end-of-options", `${baseSha}^{commit}`], gitOptions)
  ).trim();
  const tree = await snapshotWorkingTree(workdir, gitOptions);
  const diff = ["diff-tree", "-r", "-z", "-M", "--no-ext-diff", "--no-textconv"];
  const raw = parseRaw(await git(workdir, [...diff, "--raw", "--end-of-options", base, tree], gitOptions));
  const binary = parseBinaryPaths(
    await git(workdir, [...diff, "--numstat", "--end-of-options", base, tree], gitOptions),
  );

  // Submodules and nested repositories (mode 160000) have no content of their own to publish.
  const entries = raw.filter((e) => e.status === "D" || MODES.has(e.newMode));
  const present = entries.filter((e) => !ZERO_OID.test(e.newOid));
  const sizes = await sizesOf(
    workdir,
    present.map((e) => e.newOid),
    gitOptions,
  );
  const sizeOf = new Map(present.map((e, i) => [e, sizes[i] ?? 0]));

  const files = entries.map((e) => {
    const status = STATUS[e.status];
    if (!status) throw new Error(`Unexpected git diff status "${e.status}" for ${JSON.stringify(e.path)}`);
    const deleted = status === "deleted";
    const change: FileChange = {
      path: e.path,
      status,
      ...(e.previousPath === undefined ? {} : { previousPath: e.previousPath }),
      mode: deleted ? null : (e.newMode as NonNullable<FileChange["mode"]>),
      binary: !deleted && binary.has(e.path),
      bytes: sizeOf.get(e) ?? 0,
    };
    if (!deleted) blobOf.set(change, e.newOid);
    return change;
  });
  return { baseSha: base, files };
}

/**
 * The new content of a change as counted by computeChangeset (a symlink's target for mode 120000).
 * A change that was copied or rebuilt is looked up in the working tree's current state instead.
 */
export async function readChangedFile(
  workdir: string,
  change: FileChange,
  options: { timeoutMs?: number } = {},
): Promise<Buffer> {
  if (change.status === "deleted") throw new Error(`${JSON.stringify(change.path)} was deleted`);
  const gitOptions: GitOptions = { timeoutMs: options.timeoutMs };
  // The fallback snapshots again rather than reading the file system, so a symlink reads as its target,
  // ignored files stay unreadable and a crafted path cannot escape the worktree.
  const object = blobOf.get(change) ?? `${await snapshotWorkingTree(workdir, gitOptions)}:${change.path}`;
  return gitBytes(workdir, ["cat-file", "blob", "--end-of-options", object], gitOptions);
}
