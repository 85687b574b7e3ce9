import type { Fleet } from "../fleet.js";
import { pruneLaterAll } from "./prune-branch.js";
import {
  OPEN_RACE_STATES,
  type RaceRecord,
  raceIdFor,
  readCandidates,
  readRace,
  updateRaceIf,
} from "./race.js";
import { raceJobId } from "./settle-race.js";

/**
 * `/agent stop` on the issue, or the issue closed: the race ends as cancelled (its candidates are stopped as tasks, by the
 * caller), and the branches candidates committed are deleted once kept long enough. True when a race was open.
 */
export async function cancelRace(
  fleet: Fleet,
  repoId: number,
  issue: number,
  reason: string,
): Promise<boolean> {
  const id = raceIdFor(repoId, issue);
  const race = await updateRaceIf(fleet, id, OPEN_RACE_STATES, { state: "cancelled", reason });
  if (!race) return false;
  await pruneLaterAll(fleet, race, await readCandidates(fleet, race));
  await fleet.queues.races.add("status", { kind: "status", raceId: race.id });
  return true;
}

/** The race on the issue while it is open (running, ranking or waiting for a pick). */
export async function openRace(fleet: Fleet, repoId: number, issue: number): Promise<RaceRecord | undefined> {
  const race = await readRace(fleet, raceIdFor(repoId, issue));
  return race && OPEN_RACE_STATES.includes(race.state) ? race : undefined;
}

/**
 * `/agent pick <agent>`: the answer when that candidate cannot be picked, or undefined once its pull
 * request was asked for (the `pick` job opens it).
 */
export async function pickCandidate(
  fleet: Fleet,
  repoId: number,
  issue: number,
  agent: string,
  by: string,
): Promise<string | undefined> {
  const race = await readRace(fleet, raceIdFor(repoId, issue));
  if (!race || race.state === "cancelled") return "There is no race on this issue to pick from.";
  if (race.state === "running" || race.state === "ranking")
    return "The race is not ranked yet: its comment says when a candidate can be picked.";
  if (race.state === "done") return "This race is over: its winner already has its pull request.";
  const index = race.agents.indexOf(agent);
  const taskId = race.candidates[index];
  const asked = agent.replaceAll("`", "'");
  if (index < 0 || !taskId)
    return `\`${asked}\` is not a candidate in this race; the candidates: ${race.agents.map((a) => `\`${a}\``).join(", ")}.`;
  const task = await fleet.store.get(taskId);
  if (task?.state !== "candidate" || !race.results?.[taskId])
    return `\`${asked}\` cannot be picked: it did not finish with a change (it ${task?.state ?? "never ran"}).`;
  await fleet.queues.races.add(
    "pick",
    { kind: "pick", raceId: race.id, taskId, by },
    { jobId: raceJobId(race, "pick") },
  );
  return undefined;
}
