import { runGit } from "./run-git.js";

/** git's empty tree: diff against it for a root commit, which has no parent to compare with. */
export const EMPTY_TREE_SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** GitHub's `diff-entry`, as in the files of a commit, a comparison or a pull request. */
export interface DiffFile {
  sha: string | null;
  filename: string;
  status: "added" | "removed" | "modified" | "renamed" | "changed";
  additions: number;
  deletions: number;
  changes: number;
  blob_url: string;
  raw_url: string;
  contents_url: string;
  /** The hunks (from the first `@@`); absent for binary files and mode-only changes, as on GitHub. */
  patch?: string;
  previous_filename?: string;
}

/** Where the URLs of a diff entry point: the sandbox's base URL and the repository's `owner/name`. */
export interface DiffLinks {
  baseUrl: string;
  fullName: string;
}

/** Options every diff here runs with, so user or repo config cannot change the output we parse. */
const DIFF_OPTIONS = ["--no-color", "--no-ext-diff", "--no-textconv", "-M", "--full-index", "--no-abbrev"];

interface RawEntry {
  oldMode: string;
  newMode: string;
  oldSha: string;
  newSha: string;
  letter: string;
  path: string;
  oldPath: string | null;
}

/**
 * The files that differ between two commits (or trees), with rename detection, in GitHub's `diff-entry`
 * shape. URLs name `headSha`, as GitHub's do. For a root commit pass `EMPTY_TREE_SHA` as the base.
 */
export async function diffFiles(
  gitDir: string,
  baseSha: string,
  headSha: string,
  links: DiffLinks,
): Promise<DiffFile[]> {
  const range = [baseSha, headSha, "--"];
  const [raw, numstat, patch] = await Promise.all([
    runGit(gitDir, ["diff", ...DIFF_OPTIONS, "--raw", "-z", ...range]),
    runGit(gitDir, ["diff", ...DIFF_OPTIONS, "--numstat", "-z", ...range]),
    runGit(gitDir, ["diff", ...DIFF_OPTIONS, "-p", ...range]),
  ]);
  const entries = parseRaw(raw.toString("utf8"));
  const counts = parseNumstat(numstat.toString("utf8"));
  const patches = splitPatch(patch.toString("utf8"));
  return entries.map((entry, i) => toDiffFile(entry, counts[i], patches[i], headSha, links));
}

/** The unified diff between two commits, as `Accept: application/vnd.github.diff` returns it. */
export async function diffText(gitDir: string, baseSha: string, headSha: string): Promise<string> {
  return (await runGit(gitDir, ["diff", ...DIFF_OPTIONS, "-p", "--binary", baseSha, headSha, "--"])).toString(
    "utf8",
  );
}

function toDiffFile(
  entry: RawEntry,
  count: { additions: number; deletions: number } | undefined,
  patch: string | undefined,
  headSha: string,
  links: DiffLinks,
): DiffFile {
  const additions = count?.additions ?? 0;
  const deletions = count?.deletions ?? 0;
  const removed = entry.letter === "D";
  const encoded = entry.path.split("/").map(encodeURIComponent).join("/");
  const web = `${links.baseUrl}/${links.fullName}`;
  const file: DiffFile = {
    sha: removed ? entry.oldSha : entry.newSha,
    filename: entry.path,
    status: statusOf(entry),
    additions,
    deletions,
    changes: additions + deletions,
    blob_url: `${web}/blob/${headSha}/${encoded}`,
    raw_url: `${web}/raw/${headSha}/${encoded}`,
    contents_url: `${links.baseUrl}/repos/${links.fullName}/contents/${encoded}?ref=${headSha}`,
  };
  if (patch !== undefined) file.patch = patch;
  if (entry.oldPath !== null) file.previous_filename = entry.oldPath;
  return file;
}

function statusOf(entry: RawEntry): DiffFile["status"] {
  if (entry.letter === "A") return "added";
  if (entry.letter === "D") return "removed";
  if (entry.letter === "R") return "renamed";
  // GitHub calls a change of mode alone (e.g. `chmod +x`) "changed"; a change of content "modified".
  if (entry.oldSha === entry.newSha && entry.oldMode !== entry.newMode) return "changed";
  return "modified";
}

/** `--raw -z`: `:oldmode newmode oldsha newsha STATUS\0path\0` (and a second path for renames and copies). */
function parseRaw(text: string): RawEntry[] {
  const fields = text.split("\0");
  const entries: RawEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const header = fields[i] as string;
    if (!header.startsWith(":")) continue;
    const [oldMode, newMode, oldSha, newSha, status] = header.slice(1).split(" ");
    const letter = (status ?? "M").charAt(0);
    const twoPaths = letter === "R" || letter === "C";
    const first = fields[++i] ?? "";
    const second = twoPaths ? (fields[++i] ?? "") : null;
    entries.push({
      oldMode: oldMode ?? "",
      newMode: newMode ?? "",
      oldSha: oldSha ?? "",
      newSha: newSha ?? "",
      letter,
      path: second ?? first,
      oldPath: second === null ? null : first,
    });
  }
  return entries;
}

/** `--numstat -z`: `add\tdel\tpath\0`, or `add\tdel\t\0old\0new\0` for renames; `-\t-` for binary files. */
function parseNumstat(text: string): { additions: number; deletions: number }[] {
  const fields = text.split("\0");
  const counts: { additions: number; deletions: number }[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(field);
    if (!match) continue;
    counts.push({ additions: Number(match[1]) || 0, deletions: Number(match[2]) || 0 });
    if (match[3] === "") i += 2; // a rename: the two paths follow as their own fields
  }
  return counts;
}

/**
 * `-p` output → each file's hunks, in the same order as `--raw`. A section starts at a line beginning with
 * `diff --git ` (hunk lines always start with ' ', '+', '-' or '\', so this cannot be file content).
 */
function splitPatch(text: string): (string | undefined)[] {
  const sections = text.split(/^diff --git /m).slice(1);
  return sections.map((section) => {
    const start = section.search(/^@@ /m);
    if (start < 0) return undefined;
    return section.slice(start).replace(/\n$/, "");
  });
}
