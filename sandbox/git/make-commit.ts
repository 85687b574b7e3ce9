import { buildTree, type TreeChange } from "./build-tree.js";
import { readCommit, writeBlob } from "./objects.js";
import { type FileChange, type Signature, signatureEnv } from "./repository.js";
import { runGit } from "./run-git.js";

export interface MakeCommitOptions {
  /** The commit to build on; null for a first commit. */
  parent: string | null;
  /** Path → new content (text, bytes, or with a mode), or null to delete the file (or folder). */
  files: Record<string, FileChange>;
  message: string;
  author: Signature;
  committer?: Signature;
}

/**
 * Writes one commit from file changes on top of `parent`, without moving any ref: callers move the branch
 * with `changeRef`, which checks the branch has not moved meanwhile and announces the push.
 */
export async function makeCommit(gitDir: string, options: MakeCommitOptions): Promise<string> {
  const base = options.parent ? await readCommit(gitDir, options.parent) : null;
  if (options.parent && !base) throw new Error(`sandbox: ${options.parent} is not a commit`);
  const changes: TreeChange[] = [];
  for (const [path, change] of Object.entries(options.files)) {
    if (change === null) {
      changes.push({ path, mode: "100644", sha: null });
      continue;
    }
    const { content, mode } =
      typeof change === "string" || Buffer.isBuffer(change) ? { content: change, mode: undefined } : change;
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8");
    changes.push({ path, mode: mode ?? "100644", sha: await writeBlob(gitDir, bytes) });
  }
  const tree = await buildTree(gitDir, base?.tree ?? null, changes);
  const args = ["commit-tree", tree, ...(options.parent ? ["-p", options.parent] : [])];
  const env = signatureEnv(options.author, options.committer ?? options.author);
  // The message goes in on stdin, so nothing in it can be read as an option.
  return (await runGit(gitDir, args, { input: options.message, env })).toString().trim();
}
