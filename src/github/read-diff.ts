import type { GitHub } from "./octokit.js";

export interface DiffFile {
  path: string;
  status: string;
  /** GitHub's unified diff hunks for the file; absent for binary or very large files. */
  patch?: string;
}

/**
 * What a head changes against the base branch (the pull request's three-dot diff at exactly that commit,
 * even when the branch has moved on): per file, and as one unified diff for a prompt.
 */
export async function readDiff(
  gh: GitHub,
  where: { owner: string; repo: string; base: string; head: string },
): Promise<{ files: DiffFile[]; diff: string }> {
  const { data } = await gh.rest.repos.compareCommitsWithBasehead({
    owner: where.owner,
    repo: where.repo,
    basehead: `${where.base}...${where.head}`,
    per_page: 100,
  });
  const files: DiffFile[] = (data.files ?? []).map((f) => ({
    path: f.filename,
    status: f.status,
    ...(f.patch !== undefined ? { patch: f.patch } : {}),
  }));
  const diff = files
    .map((f) => {
      const header = `diff --git a/${f.path} b/${f.path}\n--- a/${f.path}\n+++ b/${f.path}`;
      return `${header}\n${f.patch ?? `(${f.status}; no text diff shown)`}`;
    })
    .join("\n");
  return { files, diff };
}
