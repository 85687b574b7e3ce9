import type { Task } from "../fleet/task.js";
import type { GitHub } from "../github/octokit.js";
import type { DiffStat } from "./render/task-page.js";

/** Files listed on a task's page; GitHub's counts above them cover the whole pull request. */
const MAX_FILES = 300;

/**
 * The pull request's changes as GitHub counts them, read with the App's installation token (the person may
 * see the repository: the caller checked). A failure is shown, not thrown: the rest of the page still helps.
 */
export async function readDiffStat(
  github: (installationId: number) => Promise<GitHub>,
  task: Task,
): Promise<DiffStat> {
  if (!task.pr) return { problem: "No pull request yet." };
  try {
    const gh = await github(task.installationId);
    const where = { owner: task.repo.owner, repo: task.repo.name, pull_number: task.pr.number };
    const { data: pull } = await gh.rest.pulls.get(where);
    let listed = 0;
    const files = await gh.paginate(
      gh.rest.pulls.listFiles,
      { ...where, per_page: 100 },
      (response, done) => {
        listed += response.data.length;
        if (listed >= MAX_FILES) done();
        return response.data;
      },
    );
    return {
      additions: pull.additions,
      deletions: pull.deletions,
      changedFiles: pull.changed_files,
      files: files.slice(0, MAX_FILES).map((f) => ({
        filename: f.filename,
        additions: f.additions,
        deletions: f.deletions,
        status: f.status,
      })),
    };
  } catch (error) {
    return { problem: `GitHub did not give the pull request's changes: ${(error as Error).message}` };
  }
}
