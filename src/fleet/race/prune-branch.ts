import type { Logger } from "pino";
import type { GitHub } from "../../github/octokit.js";
import { withRetries } from "../../github/with-retries.js";
import { httpStatus } from "../../publish/request-error.js";
import type { Fleet } from "../fleet.js";
import type { Task } from "../task.js";
import { type RaceRecord, readRace } from "./race.js";
import { raceJobId } from "./settle-race.js";

/** Asks for the deletion of each candidate's branch but the winner's, once `keepBranches` has passed. */
export async function pruneLaterAll(
  fleet: Fleet,
  race: RaceRecord,
  tasks: (Task | undefined)[],
  winner?: string,
): Promise<void> {
  for (const task of tasks) {
    if (!task || task.id === winner || !task.commitSha) continue;
    await fleet.queues.races.add(
      "prune",
      { kind: "prune", raceId: race.id, taskId: task.id, branch: task.branch, sha: task.commitSha },
      { jobId: raceJobId(race, `prune-${task.id}`), delay: race.keepBranchesMs },
    );
  }
}

/**
 * The `prune` job: a losing candidate's branch goes, but only while its head is still the candidate's commit
 * (someone who pushed to it keeps it) and no pull request was opened from it since (a later pick, a rerun).
 */
export async function pruneBranch(
  fleet: Fleet,
  gh: GitHub,
  log: Logger,
  job: { raceId: string; taskId: string; branch: string; sha: string },
): Promise<void> {
  const [race, task] = await Promise.all([readRace(fleet, job.raceId), fleet.store.get(job.taskId)]);
  if (!task || race?.winner === task.id || task.race?.id !== job.raceId) return;
  const where = { owner: task.repo.owner, repo: task.repo.name, ref: `heads/${job.branch}` };
  let head: string;
  try {
    head = (await withRetries(() => gh.rest.git.getRef(where))).data.object.sha;
  } catch (error) {
    if (httpStatus(error) === 404) return;
    throw error;
  }
  if (head !== job.sha) return log.info({ task: task.id, head, sha: job.sha }, "branch moved on; kept");
  try {
    await withRetries(() => gh.rest.git.deleteRef(where));
  } catch (error) {
    // Deleted meanwhile (a person, a retried job): nothing left to do.
    if (httpStatus(error) !== 422 && httpStatus(error) !== 404) throw error;
  }
  log.info({ task: task.id, branch: job.branch }, "losing candidate's branch deleted");
}
