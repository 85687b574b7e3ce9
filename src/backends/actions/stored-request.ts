import type { Task } from "../../fleet/task.js";
import type { GitHub } from "../../github/octokit.js";
import { withRetries } from "../../github/with-retries.js";
import type { StoredRequest } from "../../runner/task-spec.js";

/**
 * Stores a run's request as a git blob in the task's repository and returns its sha, the id the workflow is
 * dispatched with: the runner reads it back with the job's read-only token (runner/github/stored-task.ts).
 * Nothing refers to the blob, so GitHub collects it in time; the same request stored twice is one blob.
 */
export async function storeRequest(gh: GitHub, task: Task, request: StoredRequest): Promise<string> {
  const { data } = await withRetries(() =>
    gh.rest.git.createBlob({
      owner: task.repo.owner,
      repo: task.repo.name,
      content: JSON.stringify(request),
      encoding: "utf-8",
    }),
  );
  return data.sha;
}
