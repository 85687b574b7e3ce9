import { mkdir } from "node:fs/promises";
import { isSha, refSha, resolveCommit } from "../../git/objects.js";
import { runGitIn } from "../../git/run-git.js";

/** What `actions/checkout` was asked for, and where the repository lives. */
export interface CheckoutRequest {
  gitDir: string;
  /** `with.ref` after substitution; "" means the run's own branch and sha. */
  ref: string;
  /** The run's branch and sha (GITHUB_REF_NAME, GITHUB_SHA). */
  runBranch: string;
  runSha: string;
  /** The URL `origin` points at afterwards (the sandbox's smart-HTTP URL). */
  remoteUrl: string;
}

export class CheckoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckoutError";
  }
}

type Target = { sha: string; localRef: string | null; branch: string | null };

/** A branch, a tag, a full ref or a sha, resolved the way actions/checkout does. */
async function resolveTarget(request: CheckoutRequest): Promise<Target> {
  const { gitDir, ref } = request;
  if (ref === "") {
    return {
      sha: request.runSha,
      localRef: `refs/remotes/origin/${request.runBranch}`,
      branch: request.runBranch,
    };
  }
  if (isSha(ref)) return { sha: ref, localRef: null, branch: null };
  const candidates = ref.startsWith("refs/") ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
  for (const full of candidates) {
    // A tag may name a tag object: the commit is what gets checked out.
    const sha = (await refSha(gitDir, full)) && (await resolveCommit(gitDir, full));
    if (!sha) continue;
    const branch = full.startsWith("refs/heads/") ? full.slice("refs/heads/".length) : null;
    return { sha, localRef: branch ? `refs/remotes/origin/${branch}` : full, branch };
  }
  throw new CheckoutError(`A branch or tag with the name '${ref}' could not be found`);
}

/**
 * Checks the repository out into `dir` as actions/checkout does (fetch depth 1, the branch checked out
 * under its own name, or a detached HEAD for a sha or tag). It is a separate repository fetched from the
 * bare one, never a worktree of it, so nothing the job does to its `.git` reaches the sandbox's repository.
 * `persist-credentials: false` is moot: no credentials are ever written. Returns the sha checked out.
 */
export async function checkout(dir: string, request: CheckoutRequest): Promise<string> {
  const target = await resolveTarget(request);
  await mkdir(dir, { recursive: true });
  const git = (args: string[]) => runGitIn(dir, args);
  await git(["init", "--quiet", "."]);
  await git(["remote", "add", "origin", `file://${request.gitDir}`]);
  const spec = target.localRef ? `+${target.sha}:${target.localRef}` : target.sha;
  try {
    await git(["fetch", "--quiet", "--no-tags", "--depth=1", "origin", spec]);
  } catch {
    throw new CheckoutError(`The commit ${target.sha} could not be fetched`);
  }
  if (target.branch && target.localRef) {
    await git(["checkout", "--quiet", "--force", "-B", target.branch, target.localRef]);
  } else {
    await git(["checkout", "--quiet", "--force", "--detach", target.sha]);
  }
  await git(["remote", "set-url", "origin", request.remoteUrl]);
  return target.sha;
}
