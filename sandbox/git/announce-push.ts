import { branchMoved, type RefUpdate } from "../lifecycle/branch-moved.js";
import { renderRepo } from "../render/core.js";
import type { Sandbox } from "../sandbox.js";
import type { Repo, User } from "../state/model.js";
import { noreplyEmail, userForEmail } from "./identity.js";
import { type CommitObject, commitsBetween, isAncestor, listRefs, readCommit, ZERO_SHA } from "./objects.js";
import { runGit } from "./run-git.js";

/** GitHub puts at most 20 commits in a push payload (the rest are only counted by `compare`). */
const MAX_PAYLOAD_COMMITS = 20;

/**
 * What GitHub does after refs moved, by a push or the Git Data API: one `push` webhook per ref, then, for
 * branches, the pull request and CI lifecycle (`branchMoved`). Updates that change nothing are skipped.
 */
export async function announcePush(
  sb: Sandbox,
  repo: Repo,
  updates: RefUpdate[],
  sender: User,
): Promise<void> {
  for (const update of updates) {
    if (update.before === update.after) continue;
    repo.pushedAt = sb.store.nowIso();
    const payload = await pushPayload(sb, repo, update, sender);
    sb.webhooks.emit({ event: "push", repo, sender, payload });
    if (update.ref.startsWith("refs/heads/")) await branchMoved(sb, repo, update, sender);
  }
}

async function pushPayload(sb: Sandbox, repo: Repo, update: RefUpdate, sender: User) {
  const { gitDir } = repo;
  const created = update.before === ZERO_SHA;
  const deleted = update.after === ZERO_SHA;
  const forced = !created && !deleted && !(await isAncestor(gitDir, update.before, update.after));
  const shas = deleted ? [] : await newCommits(repo, update, created);
  const commits = await Promise.all(
    shas.slice(-MAX_PAYLOAD_COMMITS).map((sha) => payloadCommit(sb, repo, sha)),
  );
  const web = `${sb.baseUrl}/${sb.store.fullName(repo)}`;
  const short = (sha: string) => sha.slice(0, 12);
  const headCommit = deleted ? null : (commits.at(-1) ?? (await payloadCommit(sb, repo, update.after)));
  return {
    ref: update.ref,
    before: update.before,
    after: update.after,
    created,
    deleted,
    forced,
    base_ref: null,
    compare: created
      ? `${web}/compare/${update.ref.replace(/^refs\/(heads|tags)\//, "")}`
      : `${web}/compare/${short(update.before)}...${short(update.after)}`,
    commits,
    head_commit: headCommit,
    pusher: { name: sender.login, email: sender.email ?? noreplyEmail(sender) },
    repository: pushRepository(sb, repo),
  };
}

/** A new branch lists the commits no other branch has; an update those since `before`. */
async function newCommits(repo: Repo, update: RefUpdate, created: boolean): Promise<string[]> {
  if (!created) return commitsBetween(repo.gitDir, update.before, update.after);
  const others = (await listRefs(repo.gitDir, "refs/heads/")).filter((r) => r.ref !== update.ref);
  const args = ["rev-list", "--reverse", update.after, ...others.map((r) => `^${r.sha}`), "--"];
  return (await runGit(repo.gitDir, args)).toString().split("\n").filter(Boolean);
}

async function payloadCommit(sb: Sandbox, repo: Repo, sha: string) {
  const commit = (await readCommit(repo.gitDir, sha)) as CommitObject;
  const changes = await changedPaths(repo.gitDir, commit);
  const person = (p: CommitObject["author"]) => {
    const user = userForEmail(sb, p.email);
    return { name: p.name, email: p.email, ...(user ? { username: user.login } : {}) };
  };
  return {
    id: sha,
    tree_id: commit.tree,
    distinct: true,
    message: commit.message,
    timestamp: commit.committer.date,
    url: `${sb.baseUrl}/${sb.store.fullName(repo)}/commit/${sha}`,
    author: person(commit.author),
    committer: person(commit.committer),
    ...changes,
  };
}

/** Paths a commit added, removed and modified, against its first parent (all added for a root commit). */
async function changedPaths(gitDir: string, commit: CommitObject) {
  const args = [
    "diff-tree",
    "-r",
    "-z",
    "--no-commit-id",
    "--name-status",
    "--no-renames",
    "--root",
    commit.sha,
  ];
  const fields = (await runGit(gitDir, args)).toString("utf8").split("\0").filter(Boolean);
  const added: string[] = [];
  const removed: string[] = [];
  const modified: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = fields[i] as string;
    const path = fields[i + 1] as string;
    if (status === "A") added.push(path);
    else if (status === "D") removed.push(path);
    else modified.push(path);
  }
  return { added, removed, modified };
}

/** `push` payloads show the repository with Unix times and two legacy fields, unlike every other event. */
function pushRepository(sb: Sandbox, repo: Repo) {
  const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  const rendered = renderRepo(sb, repo);
  const owner = sb.store.user(repo.ownerId);
  return {
    ...rendered,
    owner: { ...rendered.owner, name: owner.name ?? owner.login, email: owner.email ?? noreplyEmail(owner) },
    created_at: seconds(repo.createdAt),
    pushed_at: seconds(repo.pushedAt),
    stargazers: 0,
    master_branch: repo.defaultBranch,
  };
}
