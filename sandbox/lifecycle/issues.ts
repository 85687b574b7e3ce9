import { HttpError, notFound } from "../http/errors.js";
import { renderUser } from "../render/core.js";
import type { Sandbox } from "../sandbox.js";
import type { Issue, Repo, User } from "../state/model.js";
import { type Actor, emitIssueAction } from "./actor.js";
import { emitLabelActions, ensureLabel, setLabels } from "./labels.js";

/**
 * Changes to issues (and the issue side of pull requests) and the webhooks GitHub sends for each. REST
 * routes and scripting actions both come through here, so the two cannot drift apart.
 */

export function findIssue(repo: Repo, number: number | string): Issue {
  const issue = repo.issues.get(Number(number));
  if (!issue) throw notFound();
  return issue;
}

function ensureAssignees(sb: Sandbox, logins: string[]): User[] {
  return logins.map((login) => {
    const user = sb.store.userByLogin(login);
    if (!user)
      throw new HttpError(422, "Validation Failed", {
        errors: [{ resource: "Issue", field: "assignees", code: "invalid", value: login }],
      });
    return user;
  });
}

/** A fresh issue record taking the repository's next number (shared with pull requests). */
export function newIssue(
  sb: Sandbox,
  repo: Repo,
  actor: Actor,
  fields: { title: string; body?: string | null; labelIds?: number[]; assigneeIds?: number[] },
): Issue {
  const now = sb.store.nowIso();
  const issue: Issue = {
    id: sb.store.nextId(),
    number: repo.nextNumber++,
    title: fields.title,
    body: fields.body ?? null,
    userId: actor.user.id,
    state: "open",
    stateReason: null,
    labelIds: fields.labelIds ?? [],
    assigneeIds: fields.assigneeIds ?? [],
    locked: false,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    closedById: null,
    reactions: [],
    pull: null,
  };
  repo.issues.set(issue.number, issue);
  return issue;
}

/** Opens an issue; GitHub sends `opened`, then `labeled` and `assigned` for what it was created with. */
export async function openIssue(
  sb: Sandbox,
  repo: Repo,
  actor: Actor,
  fields: { title: string; body?: string | null; labels?: string[]; assignees?: string[] },
): Promise<Issue> {
  const assignees = ensureAssignees(sb, fields.assignees ?? []);
  const labels = (fields.labels ?? []).map((name) => ensureLabel(sb, repo, name));
  const issue = newIssue(sb, repo, actor, {
    title: fields.title,
    body: fields.body ?? null,
    labelIds: labels.map((l) => l.id),
    assigneeIds: assignees.map((u) => u.id),
  });
  await emitIssueAction(sb, repo, issue, "opened", actor.user);
  await emitLabelActions(sb, repo, issue, actor.user, labels, "labeled");
  await emitAssigneeActions(sb, repo, issue, actor.user, assignees, "assigned");
  return issue;
}

export interface IssueChanges {
  title?: string;
  body?: string | null;
  state?: "open" | "closed";
  stateReason?: "completed" | "not_planned" | "reopened" | null;
  labels?: string[];
  assignees?: string[];
}

/** Applies an update (PATCH or a person's edit) and sends one webhook per kind of change, as GitHub does. */
export async function updateIssue(
  sb: Sandbox,
  repo: Repo,
  issue: Issue,
  actor: Actor,
  changes: IssueChanges,
  extraEdits: Record<string, unknown> = {},
): Promise<Issue> {
  const edited: Record<string, { from: unknown }> = {};
  if (changes.title !== undefined && changes.title !== issue.title) {
    edited.title = { from: issue.title };
    issue.title = changes.title;
  }
  if (changes.body !== undefined && changes.body !== issue.body) {
    edited.body = { from: issue.body };
    issue.body = changes.body;
  }
  issue.updatedAt = sb.store.nowIso();
  if (Object.keys(edited).length > 0 || Object.keys(extraEdits).length > 0) {
    await emitIssueAction(sb, repo, issue, "edited", actor.user, { changes: { ...edited, ...extraEdits } });
  }
  if (changes.labels !== undefined) await setLabels(sb, repo, issue, actor, changes.labels);
  if (changes.assignees !== undefined) await setAssignees(sb, repo, issue, actor, changes.assignees);
  if (changes.state === "closed" && issue.state === "open") {
    await closeIssue(
      sb,
      repo,
      issue,
      actor,
      changes.stateReason === "not_planned" ? "not_planned" : "completed",
    );
  } else if (changes.state === "open" && issue.state === "closed") {
    await reopenIssue(sb, repo, issue, actor);
  }
  return issue;
}

export async function closeIssue(
  sb: Sandbox,
  repo: Repo,
  issue: Issue,
  actor: Actor,
  reason: "completed" | "not_planned" = "completed",
): Promise<void> {
  if (issue.state === "closed") return;
  const now = sb.store.nowIso();
  issue.state = "closed";
  // GitHub keeps state_reason null on pull requests; it only describes why an issue was closed.
  issue.stateReason = issue.pull ? null : reason;
  issue.closedAt = now;
  issue.closedById = actor.user.id;
  issue.updatedAt = now;
  await emitIssueAction(sb, repo, issue, "closed", actor.user);
}

export async function reopenIssue(sb: Sandbox, repo: Repo, issue: Issue, actor: Actor): Promise<void> {
  if (issue.state === "open") return;
  if (issue.pull?.merged)
    throw new HttpError(422, "Validation Failed", {
      errors: [{ resource: "PullRequest", code: "custom", message: "Cannot reopen a merged pull request" }],
    });
  issue.state = "open";
  issue.stateReason = issue.pull ? null : "reopened";
  issue.closedAt = null;
  issue.closedById = null;
  issue.updatedAt = sb.store.nowIso();
  await emitIssueAction(sb, repo, issue, "reopened", actor.user);
}

async function emitAssigneeActions(
  sb: Sandbox,
  repo: Repo,
  issue: Issue,
  sender: User,
  users: User[],
  action: "assigned" | "unassigned",
): Promise<void> {
  for (const user of users) {
    await emitIssueAction(sb, repo, issue, action, sender, { assignee: renderUser(sb, user) });
  }
}

async function setAssignees(
  sb: Sandbox,
  repo: Repo,
  issue: Issue,
  actor: Actor,
  logins: string[],
): Promise<void> {
  const wanted = ensureAssignees(sb, logins);
  const removed = issue.assigneeIds
    .filter((id) => !wanted.some((u) => u.id === id))
    .map((id) => sb.store.user(id));
  const added = wanted.filter((u) => !issue.assigneeIds.includes(u.id));
  issue.assigneeIds = wanted.map((u) => u.id);
  await emitAssigneeActions(sb, repo, issue, actor.user, removed, "unassigned");
  await emitAssigneeActions(sb, repo, issue, actor.user, added, "assigned");
}
