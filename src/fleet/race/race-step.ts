import { UnrecoverableError } from "bullmq";
import { isTransient, WorkerStoppingError } from "../errors.js";
import { internalError } from "../finish-task.js";
import type { RaceJob } from "../queues.js";
import type { RunDeps } from "../run-task.js";
import { openCandidate } from "./open-candidate.js";
import { pruneBranch, pruneLaterAll } from "./prune-branch.js";
import { readCandidates, readRace, updateRaceIf } from "./race.js";
import { rankRace } from "./rank-race.js";
import { settleRace } from "./settle-race.js";
import { syncRaceComment } from "./sync-race-comment.js";

/** One step of a race (a job of the races queue); the race's comment follows each step that moved it. */
export async function raceStep(
  deps: RunDeps,
  job: RaceJob,
  lastTry: boolean,
  stopping?: AbortSignal,
): Promise<void> {
  const { fleet } = deps;
  const race = await readRace(fleet, job.raceId);
  const first = race && (await fleet.store.get(race.candidates[0] ?? ""));
  if (!race || !first) return;
  const log = deps.log.child({ race: race.id });
  const gh = await deps.github(first.installationId);
  try {
    if (job.kind === "settle") await settleRace(fleet, log, race.id, job.deadline ?? false);
    else if (job.kind === "rank") await rankRace(deps, gh, log, race.id, lastTry, stopping);
    else if (job.kind === "pick") {
      log.info({ task: job.taskId, by: job.by }, "race candidate picked");
      await openCandidate(deps, gh, log, race.id, job.taskId, "waiting-pick");
    } else if (job.kind === "prune") await pruneBranch(fleet, gh, log, job);
    if (job.kind !== "settle" && job.kind !== "prune") await syncRaceComment(fleet, gh, race.id);
  } catch (error) {
    if (error instanceof WorkerStoppingError || (isTransient(error) && !lastTry)) throw error;
    // A ranking that cannot finish ends the race, saying why, rather than leave it ranking for good.
    if (job.kind === "rank") {
      log.error({ err: error }, "race ranking failed");
      const reason = `the ranking could not finish: ${internalError(error).message}`;
      const done = await updateRaceIf(fleet, race.id, ["ranking"], { state: "done", reason });
      if (!done) return;
      await pruneLaterAll(fleet, done, await readCandidates(fleet, done));
      await fleet.queues.races.add("status", { kind: "status", raceId: race.id });
      return;
    }
    if (isTransient(error)) throw error;
    // A 404 or 422 would fail the same way again.
    throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
  }
}
