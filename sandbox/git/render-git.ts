import { nodeId, renderUser } from "../render/core.js";
import type { Sandbox } from "../sandbox.js";
import type { Repo } from "../state/model.js";
import type { DiffFile } from "./diff.js";
import { userForEmail } from "./identity.js";
import type { CommitObject, Person, RefRecord } from "./objects.js";

/** Git objects → GitHub's JSON (`git-commit`, `commit`, `git-ref`), with sandbox URLs. */

/** Nothing in the sandbox is signed; GitHub says so this way. */
const UNSIGNED = { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };

/** Node ids of git objects are derived from the sha, so the same object always has the same id. */
function objectNodeId(type: string, sha: string): string {
  return Buffer.from(`${type}:${sha}`).toString("base64");
}

function api(sb: Sandbox, repo: Repo): string {
  return `${sb.baseUrl}/repos/${sb.store.fullName(repo)}`;
}

function web(sb: Sandbox, repo: Repo): string {
  return `${sb.baseUrl}/${sb.store.fullName(repo)}`;
}

/** `git-commit`: the Git Data API's view of a commit. */
export function renderGitCommit(sb: Sandbox, repo: Repo, commit: CommitObject) {
  return {
    sha: commit.sha,
    node_id: objectNodeId("Commit", commit.sha),
    url: `${api(sb, repo)}/git/commits/${commit.sha}`,
    html_url: `${web(sb, repo)}/commit/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    tree: { sha: commit.tree, url: `${api(sb, repo)}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api(sb, repo)}/git/commits/${sha}`,
      html_url: `${web(sb, repo)}/commit/${sha}`,
    })),
    verification: UNSIGNED,
  };
}

/** The GitHub account a commit identity belongs to, as GitHub links it (by email), or null. */
function accountFor(sb: Sandbox, person: Person) {
  const user = userForEmail(sb, person.email);
  return user ? renderUser(sb, user) : null;
}

/** `commit`: the REST view (commits, compare, branches), optionally with files and stats. */
export function renderCommit(sb: Sandbox, repo: Repo, commit: CommitObject, files?: DiffFile[]) {
  const url = `${api(sb, repo)}/commits/${commit.sha}`;
  const body: Record<string, unknown> = {
    url,
    sha: commit.sha,
    node_id: objectNodeId("Commit", commit.sha),
    html_url: `${web(sb, repo)}/commit/${commit.sha}`,
    comments_url: `${url}/comments`,
    commit: {
      url: `${api(sb, repo)}/git/commits/${commit.sha}`,
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      tree: { sha: commit.tree, url: `${api(sb, repo)}/git/trees/${commit.tree}` },
      comment_count: 0,
      verification: UNSIGNED,
    },
    author: accountFor(sb, commit.author),
    committer: accountFor(sb, commit.committer),
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api(sb, repo)}/commits/${sha}`,
      html_url: `${web(sb, repo)}/commit/${sha}`,
    })),
  };
  if (files) {
    const additions = files.reduce((n, f) => n + f.additions, 0);
    const deletions = files.reduce((n, f) => n + f.deletions, 0);
    body.stats = { additions, deletions, total: additions + deletions };
    body.files = files;
  }
  return body;
}

/** `git-ref`; `url` names the ref without `refs/`, as GitHub's does. */
export function renderRef(sb: Sandbox, repo: Repo, ref: RefRecord) {
  const kind =
    ref.type === "tag" ? "tags" : ref.type === "tree" ? "trees" : ref.type === "blob" ? "blobs" : "commits";
  return {
    ref: ref.ref,
    node_id: nodeId("Ref", hashCode(`${repo.id}:${ref.ref}`)),
    url: `${api(sb, repo)}/git/${ref.ref}`,
    object: { type: ref.type, sha: ref.sha, url: `${api(sb, repo)}/git/${kind}/${ref.sha}` },
  };
}

function hashCode(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash;
}
