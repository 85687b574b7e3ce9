import type { Sandbox } from "../sandbox.js";
import type { Repo, User } from "../state/model.js";
import { announcePush } from "./announce-push.js";
import { isAncestor, objectType, refSha, updateRef, ZERO_SHA } from "./objects.js";
import { withRepoLock } from "./repo-lock.js";
import { GitError, runGit } from "./run-git.js";

/** A ref change GitHub refuses, with GitHub's message; routes answer 422 with it. */
export class RefChangeError extends Error {
  override name = "RefChangeError";
}

export interface RefChange {
  /** Full ref name, `refs/heads/main`. */
  ref: string;
  /** The new target; null deletes the ref. */
  sha: string | null;
  /** create: the ref must not exist; update/delete: it must. */
  kind: "create" | "update" | "delete";
  /** Allow an update that is not a fast-forward. */
  force?: boolean;
}

/**
 * Creates, moves or deletes a ref as the Git Data API does (checks, then an atomic compare-and-swap), then
 * announces it: `push` webhook and the branch lifecycle. Returns the ref's new sha (null when deleted).
 * Runs under the repository's lock, so a smart-HTTP push in progress neither sees nor re-announces it.
 */
export async function changeRef(
  sb: Sandbox,
  repo: Repo,
  change: RefChange,
  sender: User,
): Promise<string | null> {
  return withRepoLock(repo.gitDir, () => changeRefLocked(sb, repo, change, sender));
}

async function changeRefLocked(
  sb: Sandbox,
  repo: Repo,
  change: RefChange,
  sender: User,
): Promise<string | null> {
  const { gitDir } = repo;
  await checkRefName(gitDir, change.ref);
  const before = await refSha(gitDir, change.ref);
  if (change.kind === "create" && before) throw new RefChangeError("Reference already exists");
  if (change.kind !== "create" && !before) throw new RefChangeError("Reference does not exist");
  if (change.sha !== null) {
    const type = await objectType(gitDir, change.sha);
    if (!type) throw new RefChangeError("Object does not exist");
    // Branches point at commits; GitHub will not point `refs/heads/x` at a tree or a blob.
    if (change.ref.startsWith("refs/heads/") && type !== "commit")
      throw new RefChangeError("Object is not a commit");
    if (
      change.kind === "update" &&
      before &&
      !change.force &&
      !(await fastForward(gitDir, before, change.sha))
    )
      throw new RefChangeError("Update is not a fast forward");
  }
  const after = change.sha ?? ZERO_SHA;
  try {
    await updateRef(gitDir, change.ref, after, before ?? ZERO_SHA);
  } catch (error) {
    // The compare-and-swap lost against a concurrent writer: the ref is not where we checked it was.
    if (error instanceof GitError) throw new RefChangeError("Reference update failed");
    throw error;
  }
  await announcePush(sb, repo, [{ ref: change.ref, before: before ?? ZERO_SHA, after }], sender);
  return change.sha;
}

async function fastForward(gitDir: string, before: string, after: string): Promise<boolean> {
  if ((await objectType(gitDir, before)) !== "commit" || (await objectType(gitDir, after)) !== "commit")
    return false;
  return isAncestor(gitDir, before, after);
}

/** GitHub wants `refs/` and at least two slashes, and a name git itself accepts. */
async function checkRefName(gitDir: string, ref: string): Promise<void> {
  const shaped = ref.startsWith("refs/") && ref.split("/").length >= 3;
  if (!shaped || !(await validByGit(gitDir, ref)))
    throw new RefChangeError(`${ref} is not a valid ref name.`);
}

async function validByGit(gitDir: string, ref: string): Promise<boolean> {
  try {
    await runGit(gitDir, ["check-ref-format", ref]);
    return true;
  } catch {
    return false;
  }
}

/** `heads/main` or `refs/heads/main` (both reach GitHub's ref routes) → `refs/heads/main`. */
export function fullRefName(param: string): string {
  return param.startsWith("refs/") ? param : `refs/${param}`;
}
