import type { Sandbox } from "../sandbox.js";
import type { Repo, User } from "../state/model.js";

export interface RefUpdate {
  /** Full ref name, e.g. `refs/heads/main`. */
  ref: string;
  /** Previous sha, or 40 zeros when the ref was created. */
  before: string;
  /** New sha, or 40 zeros when the ref was deleted. */
  after: string;
}

/**
 * What GitHub does after a branch moved (by a push or the Git Data API), beyond the `push` webhook:
 * open pull requests whose head is that branch are synchronized, and CI runs on the new head.
 */
export async function branchMoved(_sb: Sandbox, _repo: Repo, _update: RefUpdate, _sender: User): Promise<void> {}
