import { ciOnHeadSha } from "../ci/ci-actor.js";
import { announcePush } from "../git/announce-push.js";
import { signatureOf } from "../git/identity.js";
import { commitsBetween, resolveCommit, updateRef } from "../git/objects.js";
import { signatureEnv } from "../git/repository.js";
import { runGit } from "../git/run-git.js";
import { HttpError, notFound, validationFailed } from "../http/errors.js";
import type { PullIssue } from "../render/pulls.js";
import type { Sandbox } from "../sandbox.js";
import type { Issue, Repo } from "../state/model.js";
import { type Actor, emitIssueAction, isPull } from "./actor.js";
import { closeIssue, type IssueChanges, newIssue, updateIssue } from "./issues.js";

/** Opening, editing and merging pull requests, with GitHub's refusals (422/405/409) and webhooks. */

export function findPull(repo: Repo, number: number | string): PullIssue {
  const issue = repo.issues.get(Number(number));
  if (!issue || !isPull(issue)) throw notFound();
  return issue;
}

/** A 422 with a sentence of its own, as GitHub words pull request refusals. */
function refused(message: string): HttpError {
  return new HttpError(422, "Validation Failed", {
    errors: [{ resource: "PullRequest", code: "custom", message }],
  });
}

/** `owner:branch` or `branch` → the branch; heads from forks do not exist in the sandbox. */
function headBranch(sb: Sandbox, repo: Repo, head: string): string {
  const [owner, branch] = head.includes(":") ? head.split(/:(.*)/s) : [null, head];
  if (owner !== null && owner.toLowerCase() !== sb.store.user(repo.ownerId).login.toLowerCase()) {
    throw validationFailed("PullRequest", "head", "invalid");
  }
  return branch ?? head;
}

export async function openPull(
  sb: Sandbox,
  repo: Repo,
  actor: Actor,
  fields: {
    head: string;
    base?: string;
    title: string;
    body?: string | null;
    draft?: boolean;
    maintainerCanModify?: boolean;
  },
): Promise<PullIssue> {
  const headRef = headBranch(sb, repo, fields.head);
  const baseRef = fields.base ?? repo.defaultBranch;
  const headSha = await resolveCommit(repo.gitDir, `refs/heads/${headRef}`);
  if (!headSha) throw validationFailed("PullRequest", "head", "invalid");
  const baseSha = await resolveCommit(repo.gitDir, `refs/heads/${baseRef}`);
  if (!baseSha) throw validationFailed("PullRequest", "base", "invalid");
  if (headRef === baseRef || (await commitsBetween(repo.gitDir, baseSha, headSha)).length === 0) {
    throw refused(`No commits between ${baseRef} and ${headRef}`);
  }
  const duplicate = [...repo.issues.values()].some(
    (i) => i.state === "open" && i.pull?.headRef === headRef && i.pull.baseRef === baseRef,
  );
  if (duplicate)
    throw refused(`A pull request already exists for ${sb.store.user(repo.ownerId).login}:${headRef}.`);
  const issue = newIssue(sb, repo, actor, { title: fields.title, body: fields.body ?? null });
  issue.pull = {
    id: sb.store.nextId(),
    headRef,
    headSha,
    baseRef,
    baseSha,
    draft: fields.draft ?? false,
    merged: false,
    mergedAt: null,
    mergedById: null,
    mergeCommitSha: null,
    maintainerCanModify: fields.maintainerCanModify ?? false,
    reviews: [],
    reviewComments: [],
    requestedReviewerIds: [],
  };
  const pull = issue as PullIssue;
  await emitIssueAction(sb, repo, pull, "opened", actor.user);
  await ciOnHeadSha(sb, repo, headSha, headRef);
  return pull;
}

/** A PATCH to a pull request: the issue fields, plus moving it to another base branch. */
export async function updatePull(
  sb: Sandbox,
  repo: Repo,
  pull: PullIssue,
  actor: Actor,
  changes: IssueChanges & { base?: string },
): Promise<Issue> {
  const extraEdits: Record<string, unknown> = {};
  const pr = pull.pull;
  if (changes.base !== undefined && changes.base !== pr.baseRef) {
    const baseSha = await resolveCommit(repo.gitDir, `refs/heads/${changes.base}`);
    if (!baseSha) throw validationFailed("PullRequest", "base", "invalid");
    extraEdits.base = { ref: { from: pr.baseRef }, sha: { from: pr.baseSha } };
    pr.baseRef = changes.base;
    pr.baseSha = baseSha;
  }
  return updateIssue(sb, repo, pull, actor, changes, extraEdits);
}

/**
 * "Ready for review" on a draft, as the button (or GraphQL's markPullRequestReadyForReview) does: the pull
 * request stops being a draft and `pull_request.ready_for_review` is sent. GitHub refuses it on one that is not
 * a draft.
 */
export async function markPullReady(sb: Sandbox, repo: Repo, pull: PullIssue, actor: Actor): Promise<void> {
  if (pull.state !== "open" || !pull.pull.draft) throw refused("Pull request is not a draft");
  pull.pull.draft = false;
  pull.updatedAt = sb.store.nowIso();
  await emitIssueAction(sb, repo, pull, "ready_for_review", actor.user);
}

export interface MergeOptions {
  commitTitle?: string;
  commitMessage?: string;
  /** The head sha the caller saw; a different current head is a 409, as on GitHub. */
  sha?: string;
  method?: "merge" | "squash" | "rebase";
}

/**
 * Merges the way GitHub's merge button does: a real commit on the base branch (two parents for "merge", one
 * for "squash"), the PR closed as merged, then the push to the base branch announced like any other push.
 */
export async function mergePull(
  sb: Sandbox,
  repo: Repo,
  pull: PullIssue,
  actor: Actor,
  options: MergeOptions = {},
) {
  const pr = pull.pull;
  if (pull.state !== "open" || pr.merged) throw new HttpError(405, "Pull Request is not mergeable");
  if (options.method === "rebase") throw new HttpError(405, "Rebase merges are not served by the sandbox");
  if (options.sha && options.sha !== pr.headSha) {
    throw new HttpError(409, "Head branch was modified. Review and try the merge again.");
  }
  const ref = `refs/heads/${pr.baseRef}`;
  const baseTip = await resolveCommit(repo.gitDir, ref);
  if (!baseTip) throw new HttpError(405, "Base branch was deleted");
  const merged = await runGit(
    repo.gitDir,
    ["merge-tree", "--write-tree", "--no-messages", baseTip, pr.headSha],
    {
      okExitCodes: [1],
    },
  );
  const lines = merged.toString().trim().split("\n");
  if (lines.length !== 1 || !lines[0]) throw new HttpError(405, "Merge conflict");
  const squash = options.method === "squash";
  const title =
    options.commitTitle ??
    (squash
      ? `${pull.title} (#${pull.number})`
      : `Merge pull request #${pull.number} from ${sb.store.fullName(repo).split("/")[0]}/${pr.headRef}`);
  const message = options.commitMessage ?? (squash ? "" : pull.title);
  const parents = squash ? ["-p", baseTip] : ["-p", baseTip, "-p", pr.headSha];
  const now = sb.store.nowIso();
  const args = ["commit-tree", lines[0], ...parents, "-m", title, ...(message ? ["-m", message] : [])];
  const env = signatureEnv(signatureOf(actor.user, now));
  const sha = (await runGit(repo.gitDir, args, { env })).toString().trim();
  await updateRef(repo.gitDir, ref, sha, baseTip);
  pr.merged = true;
  pr.mergedAt = now;
  pr.mergedById = actor.user.id;
  pr.mergeCommitSha = sha;
  await closeIssue(sb, repo, pull, actor);
  await announcePush(sb, repo, [{ ref, before: baseTip, after: sha }], actor.user);
  return { sha, merged: true, message: "Pull Request successfully merged" };
}
