import { validationFailed } from "../http/errors.js";
import { nodeId } from "../render/core.js";
import type { Sandbox } from "../sandbox.js";
import type { CommitStatus, Repo, User } from "../state/model.js";
import { emitToAppsWith } from "./check-events.js";
import { branchesContaining, type CommitInfo, commitInfo } from "./commits.js";

/** GitHub keeps at most 1000 statuses per sha and context. */
const MAX_PER_CONTEXT = 1000;

export async function createStatus(
  sb: Sandbox,
  repo: Repo,
  creator: User,
  sha: string,
  input: {
    state: CommitStatus["state"];
    context?: string;
    description?: string | null;
    targetUrl?: string | null;
  },
): Promise<CommitStatus> {
  const info = await commitInfo(repo, sha);
  if (!info) throw validationFailed("Status", "sha", "invalid", `No commit found for SHA: ${sha}`);
  const context = input.context ?? "default";
  if (repo.statuses.filter((s) => s.sha === sha && s.context === context).length >= MAX_PER_CONTEXT) {
    throw validationFailed(
      "Status",
      "context",
      "custom",
      "This SHA and context has reached the maximum number of statuses.",
    );
  }
  const now = sb.store.nowIso();
  const status: CommitStatus = {
    id: sb.store.nextId(),
    sha,
    state: input.state,
    context,
    description: input.description ?? null,
    targetUrl: input.targetUrl ?? null,
    creatorId: creator.id,
    createdAt: now,
    updatedAt: now,
  };
  repo.statuses.push(status);
  const branches = await branchesContaining(repo, sha);
  emitToAppsWith(sb, "statuses", {
    event: "status",
    repo,
    sender: creator,
    payload: {
      id: status.id,
      sha,
      name: sb.store.fullName(repo),
      target_url: status.targetUrl,
      context,
      description: status.description,
      state: status.state,
      commit: renderStatusCommit(sb, repo, info),
      branches: branches.map((b) => ({
        name: b.name,
        commit: { sha: b.sha, url: `${sb.baseUrl}/repos/${sb.store.fullName(repo)}/commits/${b.sha}` },
        protected: false,
      })),
      created_at: now,
      updated_at: now,
    },
  });
  return status;
}

/** The `commit` of a status webhook: the REST commit shape, unsigned, without GitHub user links. */
function renderStatusCommit(sb: Sandbox, repo: Repo, info: CommitInfo) {
  const fullName = sb.store.fullName(repo);
  const api = `${sb.baseUrl}/repos/${fullName}`;
  return {
    sha: info.id,
    node_id: nodeId("Commit", repo.id),
    commit: {
      author: { ...info.author, date: info.timestamp },
      committer: { ...info.committer, date: info.timestamp },
      message: info.message,
      tree: { sha: info.tree_id, url: `${api}/git/trees/${info.tree_id}` },
      url: `${api}/git/commits/${info.id}`,
      comment_count: 0,
      verification: { verified: false, reason: "unsigned", signature: null, payload: null },
    },
    url: `${api}/commits/${info.id}`,
    html_url: `${sb.baseUrl}/${fullName}/commit/${info.id}`,
    comments_url: `${api}/commits/${info.id}/comments`,
    author: null,
    committer: null,
    parents: info.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${sb.baseUrl}/${fullName}/commit/${sha}`,
    })),
  };
}
