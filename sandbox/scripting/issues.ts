import type { Actor } from "../lifecycle/actor.js";
import { createComment, editComment, findComment } from "../lifecycle/comments.js";
import { closeIssue, findIssue, openIssue, reopenIssue } from "../lifecycle/issues.js";
import { addLabels, removeLabel } from "../lifecycle/labels.js";
import type { Sandbox } from "../sandbox.js";
import { requireUser } from "./setup.js";

/** A person acting in the web UI: no App involved, so no `performed_via_github_app`. */
export function person(sb: Sandbox, login: string): Actor {
  return { user: requireUser(sb, login), viaAppId: null };
}

/** People working on issues; each action sends the webhooks GitHub would, with that person as sender. */
export const issueActions = {
  async openIssue(
    sb: Sandbox,
    args: {
      repo: string;
      title: string;
      body?: string;
      user: string;
      labels?: string[];
      assignees?: string[];
    },
  ) {
    const repo = sb.store.repo(args.repo);
    const issue = await openIssue(sb, repo, person(sb, args.user), {
      title: args.title,
      body: args.body ?? null,
      labels: args.labels ?? [],
      assignees: args.assignees ?? [],
    });
    return { number: issue.number, id: issue.id };
  },

  async addLabel(sb: Sandbox, args: { repo: string; issue: number; label: string; user: string }) {
    const repo = sb.store.repo(args.repo);
    const issue = findIssue(repo, args.issue);
    await addLabels(sb, repo, issue, person(sb, args.user), [args.label]);
    return { number: issue.number, labels: labelsOf(repo, issue.labelIds) };
  },

  async removeLabel(sb: Sandbox, args: { repo: string; issue: number; label: string; user: string }) {
    const repo = sb.store.repo(args.repo);
    const issue = findIssue(repo, args.issue);
    await removeLabel(sb, repo, issue, person(sb, args.user), args.label);
    return { number: issue.number, labels: labelsOf(repo, issue.labelIds) };
  },

  comment(sb: Sandbox, args: { repo: string; issue: number; body: string; user: string }) {
    const repo = sb.store.repo(args.repo);
    const comment = createComment(sb, repo, args.issue, person(sb, args.user), args.body);
    return { id: comment.id };
  },

  editComment(sb: Sandbox, args: { repo: string; commentId: number; body: string; user: string }) {
    const repo = sb.store.repo(args.repo);
    const comment = editComment(
      sb,
      repo,
      findComment(repo, args.commentId),
      person(sb, args.user),
      args.body,
    );
    return { id: comment.id };
  },

  async closeIssue(
    sb: Sandbox,
    args: { repo: string; issue: number; user: string; reason?: "completed" | "not_planned" },
  ) {
    const repo = sb.store.repo(args.repo);
    const issue = findIssue(repo, args.issue);
    await closeIssue(sb, repo, issue, person(sb, args.user), args.reason ?? "completed");
    return { number: issue.number, state: issue.state };
  },

  async reopenIssue(sb: Sandbox, args: { repo: string; issue: number; user: string }) {
    const repo = sb.store.repo(args.repo);
    const issue = findIssue(repo, args.issue);
    await reopenIssue(sb, repo, issue, person(sb, args.user));
    return { number: issue.number, state: issue.state };
  },
};

function labelsOf(repo: { labels: { id: number; name: string }[] }, ids: number[]): string[] {
  return ids.flatMap((id) => repo.labels.filter((l) => l.id === id).map((l) => l.name));
}
