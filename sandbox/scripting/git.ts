import { changeRef } from "../git/change-ref.js";
import { signatureOf } from "../git/identity.js";
import { makeCommit } from "../git/make-commit.js";
import { resolveCommit } from "../git/objects.js";
import { readFileAt } from "../git/repository.js";
import type { Sandbox } from "../sandbox.js";

/** A file as scripts give it: text, `{content, mode}` (mode `100755` for executables), or null to delete. */
type ScriptFile =
  | string
  | { content: string; mode?: "100644" | "100755"; encoding?: "utf-8" | "base64" }
  | null;

function toChange(file: ScriptFile) {
  if (file === null || typeof file === "string") return file;
  // Over HTTP bytes arrive as base64; in-process callers may pass text.
  const content = file.encoding === "base64" ? Buffer.from(file.content, "base64") : file.content;
  return { content, ...(file.mode ? { mode: file.mode } : {}) };
}

/** Git actions: people pushing commits, and reading what a repository holds. */
export const gitActions = {
  /**
   * A person (`author`, default the repository owner) pushes one commit of `files` to `branch`, as a real
   * commit with the `push` webhook and the branch lifecycle after it. A branch that does not exist yet starts
   * from `base` (default: the default branch).
   */
  async pushFiles(
    sb: Sandbox,
    args: {
      repo: string;
      branch: string;
      files: Record<string, ScriptFile>;
      message?: string;
      author?: string;
      base?: string;
    },
  ) {
    const repo = sb.store.repo(args.repo);
    const author = args.author ? sb.store.userByLogin(args.author) : sb.store.user(repo.ownerId);
    if (!author) throw new Error(`sandbox: no user ${args.author}; create it with createUser first`);
    const ref = `refs/heads/${args.branch}`;
    const tip = await resolveCommit(repo.gitDir, ref);
    const parent = tip ?? (await resolveCommit(repo.gitDir, `refs/heads/${args.base ?? repo.defaultBranch}`));
    if (!tip && args.base && !parent) throw new Error(`sandbox: no branch ${args.base} in ${args.repo}`);
    const files = Object.fromEntries(
      Object.entries(args.files).map(([path, file]) => [path, toChange(file)]),
    );
    const sha = await makeCommit(repo.gitDir, {
      parent,
      files,
      message: args.message ?? `Update ${Object.keys(args.files).join(", ")}`,
      author: signatureOf(author, sb.store.nowIso()),
    });
    await changeRef(sb, repo, { ref, sha, kind: tip ? "update" : "create" }, author);
    return { sha };
  },

  /** A file's text at a ref (branch, tag or sha), or null when it is not there. */
  async readFile(sb: Sandbox, args: { repo: string; ref?: string; path: string }) {
    const repo = sb.store.repo(args.repo);
    const bytes = await readFileAt(repo.gitDir, args.ref ?? repo.defaultBranch, args.path);
    return bytes === null ? null : bytes.toString("utf8");
  },

  /** The sha a branch points at, or null. */
  async branchSha(sb: Sandbox, args: { repo: string; branch: string }) {
    const repo = sb.store.repo(args.repo);
    return resolveCommit(repo.gitDir, `refs/heads/${args.branch}`);
  },

  /** Where to clone from: smart HTTP (needs a token for private repositories) and the bare repo on disk. */
  cloneUrl(sb: Sandbox, args: { repo: string }) {
    const repo = sb.store.repo(args.repo);
    return { http: `${sb.baseUrl}/${sb.store.fullName(repo)}.git`, file: `file://${repo.gitDir}` };
  },
};
