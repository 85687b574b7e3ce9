import type { Logger } from "pino";
import { requestCancel } from "../cancel-task.js";
import type { Fleet } from "../fleet.js";
import { isActive, type Task } from "../task.js";
import { isCandidate, type RaceRecord, readCandidates, readRace, updateRaceIf } from "./race.js";

/** Job ids of one race: a race id repeats on its issue, so each race's jobs carry when it started too. */
export function raceJobId(race: Pick<RaceRecord, "id" | "createdAt">, step: string): string {
  return `${race.id}-t${Date.parse(race.createdAt)}-${step}`;
}

/** Called whenever a task's attempt ends: a race's candidate asks its race to look whether all are done. */
export async function candidateSettled(fleet: Fleet, task: Task): Promise<void> {
  if (!task.race) return;
  const race = await readRace(fleet, task.race.id);
  if (race?.state !== "running") return;
  await fleet.queues.races.add(
    "settle",
    { kind: "settle", raceId: race.id },
    { jobId: raceJobId(race, `settled-${task.id}-a${task.attempt}`) },
  );
  await fleet.queues.races.add("status", { kind: "status", raceId: race.id });
}

/**
 * The `settle` job: once every candidate has settled, or at the time limit (the candidates still at work are
 * stopped, and not waited for), the race moves on to its ranking, once.
 */
export async function settleRace(
  fleet: Fleet,
  log: Logger,
  raceId: string,
  deadline: boolean,
): Promise<void> {
  const race = await readRace(fleet, raceId);
  if (race?.state !== "running") return;
  const tasks = await readCandidates(fleet, race);
  const working = tasks.filter((t): t is Task => isCandidate(race, t) && isActive(t.state));
  if (working.length > 0 && !deadline) return;
  const ranking = await updateRaceIf(fleet, race.id, ["running"], {
    state: "ranking",
    rankingAt: new Date().toISOString(),
  });
  if (!ranking) return;
  for (const task of working)
    await requestCancel(fleet, task.id, task.repo.id, "the race's time limit passed");
  log.info({ race: race.id, stopped: working.map((t) => t.id), deadline }, "race ranking");
  await fleet.queues.races.add("rank", { kind: "rank", raceId: race.id }, { jobId: raceJobId(race, "rank") });
  await fleet.queues.races.add("status", { kind: "status", raceId: race.id });
}
