import { mkdir } from "node:fs/promises";
import { runGit } from "./run-git.js";

export interface Signature {
  name: string;
  email: string;
  /** ISO time; git gets it as `@<seconds> +0000`. */
  date: string;
}

/** A file to write: text or bytes, and optionally its mode (`100755` for executables). null deletes it. */
export type FileChange = string | Buffer | { content: string | Buffer; mode?: "100644" | "100755" } | null;

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

/** A file's bytes at a ref, or null when the path is not a file there. */
export async function readFileAt(gitDir: string, ref: string, path: string): Promise<Buffer | null> {
  const spec = `${ref}:${path}`;
  const type = (await runGit(gitDir, ["cat-file", "-t", spec], { okExitCodes: [128] })).toString().trim();
  if (type !== "blob") return null;
  return runGit(gitDir, ["cat-file", "blob", spec]);
}
