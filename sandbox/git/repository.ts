import { mkdir, rm } from "node:fs/promises";
import { runGit } from "./run-git.js";

export interface Signature {
  name: string;
  email: string;
  /** ISO time; git gets it as `@<seconds> +0000`. */
  date: string;
}

/** A file to write: text or bytes, and optionally its mode (`100755` for executables). null deletes it. */
export type FileChange = string | Buffer | { content: string | Buffer; mode?: "100644" | "100755" } | null;

const ZERO_SHA = "0000000000000000000000000000000000000000";

export async function initBare(gitDir: string, defaultBranch: string): Promise<void> {
  await mkdir(gitDir, { recursive: true });
  await runGit(gitDir, ["init", "--bare", "--quiet", `--initial-branch=${defaultBranch}`]);
  // Smart HTTP pushes are refused by default in http-backend; the sandbox accepts them (tokens are checked first).
  await runGit(gitDir, ["config", "http.receivepack", "true"]);
}

export function signatureEnv(author: Signature, committer: Signature = author): Record<string, string> {
  const when = (iso: string) => `@${Math.floor(Date.parse(iso) / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: when(author.date),
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: when(committer.date),
  };
}

/** The sha a ref points at, or null when it does not exist. */
export async function resolveRef(gitDir: string, ref: string): Promise<string | null> {
  const out = await runGit(gitDir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
    okExitCodes: [1, 128],
  });
  const sha = out.toString("utf8").trim();
  return sha || null;
}

/** A file's bytes at a ref, or null when the path is not a file there. */
export async function readFileAt(gitDir: string, ref: string, path: string): Promise<Buffer | null> {
  const spec = `${ref}:${path}`;
  const type = (await runGit(gitDir, ["cat-file", "-t", spec], { okExitCodes: [128] })).toString().trim();
  if (type !== "blob") return null;
  return runGit(gitDir, ["cat-file", "blob", spec]);
}

/**
 * Makes one commit on `branch` from file changes on top of its current tip (or as the first commit), and
 * moves the branch there. Used by the scripting API to seed and change repositories.
 */
export async function commitFiles(
  gitDir: string,
  options: { branch: string; files: Record<string, FileChange>; message: string; author: Signature },
): Promise<string> {
  const parent = await resolveRef(gitDir, `refs/heads/${options.branch}`);
  const indexFile = `${gitDir}/sandbox-index-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const env = { GIT_INDEX_FILE: indexFile };
  if (parent) await runGit(gitDir, ["read-tree", parent], { env });
  else await runGit(gitDir, ["read-tree", "--empty"], { env });
  const lines: string[] = [];
  for (const [path, change] of Object.entries(options.files)) {
    if (change === null) {
      lines.push(`0 ${ZERO_SHA}\t${path}`);
      continue;
    }
    const { content, mode } =
      typeof change === "string" || Buffer.isBuffer(change) ? { content: change, mode: "100644" } : change;
    const sha = (await runGit(gitDir, ["hash-object", "-w", "--stdin"], { input: content }))
      .toString()
      .trim();
    lines.push(`${mode ?? "100644"} ${sha}\t${path}`);
  }
  await runGit(gitDir, ["update-index", "--index-info"], { env, input: `${lines.join("\n")}\n` });
  const tree = (await runGit(gitDir, ["write-tree"], { env })).toString().trim();
  await rm(indexFile, { force: true });
  const args = ["commit-tree", tree, "-m", options.message, ...(parent ? ["-p", parent] : [])];
  const sha = (await runGit(gitDir, args, { env: signatureEnv(options.author) })).toString().trim();
  await runGit(gitDir, ["update-ref", `refs/heads/${options.branch}`, sha, parent ?? ZERO_SHA]);
  return sha;
}
