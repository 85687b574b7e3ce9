import type { Sandbox } from "../sandbox.js";
import type { Issue, IssueComment, Reaction, ReactionContent, Repo } from "../state/model.js";
import { nodeId, renderApp, renderLabel, renderUserById } from "./core.js";

/**
 * Issues, issue comments and reactions as GitHub renders them. The same objects go into REST responses and
 * webhook payloads, so a field fixed here is fixed in both.
 */

const REACTION_CONTENTS: ReactionContent[] = [
  "+1",
  "-1",
  "laugh",
  "confused",
  "heart",
  "hooray",
  "rocket",
  "eyes",
];

export function apiUrl(sb: Sandbox, repo: Repo): string {
  return `${sb.baseUrl}/repos/${sb.store.fullName(repo)}`;
}

export function webUrl(sb: Sandbox, repo: Repo): string {
  return `${sb.baseUrl}/${sb.store.fullName(repo)}`;
}

/** GitHub's `author_association`: how the author relates to the repository. */
export function authorAssociation(sb: Sandbox, repo: Repo, userId: number): string {
  if (repo.ownerId === userId) return "OWNER";
  if (repo.collaborators.has(userId)) return "COLLABORATOR";
  const owner = sb.store.user(repo.ownerId);
  if (owner.type === "Organization" && sb.store.user(userId).type === "User") return "CONTRIBUTOR";
  return "NONE";
}

/** The `reactions` summary every issue and comment carries. */
export function renderReactionRollup(url: string, reactions: Reaction[]) {
  const counts = Object.fromEntries(
    REACTION_CONTENTS.map((content) => [content, reactions.filter((r) => r.content === content).length]),
  ) as Record<ReactionContent, number>;
  return { url, total_count: reactions.length, ...counts };
}

export function renderReaction(sb: Sandbox, reaction: Reaction) {
  return {
    id: reaction.id,
    node_id: nodeId("Reaction", reaction.id),
    user: renderUserById(sb, reaction.userId),
    content: reaction.content,
    created_at: reaction.createdAt,
  };
}

/** `performed_via_github_app`: the App whose installation token made the change, else null. */
function viaApp(sb: Sandbox, appId: number | null) {
  const app = appId === null ? undefined : sb.store.apps.get(appId);
  return app ? renderApp(sb, app) : null;
}

export function renderIssue(sb: Sandbox, repo: Repo, issue: Issue) {
  const api = `${apiUrl(sb, repo)}/issues/${issue.number}`;
  const web = webUrl(sb, repo);
  const assignees = issue.assigneeIds.map((id) => renderUserById(sb, id));
  const comments = repo.comments.filter((c) => c.issueNumber === issue.number).length;
  const labels = issue.labelIds.flatMap((id) => {
    const label = repo.labels.find((l) => l.id === id);
    return label ? [renderLabel(sb, repo, label)] : [];
  });
  return {
    id: issue.id,
    node_id: nodeId(issue.pull ? "PullRequest" : "Issue", issue.id),
    url: api,
    repository_url: apiUrl(sb, repo),
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: `${web}/${issue.pull ? "pull" : "issues"}/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: renderUserById(sb, issue.userId),
    labels,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    locked: issue.locked,
    active_lock_reason: null,
    comments,
    ...(issue.pull
      ? {
          pull_request: {
            url: `${apiUrl(sb, repo)}/pulls/${issue.number}`,
            html_url: `${web}/pull/${issue.number}`,
            diff_url: `${web}/pull/${issue.number}.diff`,
            patch_url: `${web}/pull/${issue.number}.patch`,
            merged_at: issue.pull.mergedAt,
          },
        }
      : {}),
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    draft: issue.pull?.draft ?? false,
    closed_by: issue.closedById === null ? null : renderUserById(sb, issue.closedById),
    author_association: authorAssociation(sb, repo, issue.userId),
    reactions: renderReactionRollup(`${api}/reactions`, issue.reactions),
    timeline_url: `${api}/timeline`,
    performed_via_github_app: null,
  };
}

export function renderIssueComment(sb: Sandbox, repo: Repo, comment: IssueComment) {
  const api = `${apiUrl(sb, repo)}/issues/comments/${comment.id}`;
  const issue = repo.issues.get(comment.issueNumber);
  const kind = issue?.pull ? "pull" : "issues";
  return {
    id: comment.id,
    node_id: nodeId("IssueComment", comment.id),
    url: api,
    html_url: `${webUrl(sb, repo)}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${apiUrl(sb, repo)}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: renderUserById(sb, comment.userId),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: authorAssociation(sb, repo, comment.userId),
    performed_via_github_app: viaApp(sb, comment.viaAppId),
    reactions: renderReactionRollup(`${api}/reactions`, comment.reactions),
  };
}
