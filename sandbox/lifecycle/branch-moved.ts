import { ciOnHeadSha, ciOnPush } from "../ci/ci-actor.js";
import type { Sandbox } from "../sandbox.js";
import type { Repo, User } from "../state/model.js";
import { emitIssueAction, isPull } from "./actor.js";

export interface RefUpdate {
  /** Full ref name, e.g. `refs/heads/main`. */
  ref: string;
  /** Previous sha, or 40 zeros when the ref was created. */
  before: string;
  /** New sha, or 40 zeros when the ref was deleted. */
  after: string;
}

const ZERO_SHA = "0000000000000000000000000000000000000000";

/**
 * What GitHub does after a branch moved (by a push or the Git Data API), beyond the `push` webhook:
 * open pull requests whose head is that branch are synchronized, and CI runs on the new head.
 */
export async function branchMoved(sb: Sandbox, repo: Repo, update: RefUpdate, sender: User): Promise<void> {
  // A deleted head leaves its pull requests where they were; there is no new head to synchronize to.
  if (!update.ref.startsWith("refs/heads/") || update.after === ZERO_SHA) return;
  const branch = update.ref.slice("refs/heads/".length);
  let synchronized = false;
  for (const issue of repo.issues.values()) {
    if (!isPull(issue) || issue.state !== "open" || issue.pull.headRef !== branch) continue;
    if (issue.pull.headSha === update.after) continue;
    const before = issue.pull.headSha;
    issue.pull.headSha = update.after;
    issue.updatedAt = sb.store.nowIso();
    await emitIssueAction(sb, repo, issue, "synchronize", sender, { before, after: update.after });
    synchronized = true;
  }
  // One CI run per new head, however many pull requests share it; a push no pull request has, if CI runs on push.
  if (synchronized) await ciOnHeadSha(sb, repo, update.after, branch);
  else await ciOnPush(sb, repo, update.after, branch);
}
