import type { Sandbox } from "../sandbox.js";
import type { Repo } from "../state/model.js";

/** Runs the repository's configured CI (if any) on a pull request's new head sha. */
export async function ciOnHeadSha(_sb: Sandbox, _repo: Repo, _sha: string, _branch: string): Promise<void> {}
