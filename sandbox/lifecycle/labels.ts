import { HttpError } from "../http/errors.js";
import { renderLabel } from "../render/core.js";
import type { Sandbox } from "../sandbox.js";
import type { Issue, Label, Repo, User } from "../state/model.js";
import { type Actor, emitIssueAction } from "./actor.js";

/** Repository labels and the labels on issues and pull requests, with `labeled`/`unlabeled` webhooks. */

/** GitHub's colour for a label created on the fly (e.g. by adding a label that does not exist yet). */
const DEFAULT_LABEL_COLOR = "ededed";

export function findLabel(repo: Repo, name: string): Label | undefined {
  const wanted = name.toLowerCase();
  return repo.labels.find((l) => l.name.toLowerCase() === wanted);
}

export function createLabel(
  sb: Sandbox,
  repo: Repo,
  fields: { name: string; color?: string; description?: string | null },
): Label {
  const label: Label = {
    id: sb.store.nextId(),
    name: fields.name,
    color: (fields.color ?? DEFAULT_LABEL_COLOR).replace(/^#/, ""),
    description: fields.description ?? null,
    default: false,
  };
  repo.labels.push(label);
  return label;
}

export function ensureLabel(sb: Sandbox, repo: Repo, name: string): Label {
  return findLabel(repo, name) ?? createLabel(sb, repo, { name });
}

export async function emitLabelActions(
  sb: Sandbox,
  repo: Repo,
  issue: Issue,
  sender: User,
  labels: Label[],
  action: "labeled" | "unlabeled",
): Promise<void> {
  for (const label of labels) {
    await emitIssueAction(sb, repo, issue, action, sender, { label: renderLabel(sb, repo, label) });
  }
}

/** Adds labels, creating the ones the repository lacks (as GitHub does); already present ones are skipped. */
export async function addLabels(
  sb: Sandbox,
  repo: Repo,
  issue: Issue,
  actor: Actor,
  names: string[],
): Promise<void> {
  const added: Label[] = [];
  for (const name of names) {
    const label = ensureLabel(sb, repo, name);
    if (issue.labelIds.includes(label.id) || added.includes(label)) continue;
    issue.labelIds.push(label.id);
    added.push(label);
  }
  if (added.length > 0) issue.updatedAt = sb.store.nowIso();
  await emitLabelActions(sb, repo, issue, actor.user, added, "labeled");
}

/** Removes one label; GitHub answers 404 "Label does not exist" when the issue does not carry it. */
export async function removeLabel(
  sb: Sandbox,
  repo: Repo,
  issue: Issue,
  actor: Actor,
  name: string,
): Promise<void> {
  const label = findLabel(repo, name);
  if (!label || !issue.labelIds.includes(label.id)) throw new HttpError(404, "Label does not exist");
  issue.labelIds = issue.labelIds.filter((id) => id !== label.id);
  issue.updatedAt = sb.store.nowIso();
  await emitLabelActions(sb, repo, issue, actor.user, [label], "unlabeled");
}

export async function setLabels(
  sb: Sandbox,
  repo: Repo,
  issue: Issue,
  actor: Actor,
  names: string[],
): Promise<void> {
  const wanted = [...new Set(names.map((name) => ensureLabel(sb, repo, name)))];
  const removed = issue.labelIds.filter((id) => !wanted.some((l) => l.id === id));
  for (const id of removed) {
    const label = repo.labels.find((l) => l.id === id);
    if (label) await removeLabel(sb, repo, issue, actor, label.name);
  }
  await addLabels(
    sb,
    repo,
    issue,
    actor,
    wanted.map((l) => l.name),
  );
}
