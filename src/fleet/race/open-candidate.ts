import type { Logger } from "pino";
import type { GitHub } from "../../github/octokit.js";
import { showStatus } from "../finish-task.js";
import { openTaskPull } from "../open-task-pull.js";
import { requestReview } from "../review/start-review.js";
import type { RunDeps } from "../run-task.js";
import { pruneLaterAll } from "./prune-branch.js";
import { isCandidate, type RaceRecord, readCandidates, readRace, updateRaceIf } from "./race.js";

/**
 * The winner (ranked, or picked by a person) gets its pull request, with the title and body its run rendered,
 * and from then on is an ordinary agent task on the review path: the gate, the judge and the fix loop. The
 * race is done, and the other candidates' branches are deleted once kept long enough.
 *
 * @param from the race states the winner may be chosen in (`ranking` for the ranking, `waiting-pick` for a person)
 */
export async function openCandidate(
  deps: RunDeps,
  gh: GitHub,
  log: Logger,
  raceId: string,
  taskId: string,
  from: RaceRecord["state"],
): Promise<RaceRecord | undefined> {
  const { fleet } = deps;
  const race = await readRace(fleet, raceId);
  const task = await fleet.store.get(taskId);
  if (!race || race.state !== from || !isCandidate(race, task) || task.state !== "candidate")
    return undefined;
  // 1. The pull request, found by its branch: a retried job opens it once.
  const pr = await openTaskPull(gh, task);
  log.info({ race: race.id, task: task.id, pr: pr.number }, "race winner's pull request ready");
  // 2. The race is done with this winner (once, whichever of two jobs gets here first).
  const done = await updateRaceIf(fleet, race.id, [from], { state: "done", winner: task.id });
  if (!done) return undefined;
  // 3. The task leaves the race (its own status comment follows its pull request) and goes to review.
  const checking = await fleet.store.updateIf(
    task.id,
    { states: ["candidate"], attempt: task.attempt },
    { state: "checking", pr: { number: pr.number, url: pr.url } },
  );
  if (checking) {
    const reviewed = await fleet.store.update(task.id, { race: undefined });
    await requestReview(fleet, reviewed);
    await showStatus(deps, gh, task.id);
  }
  // 4. The others' branches go later.
  await pruneLaterAll(fleet, done, await readCandidates(fleet, done), task.id);
  return done;
}
